"""The committee's dashboard (being written)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_POST

from organizations import selectors as org_selectors


@login_required
@require_GET
def dashboard(request: HttpRequest, public_id: str) -> HttpResponse:
    org_selectors.organization_for_dashboard(user=request.user, public_id=public_id)
    return HttpResponse("")


@login_required
@require_GET
def dashboard_export(request: HttpRequest, public_id: str) -> HttpResponse:
    org_selectors.organization_for_dashboard(user=request.user, public_id=public_id)
    return HttpResponse("")


@login_required
@require_POST
def rollup_rebuild(request: HttpRequest, public_id: str) -> HttpResponse:
    org_selectors.organization_get_for_user(user=request.user, public_id=public_id, write=True)
    return HttpResponse("")
