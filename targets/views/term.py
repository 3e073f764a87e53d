"""The term page: the congress resolution's targets year by year, and the forecast."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from organizations import selectors as org_selectors
from targets import term as term_selectors


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
@require_GET
def term(request: HttpRequest, public_id: str) -> HttpResponse:
    organization = org_selectors.organization_for_dashboard(
        user=request.user, public_id=public_id
    )
    try:
        view = term_selectors.term_view(
            organization=organization,
            plan_id=request.GET.get("nhiem_ky") or None,
            year=_int(request.GET.get("nam")),
            quarter=_int(request.GET.get("quy")),
        )
    except LookupError as exc:
        raise Http404(str(exc)) from exc
    return render(
        request,
        "targets/term.html",
        {"organization": organization, "view": view, "quarters": range(1, 5)},
    )
