"""Reads and access checks for documents."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from organizations.models import Organization
from organizations.selectors import user_scope
from reports.models import Document, Rendering


def document_get_for_user(
    *, user: AbstractBaseUser | AnonymousUser, public_id: object, write: bool = False
) -> Document:
    """The document if its organisation is in the user's scope (else 404);
    403 to write without an office or admin role there."""
    try:
        document = Document.objects.select_related("organization__parent").get(
            public_id=public_id
        )
    except (Document.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Không tìm thấy văn bản.") from exc
    scope = user_scope(user)
    if not scope.can_read(document.organization):
        raise Http404("Không tìm thấy văn bản.")
    if write and not scope.can_write_organization(document.organization):
        raise PermissionDenied("Chỉ văn phòng cấp ủy được soạn và ban hành văn bản.")
    return document


def rendering_get_for_user(
    *, user: AbstractBaseUser | AnonymousUser, public_id: object
) -> Rendering:
    try:
        rendering = Rendering.objects.select_related("document__organization").get(
            public_id=public_id
        )
    except (Rendering.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Không tìm thấy bản in.") from exc
    if not user_scope(user).can_read(rendering.document.organization):
        raise Http404("Không tìm thấy bản in.")
    return rendering


def documents_of(*, organization: Organization) -> QuerySet[Document]:
    return organization.documents.select_related("organization").order_by(
        "-dated", "-id"
    )
