"""The committee's dashboard, its Excel copy and the "rebuild the roll-ups" button.

Query parameters (the page, its export and the rebuild redirect share them):
``nam`` (year), ``quy`` (1–4), ``co_so`` (``da_duyet``: approved sheets only,
``da_gui``: submitted ones too), ``pham_vi`` (comparisons restated to today's
scope, ``hien_tai``, or on the tree as it was, ``khi_do``) and ``chi_tieu`` (the
target the trend chart opens on).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from organizations import selectors as org_selectors
from organizations.models import Organization
from targets import dashboard as dash
from targets import rollups, term
from targets.dashboard import memo
from targets.models import RollupBasis
from targets.workbook import XLSX_CONTENT_TYPE

CHILDREN_TEMPLATE = "targets/_partials/dashboard_children.html"
BASIS_PARAMS = {"da_duyet": RollupBasis.APPROVED, "da_gui": RollupBasis.SUBMITTED}
SCOPE_PARAMS = {"hien_tai": dash.ScopeMode.CURRENT, "khi_do": dash.ScopeMode.THEN}
BASIS_CHOICES = (
    ("da_duyet", "Chỉ báo cáo đã duyệt"),
    ("da_gui", "Kể cả báo cáo đã gửi"),
)
SCOPE_CHOICES = (
    ("hien_tai", "Theo phạm vi hiện nay"),
    ("khi_do", "Theo cây tổ chức khi đó"),
)


@dataclass(frozen=True)
class Params:
    year: int
    quarter: int
    basis: str  # RollupBasis value
    scope_mode: str  # ScopeMode value
    trend: int | None = None

    @property
    def basis_param(self) -> str:
        return next(k for k, v in BASIS_PARAMS.items() if v == self.basis)

    @property
    def scope_param(self) -> str:
        return next(k for k, v in SCOPE_PARAMS.items() if v == self.scope_mode)

    def query(self) -> str:
        return urlencode(
            {
                "nam": self.year,
                "quy": self.quarter,
                "co_so": self.basis_param,
                "pham_vi": self.scope_param,
            }
        )


def read_params(data: QueryDict, organization: Organization) -> Params:
    """The period and toggles asked for; a missing or bad value takes its default."""
    today = timezone.localdate()
    raw_year, raw_quarter = data.get("nam", ""), data.get("quy", "")
    if raw_year.isdigit() and 2000 <= int(raw_year) <= today.year + 1:
        year = int(raw_year)
        quarter = dash.default_quarter(year, today)
    else:
        year, quarter = dash.default_period(organization=organization, today=today)
    if raw_quarter in ("1", "2", "3", "4"):
        quarter = int(raw_quarter)
    raw_trend = data.get("chi_tieu", "")
    return Params(
        year=year,
        quarter=quarter,
        basis=BASIS_PARAMS.get(data.get("co_so", ""), RollupBasis.APPROVED),
        scope_mode=SCOPE_PARAMS.get(data.get("pham_vi", ""), dash.ScopeMode.CURRENT),
        trend=int(raw_trend) if raw_trend.isdigit() else None,
    )


@dataclass(frozen=True)
class ChildLinks:
    """A row of the subordinates' table with its links, as the template writes it."""

    public_id: str
    name: dash.Cell
    figures: list[dash.Cell]
    dashboard_url: str  # its own dashboard, same period and toggles
    link_url: str  # its quarter's sheet if it reports one, else its page
    link_text: str


def child_links(view: dash.Dashboard, params: Params) -> list[ChildLinks]:
    """The table's rows with their links. Each URL pattern is reversed once, with
    a placeholder id replaced per row (at bloc scale, 240 reversals cost 5 ms)."""
    placeholder = "00000000-0000-0000-0000-000000000000"

    def pattern(name: str, *args: object) -> str:
        return reverse(name, args=(placeholder, *args))

    drill = pattern("targets:dashboard") + "?" + params.query()
    sheet = pattern("targets:sheet", view.year, view.quarter)
    detail = pattern("organizations:detail")
    rows = []
    for child in view.children:
        public_id = str(child.organization.public_id)
        rows.append(
            ChildLinks(
                public_id=public_id,
                name=child.cells[0],
                figures=child.cells[1:],
                dashboard_url=drill.replace(placeholder, public_id),
                link_url=(sheet if child.reports else detail).replace(
                    placeholder, public_id
                ),
                link_text="Báo cáo quý" if child.reports else "Trang tổ chức",
            )
        )
    return rows


