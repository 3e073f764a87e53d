"""What the dashboard page shows: its cells, cards and rows, and the Dashboard
that holds them with the texts both the page and the Excel copy are written
from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from organizations import selectors as org_selectors
from organizations.models import Grade, Organization
from partyreports.formatting import format_date, format_number, format_percent
from targets import calculations as calc
from targets import selectors
from targets.dashboard import charts
from targets.dashboard.labels import (
    BASIS_TEXTS,
    COMPLETENESS_LABELS,
    DASH,
    NOT_STARTED,
    SCOPE_SENTENCES,
    ScopeMode,
)
from targets.models import Plan, RollupBasis, RollupState, SheetStatus, Target


@dataclass(frozen=True)
class Cell:
    """One table cell: its text, the key the sortable table sorts by, and the
    number behind it as the text shows it (written to Excel as a number, in
    `number_format`: a share as 0.738 in "0.0%")."""

    text: str
    sort: str | int | float | None = None
    number: int | Decimal | None = None
    number_format: str = "#,##0"

    @property
    def sort_key(self) -> str | int | float:
        return self.text if self.sort is None else self.sort


def count_cell(n: int | None) -> Cell:
    if n is None:
        return Cell(DASH, sort=-1)
    return Cell(format_number(n), sort=n, number=n)


@dataclass(frozen=True)
class Card:
    key: str
    title: str
    value: str
    detail: str = ""
    number: int | None = None  # the value as a number, for Excel


@dataclass
class TargetRow:
    target: Target  # with the plan value that applies here (a copy's, or a sum)
    to_date: calc.Figures
    evaluation: calc.Evaluation
    is_sub: bool = False
    counted: bool = True  # in the "04/06 chỉ tiêu đạt" count (sub-targets are not)
    explanation: str = ""

    @property
    def label(self) -> str:
        return f"trong đó: {self.target.label}" if self.is_sub else self.target.label

    @property
    def plan_text(self) -> str:
        return selectors.plan_text(self.target)

    @property
    def done_text(self) -> str:
        """The year-to-date figure, with its numerator and denominator for ratios."""
        text = self.evaluation.measure_text
        figures = self.to_date
        if not text:
            return DASH
        if (
            self.target.uses_ratio
            and figures.numerator is not None
            and figures.denominator is not None
        ):
            return f"{text} ({_plain(figures.numerator)}/{_plain(figures.denominator)})"
        if self.target.kind == calc.Kind.BASE_SHARE and self.evaluation.spec.base:
            return (
                f"{text} ({_plain(figures.value)}/{_plain(self.evaluation.spec.base)})"
            )
        return text

    @property
    def attainment_text(self) -> str:
        return self.evaluation.attainment_text or DASH

    @property
    def verdict_text(self) -> str:
        return selectors.verdict_text(self.evaluation.verdict)


@dataclass
class ChildRow:
    organization: Organization
    cells: list[Cell]
    reports: bool = False  # was given targets: has a quarterly sheet to fill
    status: str | None = None  # the quarter's sheet status; NOT_STARTED if none


@dataclass
class Dashboard:
    organization: Organization
    year: int
    quarter: int
    basis: str
    scope_mode: str
    day: dt.date  # membership "as of": the quarter's end, or today
    mode: str  # committee / own / none
    plan: Plan | None
    rows: list[TargetRow]
    verdicts: calc.VerdictCounts | None
    reporting: int | None  # organisations whose sheet counts in the quarter (committee)
    child_headers: list[str]
    children: list[ChildRow]
    members: org_selectors.MemberCounts
    members_start: int
    admissions: int
    admissions_row: TargetRow | None  # the committee's admissions target, if any
    admissions_evaluation: calc.Evaluation | None
    completeness: dict[str, int]
    own_status: str | None
    ratings: org_selectors.RatingCounts
    kinds: list[tuple[str, int]]
    trend: list[charts.TrendSeries]
    state: RollupState | None

    # -- header -----------------------------------------------------------------------

    @property
    def period_text(self) -> str:
        return f"Quý {self.quarter}/{self.year}"

    @property
    def basis_text(self) -> str:
        return BASIS_TEXTS[RollupBasis(self.basis)]

    @property
    def scope_sentence(self) -> str:
        return SCOPE_SENTENCES[ScopeMode(self.scope_mode)]

    @property
    def scope_detail(self) -> str:
        if self.scope_mode == ScopeMode.THEN:
            return (
                f"Năm {self.year - 1}: các tổ chức trực thuộc ngày "
                f"31/12/{self.year - 1}; "
                f"đảng viên đầu năm: theo cây tổ chức ngày 01/01/{self.year}."
            )
        return (
            f"Năm {self.year - 1} và ngày 01/01/{self.year}: số liệu của các tổ chức "
            "hiện trực thuộc, kể cả tổ chức mới chuyển đến."
        )

    @property
    def updated_text(self) -> str:
        if self.mode != "committee":
            return "Số liệu đọc trực tiếp từ báo cáo quý của tổ chức."
        state = self.state
        moments = (
            [m for m in (state.last_update_at, state.last_full_at) if m]
            if state
            else []
        )
        if not moments:
            return f"Chưa tổng hợp số liệu năm {self.year}."
        at = timezone.localtime(max(moments))
        return f"Số liệu cập nhật lúc {at:%H:%M} {format_date(at.date())}"

    @property
    def pending_text(self) -> str:
        if self.mode == "committee" and self.state and self.state.pending > 0:
            pending = format_number(self.state.pending)
            return f"Đang cập nhật ({pending} thay đổi chờ xử lý)"
        return ""

    @property
    def reporting_text(self) -> str:
        if self.reporting is None:
            return ""
        which = (
            "đã duyệt" if self.basis == RollupBasis.APPROVED else "đã gửi hoặc đã duyệt"
        )
        return (
            f"Tổng hợp từ báo cáo {which} của {format_number(self.reporting)} tổ chức "
            f"(quý {self.quarter}/{self.year})."
        )

    # -- cards ------------------------------------------------------------------------

    def cards(self) -> list[Card]:
        change = self.members.total - self.members_start
        sign = "+" if change > 0 else ""
        cards = [
            Card(
                "members",
                f"Đảng viên ngày {format_date(self.day)}",
                format_number(self.members.total),
                f"{sign}{format_number(change)} so với 01/01/{self.year}",
                number=self.members.total,
            ),
            Card(
                "admissions",
                f"Kết nạp từ 01/01/{self.year}",
                format_number(self.admissions),
                self._admissions_detail(),
                number=self.admissions,
            ),
        ]
        if self.verdicts is not None:
            cards.append(
                Card(
                    "verdicts",
                    "Chỉ tiêu đạt",
                    self.verdicts.summary_text,
                    self.verdicts.detail_text,
                )
            )
        if self.mode == "committee":
            total = sum(self.completeness.values())
            done = self.completeness.get(
                SheetStatus.SUBMITTED, 0
            ) + self.completeness.get(SheetStatus.APPROVED, 0)
            share = calc.rate_of(done, total)
            cards.append(
                Card(
                    "completeness",
                    f"Báo cáo quý {self.quarter}/{self.year}",
                    f"{format_number(done)}/{format_number(total)}",
                    f"{format_percent(share, 1) if share is not None else DASH} "
                    "tổ chức đã gửi hoặc đã duyệt",
                )
            )
        elif self.mode == "own":
            cards.append(
                Card(
                    "completeness",
                    f"Báo cáo quý {self.quarter}/{self.year}",
                    COMPLETENESS_LABELS[self.own_status or NOT_STARTED],
                )
            )
        return cards

    def _admissions_detail(self) -> str:
        row, evaluation = self.admissions_row, self.admissions_evaluation
        if row is None or evaluation is None:
            return "Từ sổ đảng viên."
        attained = evaluation.attainment_text or DASH
        if row.target.kind == calc.Kind.BASE_SHARE:
            base = evaluation.spec.base
            return (
                f"Bằng {evaluation.measure_text or DASH} số đảng viên đầu năm "
                f"({format_number(base) if base else DASH}); "
                f"kế hoạch {row.plan_text}, đạt {attained}"
            )
        return f"Kế hoạch {row.plan_text}, đạt {attained}"

    # -- tables -----------------------------------------------------------------------

    TARGET_HEADERS = (
        "Chỉ tiêu",
        "Đơn vị",
        "Kế hoạch",
        "Thực hiện (lũy kế)",
        "Tỷ lệ đạt",
        "Đánh giá",
    )

    @staticmethod
    def target_cells(row: TargetRow) -> list[str]:
        return [
            row.label,
            row.target.unit,
            row.plan_text,
            row.done_text,
            row.attainment_text,
            row.verdict_text,
        ]

    @property
    def trend_headers(self) -> tuple[str, str, str]:
        return ("Quý", f"Năm {self.year}", f"Năm {self.year - 1}")

    @property
    def completeness_rows(self) -> list[tuple[str, str, int]]:
        return [
            (key, COMPLETENESS_LABELS[key], n) for key, n in self.completeness.items()
        ]

    @property
    def rating_rows(self) -> list[tuple[str, int, int]]:
        return [
            (
                f"{grade.label} ({grade.value})",
                self.ratings.organizations.get(grade.value, 0),
                self.ratings.members.get(grade.value, 0),
            )
            for grade in Grade
        ]

    # -- charts -----------------------------------------------------------------------

    def chart_data(self, *, trend_target: int | None = None) -> dict:
        """What static/js/dashboard.js draws (read from a json_script block)."""
        return charts.chart_data(self, trend_target=trend_target)


def _plain(value: Decimal | int | None) -> str:
    if value is None:
        return DASH
    return (
        format_number(value, 0)
        if Decimal(value) == int(value)
        else format_number(value, 2)
    )
