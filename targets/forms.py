"""Reading the entry sheet's POST: Vietnamese numbers, per-field errors, warnings."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.http import QueryDict

from organizations.forms import CrispyForm
from partyreports.formatting import NumberParseError, format_number, parse_number
from partyreports.formatting import format_plain as plain_number
from targets import calculations as calc
from targets.models import Plan, Source, Target
from targets.selectors import SheetView
from targets.services import Entry, entry_problems, entry_warning, figures_change

#: Longer text is not a figure (9.999.999.999.999,9999 has 22 characters): it is
#: refused unread, so a pasted 5.000-digit string never becomes a number.
FIGURE_MAX_LENGTH = 40
#: Figures and plan values are stored as DECIMAL(18, 4).
FIGURE_LIMIT = Decimal("1e13")
NULL_IN_NOTE = "Ghi chú có ký tự không hợp lệ (ký tự NUL); hãy xóa rồi gõ lại."


def parse_figure(text: str) -> Decimal:
    """A figure typed or pasted by a user (web form or Excel cell), read by
    parse_number; NumberParseError with a Vietnamese message otherwise."""
    text = text.strip()
    if len(text) > FIGURE_MAX_LENGTH:
        raise NumberParseError(
            f"Số không hợp lệ: dài {format_number(len(text))} ký tự (một số có "
            f"nhiều nhất {FIGURE_MAX_LENGTH} ký tự)."
        )
    return parse_number(text)


def version_of(data: QueryDict) -> int:
    """The version (of a sheet, a document) the page was read at. A missing
    version or anything but a plain number ("²" and "١" pass str.isdigit; a
    30-digit one overflows the column) reads as an outdated page."""
    raw = data.get("version", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else -1


def field_names(target_id: int) -> dict[str, str]:
    return {
        "value": f"v-{target_id}",
        "numerator": f"n-{target_id}",
        "denominator": f"d-{target_id}",
        "note": f"note-{target_id}",
    }


@dataclass
class ParsedSheet:
    entries: dict[int, Entry] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    warnings: dict[int, str] = field(default_factory=dict)

    def by_target(self) -> dict[int, list[str]]:
        """Error messages grouped by the target whose field they belong to."""
        grouped: dict[int, list[str]] = {}
        for name, message in self.errors.items():
            target_id = int(name.rsplit("-", 1)[1])
            grouped.setdefault(target_id, []).append(message)
        return grouped

    @property
    def typed(self) -> dict[int, calc.Figures]:
        return {
            tid: calc.Figures(
                value=e.value, numerator=e.numerator, denominator=e.denominator
            )
            for tid, e in self.entries.items()
        }


def _number(data: QueryDict, name: str, errors: dict[str, str]) -> Decimal | None:
    raw = data.get(name, "").strip()
    if raw == "":
        return None
    try:
        return parse_figure(raw)
    except NumberParseError as exc:
        errors[name] = exc.message
        return None


def parse_sheet(data: QueryDict, view: SheetView) -> ParsedSheet:
    """Parse every manual row; collect errors by field name and outlier warnings."""
    parsed = ParsedSheet()
    for row in view.rows:
        target = row.target
        if row.read_only:
            continue
        names = field_names(target.id)
        entry = Entry(
            value=_number(data, names["value"], parsed.errors),
            numerator=_number(data, names["numerator"], parsed.errors),
            denominator=_number(data, names["denominator"], parsed.errors),
            note=data.get(names["note"], "").strip()[:500],
        )
        if "\x00" in entry.note:  # PostgreSQL refuses it in text
            parsed.errors[names["note"]] = NULL_IN_NOTE
        problems = entry_problems(target, entry, typed=data.get(names["value"], ""))
        if problems:
            parsed.errors.setdefault(
                names["numerator"] if entry.numerator is not None else names["value"],
                " ".join(problems),
            )
        parsed.entries[target.id] = entry
        # Only what is being changed asks for confirmation: a figure confirmed
        # once is not questioned again at every save.
        if figures_change(row.result, entry):
            warning = entry_warning(
                entry, last_quarter=row.last_quarter, last_year=row.last_year
            )
            if warning is not None:
                parsed.warnings[target.id] = warning.message
    return parsed


class VietnameseDecimalField(forms.CharField):
    """A number typed the Vietnamese way ("20.360", "4,05"), read by parse_number."""

    def to_python(self, value: object) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            value = parse_figure(text)
        except NumberParseError as exc:
            raise forms.ValidationError(exc.message) from exc
        if abs(value) >= FIGURE_LIMIT:
            raise forms.ValidationError("Số quá lớn.")
        return value

    def prepare_value(self, value: object) -> object:
        return plain_number(value) if isinstance(value, Decimal) else value


class PlanForm(CrispyForm):
    title = forms.CharField(
        label="Tên kế hoạch", max_length=255, initial="Chỉ tiêu theo Nghị quyết năm"
    )
    start_year = forms.IntegerField(label="Từ năm", min_value=2000, max_value=2100)
    end_year = forms.IntegerField(label="Đến năm", min_value=2000, max_value=2100)
    resolution = forms.CharField(
        label="Nghị quyết thông qua", max_length=255, required=False
    )

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if (
            data.get("start_year")
            and data.get("end_year")
            and data["end_year"] < data["start_year"]
        ):
            self.add_error("end_year", "Năm kết thúc phải sau năm bắt đầu.")
        return data


class TargetForm(CrispyForm):
    group = forms.CharField(
        label="Nhóm chỉ tiêu", max_length=255, initial="Chỉ tiêu về công tác chuyên môn"
    )
    order = forms.IntegerField(label="Thứ tự", min_value=0, required=False)
    parent = forms.ModelChoiceField(
        label="Thuộc chỉ tiêu (trong đó)",
        queryset=Target.objects.none(),
        required=False,
    )
    wording = forms.CharField(
        label="Nội dung như nghị quyết", widget=forms.Textarea(attrs={"rows": 2})
    )
    label = forms.CharField(label="Tên ngắn", max_length=160)
    unit = forms.CharField(label="Đơn vị", max_length=40, required=False)
    kind = forms.ChoiceField(
        label="Loại chỉ tiêu", choices=[(k.value, k.label) for k in calc.Kind]
    )
    comparator = forms.ChoiceField(
        label="Điều kiện đạt", choices=[(c.value, c.label) for c in calc.Comparator]
    )
    plan_value = VietnameseDecimalField(label="Kế hoạch", required=False)
    plan_high = VietnameseDecimalField(
        label="Cận trên (chỉ tiêu trong khoảng)", required=False
    )
    places = forms.IntegerField(
        label="Số chữ số thập phân khi hiển thị",
        min_value=0,
        max_value=4,
        required=False,
    )
    source = forms.ChoiceField(label="Nguồn số liệu", choices=Source.choices)
    report_phrase = forms.CharField(
        label="Câu báo cáo (tùy chọn)",
        max_length=500,
        required=False,
        help_text=(
            "Chỗ điền: {thuc_hien} {ke_hoach} {ty_le} {quy_nay} {luy_ke} {don_vi} "
            "{nam_truoc}. Ví dụ: Có {thuc_hien}/{ke_hoach} lao động được giải quyết "
            "việc làm, đạt {ty_le} so với kế hoạch"
        ),
    )

    def __init__(
        self, *args: object, plan: Plan, target: Target | None = None, **kwargs: object
    ) -> None:
        if target is not None:
            kwargs.setdefault(
                "initial",
                {
                    "group": target.group.name,
                    "order": target.order,
                    "parent": target.parent,
                    "wording": target.wording,
                    "label": target.label,
                    "unit": target.unit,
                    "kind": target.kind,
                    "comparator": target.comparator,
                    "plan_value": target.plan_value,
                    "plan_high": target.plan_high,
                    "places": target.places,
                    "source": target.source,
                    "report_phrase": target.report_phrase,
                },
            )
        super().__init__(*args, **kwargs)
        parents = plan.targets.filter(parent__isnull=True)
        if target is not None:
            parents = parents.exclude(pk=target.pk)
        self.fields["parent"].queryset = parents
