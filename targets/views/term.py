"""The term view and forecast (being written)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from organizations import selectors as org_selectors


@login_required
@require_GET
def term(request: HttpRequest, public_id: str) -> HttpResponse:
    org_selectors.organization_for_dashboard(user=request.user, public_id=public_id)
    return HttpResponse("")
