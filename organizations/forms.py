from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.utils import timezone

from organizations.models import (
    EventKind,
    Grade,
    Organization,
    OrganizationKind,
    OrganizationLevel,
    Sex,
)
from partyreports.formatting import nfc

DATE_WIDGET = {"type": "date"}


def _date_field(
    label: str, *, required: bool = True, initial: Callable[[], dt.date] | None = None
) -> forms.DateField:
    """A date input; `initial` is a callable (timezone.localdate), read when a
    form is shown, not when the server started."""
    return forms.DateField(
        label=label,
        required=required,
        initial=initial,
        widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
        error_messages={"invalid": "Ngày không hợp lệ (dd/mm/yyyy)."},
    )


NULL_CHARACTER = "Có ký tự không hợp lệ (ký tự NUL); hãy xóa rồi gõ lại."
# Django's own message is not translated into Vietnamese.
_NO_NULL = ProhibitNullCharactersValidator(message=NULL_CHARACTER)


class _StoredLengthValidator(MaxLengthValidator):
    """Counts the length the services store: text in NFC, where a few letters
    (Devanagari U+0958, for one) become two code points and would overflow the
    column on PostgreSQL."""

    def clean(self, x: str) -> int:
        return len(nfc(x))


def _as_stored(validator: object) -> object:
    if isinstance(validator, ProhibitNullCharactersValidator):
        return _NO_NULL
    if type(validator) is MaxLengthValidator:
        return _StoredLengthValidator(validator.limit_value)
    return validator


class CrispyForm(forms.Form):
    """Every form of the app: a submit button, and text checked as it will be
    stored (no NUL, which PostgreSQL refuses; the length in NFC)."""

    submit_label = "Lưu"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", self.submit_label))
        for form_field in self.fields.values():
            form_field.validators = [_as_stored(v) for v in form_field.validators]
            if isinstance(form_field, forms.ModelMultipleChoiceField):
                # Django's Vietnamese catalogue lacks this one.
                form_field.error_messages["invalid_pk_value"] = (
                    "“%(pk)s” không phải là lựa chọn hợp lệ."
                )
            if isinstance(form_field, forms.ModelChoiceField):
                # It checks the submitted id with a validator of its own.
                form_field.validate_no_null_characters = (  # type: ignore[method-assign]
                    _NO_NULL
                )


class OrganizationForm(CrispyForm):
    name = forms.CharField(label="Tên tổ chức", max_length=255)
    short_name = forms.CharField(
        label="Ký hiệu trên văn bản", max_length=20, required=False
    )
    level = forms.ModelChoiceField(
        label="Cấp", queryset=OrganizationLevel.objects.all()
    )
    kind = forms.ChoiceField(label="Loại hình", choices=OrganizationKind.choices)
    code = forms.CharField(label="Mã tổ chức", max_length=40, required=False)
    superior_name = forms.CharField(
        label="Cơ quan cấp trên trực tiếp (đầu văn bản)", max_length=255, required=False
    )
    founded_on = _date_field("Ngày thành lập", initial=timezone.localdate)


class OrganizationEditForm(CrispyForm):
    name = forms.CharField(label="Tên tổ chức", max_length=255)
    short_name = forms.CharField(
        label="Ký hiệu trên văn bản", max_length=20, required=False
    )
    kind = forms.ChoiceField(label="Loại hình", choices=OrganizationKind.choices)
    code = forms.CharField(label="Mã tổ chức", max_length=40, required=False)
    superior_name = forms.CharField(
        label="Cơ quan cấp trên trực tiếp (đầu văn bản)", max_length=255, required=False
    )


