"""The words the dashboard shows and the fixed sets its reading uses."""

from __future__ import annotations

import enum

from targets import calculations as calc
from targets.models import RollupBasis, SheetStatus


class ScopeMode(enum.StrEnum):
    """Which tree a comparison with an earlier period is computed on."""

    CURRENT = "current"  # restated: today's organisations, their figures back then
    THEN = "then"  # the organisations that were in the subtree at the time


SCOPE_SENTENCES = {
    ScopeMode.CURRENT: "Số liệu so sánh tính theo phạm vi hiện nay",
    ScopeMode.THEN: "Số liệu so sánh tính theo cây tổ chức tại thời điểm đó",
}
BASIS_TEXTS = {
    RollupBasis.APPROVED: "Chỉ tính báo cáo đã duyệt",
    RollupBasis.SUBMITTED: "Tính cả báo cáo đã gửi, chưa duyệt",
}
NOT_STARTED = "not_started"
#: Sheet states in the order a quarter goes through them, with the page's words.
COMPLETENESS_LABELS = {
    NOT_STARTED: "Chưa nhập",
    SheetStatus.DRAFT: "Đang nhập",
    SheetStatus.SUBMITTED: "Đã gửi",
    SheetStatus.RETURNED: "Bị trả lại",
    SheetStatus.APPROVED: "Đã duyệt",
}
#: Where each state sorts in the subordinates' table.
COMPLETENESS_ORDER = {key: i for i, key in enumerate(COMPLETENESS_LABELS)}
QUARTER_NAMES = ("Quý I", "Quý II", "Quý III", "Quý IV")
#: Kinds whose plans add up over the organisations they were given to.
ADDITIVE_KINDS = frozenset(
    {calc.Kind.COUNT, calc.Kind.DONE_OF_PLANNED, calc.Kind.PER_YEAR}
)
DASH = "–"
