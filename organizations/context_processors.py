from __future__ import annotations

from django.http import HttpRequest

from organizations.selectors import user_scope
from partyreports.audit import can_see_audit


def user_scope_context(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"scope_roots": user_scope(user).roots, "can_audit": can_see_audit(user)}
