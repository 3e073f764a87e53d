"""Excel import of organisations and members (placeholder, being written)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from organizations import selectors


@login_required
def import_upload(request: HttpRequest, public_id: str) -> HttpResponse:
    selectors.organization_get_for_user(user=request.user, public_id=public_id, write=True)
    return HttpResponse(status=501)


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=501)