def _read(organization: Organization, params: Params) -> dash.Dashboard:
    return dash.dashboard_view(
        organization=organization,
        year=params.year,
        quarter=params.quarter,
        basis=params.basis,
        scope_mode=params.scope_mode,
    )


@login_required
@require_GET
def dashboard(request: HttpRequest, public_id: str) -> HttpResponse:
    organization = org_selectors.organization_for_dashboard(
        user=request.user, public_id=public_id
    )
    params = read_params(request.GET, organization)
    view = _read(organization, params)
    scope = org_selectors.user_scope(request.user)
    parent = organization.parent
    today = timezone.localdate()
    child_rows = child_links(view, params)
    context = {
        "organization": organization,
        "dash": view,
        "params": params,
        "query": params.query(),
        "cards": view.cards(),
        "charts": view.chart_data(trend_target=params.trend),
        "target_headers": dash.Dashboard.TARGET_HEADERS,
        "target_rows": [(row, dash.Dashboard.target_cells(row)) for row in view.rows],
        "child_rows": child_rows,
        # The rows' HTML is kept in the cache under a digest of the rows and of
        # the template (.memo): 120 rows were a tenth of the page's time.
        "child_rows_key": memo.digest(
            get_template(CHILDREN_TEMPLATE).template.source, repr(child_rows)
        ),
        "memo_timeout": memo.TIMEOUT,
        "parent": parent
        if parent is not None and scope.can_see_dashboard(parent)
        else None,
        "has_term": bool(term.term_plans(organization=organization)),
        "can_write": scope.can_write_organization(organization),
        "can_rebuild": view.mode == "committee"
        and scope.can_write_organization(rollups.root_of(organization)),
        "years": sorted(
            {*range(today.year - 5, today.year + 1), params.year}, reverse=True
        ),
        "quarters": (1, 2, 3, 4),
        "basis_choices": BASIS_CHOICES,
        "scope_choices": SCOPE_CHOICES,
    }
    return render(request, "targets/dashboard.html", context)


@login_required
@require_GET
def dashboard_export(request: HttpRequest, public_id: str) -> HttpResponse:
    organization = org_selectors.organization_for_dashboard(
        user=request.user, public_id=public_id
    )
    view = _read(organization, read_params(request.GET, organization))
    response = HttpResponse(dash.dashboard_export(view), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=dash.export_filename(view)
    )
    return response


@login_required
@require_POST
def rollup_rebuild(request: HttpRequest, public_id: str) -> HttpResponse:
    """Rebuild the roll-ups of the dashboard's tree for the year. It recomputes
    the whole tree, so only the office (or admin) of its top committee may ask."""
    organization = org_selectors.organization_get_for_user(
        user=request.user, public_id=public_id, write=True
    )
    root = rollups.root_of(organization)
    if not org_selectors.user_scope(request.user).can_write_organization(root):
        raise PermissionDenied(
            f"Chỉ văn phòng {root.name} được tổng hợp lại số liệu của cả đảng bộ."
        )
    params = read_params(request.POST, organization)
    rollups.rollup_schedule_rebuild(roots=[root], years=[params.year])
    messages.success(
        request,
        f"Đã yêu cầu tổng hợp lại số liệu năm {params.year} của {root.name}. "
        "Số liệu mới hiện ra sau khi tổng hợp xong (thường dưới một phút).",
    )
    url = reverse("targets:dashboard", kwargs={"public_id": organization.public_id})
    return redirect(f"{url}?{params.query()}")


__all__ = ["Params", "dashboard", "dashboard_export", "read_params", "rollup_rebuild"]