class OrganizationMoveForm(CrispyForm):
    submit_label = "Chuyển"
    new_parent = forms.ModelChoiceField(
        label="Chuyển về trực thuộc", queryset=Organization.objects.none()
    )
    on_date = _date_field("Từ ngày", initial=timezone.localdate)

    def __init__(self, *args: object, parents: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = parents


class OrganizationDissolveForm(CrispyForm):
    submit_label = "Giải thể"
    on_date = _date_field("Ngày giải thể", initial=timezone.localdate)
    merged_into = forms.ModelChoiceField(
        label="Sáp nhập vào (nếu có)",
        queryset=Organization.objects.none(),
        required=False,
    )

    def __init__(self, *args: object, targets: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["merged_into"].queryset = targets


class HandoverForm(CrispyForm):
    """One act: each organisation of the committee gets its own new parent
    (one select per organisation; left empty, it stays)."""

    submit_label = "Ghi nhận bàn giao"
    effective_on = _date_field("Ngày hiệu lực", initial=timezone.localdate)
    decision = forms.CharField(
        label="Căn cứ (quyết định)", max_length=255, required=False
    )
    note = forms.CharField(
        label="Ghi chú", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(
        self,
        *args: object,
        destinations: Sequence[tuple[Organization, Sequence[Organization]]],
        **kwargs: object,
    ) -> None:
        """`destinations`: each organisation that may be handed over, with the
        organisations it may be handed to."""
        super().__init__(*args, **kwargs)
        self.destinations = {
            f"to_{org.pk}": (org, {str(p.pk): p for p in parents})
            for org, parents in destinations
        }
        for name, (org, parents) in self.destinations.items():
            self.fields[name] = forms.ChoiceField(
                label=f"{org.name} – bàn giao về",
                choices=[("", "— giữ nguyên —")]
                + [(pk, parent.name) for pk, parent in parents.items()],
                required=False,
            )
        self.order_fields([*self.destinations, "effective_on", "decision", "note"])

    def clean(self) -> dict[str, object]:
        data = super().clean()
        moves = [
            (org, parents[data[name]])
            for name, (org, parents) in self.destinations.items()
            if data.get(name)
        ]
        if not moves and not self.errors:
            raise forms.ValidationError("Chọn nơi nhận cho ít nhất một tổ chức.")
        data["moves"] = moves
        return data


class MemberForm(CrispyForm):
    full_name = forms.CharField(label="Họ và tên", max_length=120)
    sex = forms.ChoiceField(label="Giới tính", choices=Sex.choices)
    date_of_birth = _date_field("Ngày sinh")
    ethnicity = forms.CharField(label="Dân tộc", max_length=60, initial="Kinh")
    party_card_number = forms.CharField(
        label="Số thẻ đảng viên", max_length=30, required=False
    )


class MemberCreateForm(MemberForm):
    organization = forms.ModelChoiceField(
        label="Chi bộ", queryset=Organization.objects.none()
    )
    arrival = forms.ChoiceField(
        label="Hình thức",
        choices=[
            (EventKind.ADMISSION, "Kết nạp mới"),
            (EventKind.TRANSFER_IN, "Chuyển sinh hoạt đến"),
        ],
    )
    admitted_on = _date_field("Ngày vào Đảng")
    full_member_on = _date_field("Ngày chính thức", required=False)
    joined_on = _date_field("Ngày chuyển đến (nếu chuyển đến)", required=False)

    def __init__(self, *args: object, cells: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = cells


class MemberEventForm(CrispyForm):
    submit_label = "Ghi nhận"
    kind = forms.ChoiceField(
        label="Sự kiện",
        choices=[
            (k.value, k.label)
            for k in EventKind
            if k not in (EventKind.ADMISSION, EventKind.TRANSFER_IN)
        ],
    )
    occurred_on = _date_field("Ngày", initial=timezone.localdate)
    target_organization = forms.ModelChoiceField(
        label="Chuyển đến chi bộ (trong hệ thống)",
        queryset=Organization.objects.none(),
        required=False,
    )
    destination = forms.CharField(
        label="Nơi chuyển đến (ngoài hệ thống)", max_length=255, required=False
    )
    badge_years = forms.IntegerField(
        label="Huy hiệu (năm tuổi Đảng)", required=False, min_value=1, max_value=90
    )
    note = forms.CharField(label="Ghi chú", max_length=255, required=False)

    def __init__(self, *args: object, cells: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target_organization"].queryset = cells


class MemberEventEditForm(CrispyForm):
    """Correcting an event: its date (for kết nạp and công nhận chính thức, the
    member's dates) and its note."""

    occurred_on = _date_field("Ngày")
    note = forms.CharField(label="Ghi chú", max_length=255, required=False)

    def __init__(self, *args: object, kind: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        labels = {
            EventKind.ADMISSION: "Ngày kết nạp (ngày vào Đảng)",
            EventKind.FULL_MEMBERSHIP: "Ngày công nhận chính thức",
        }
        self.fields["occurred_on"].label = labels.get(kind, "Ngày")


GRADE_CHOICES = [("", "— chưa xếp loại —"), *Grade.choices]


class AsOfForm(forms.Form):
    """The "as of" date of tree and counts pages, read from ?ngay=."""

    ngay = forms.DateField(required=False, input_formats=["%Y-%m-%d", "%d/%m/%Y"])

    def day(self) -> dt.date:
        if self.is_valid() and self.cleaned_data.get("ngay"):
            return self.cleaned_data["ngay"]
        return timezone.localdate()
