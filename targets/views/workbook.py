"""Excel round trip of the quarterly sheet (placeholder, being written)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_POST

from targets import selectors


@login_required
@require_GET
def sheet_download(request: HttpRequest, public_id: str, year: int, quarter: int) -> HttpResponse:
    selectors.organization_for_sheet(user=request.user, public_id=public_id)
    return HttpResponse(status=501)


@login_required
@require_POST
def sheet_upload(request: HttpRequest, public_id: str, year: int, quarter: int) -> HttpResponse:
    selectors.organization_for_sheet(user=request.user, public_id=public_id, write=True)
    return HttpResponse(status=501)
