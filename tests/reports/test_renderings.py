"""Renderings are served only as stored, never stay "running" for ever, and
are rendered by one run at a time."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import socket
import subprocess
import sys

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from reports import services, tasks
from reports.models import Rendering, RenderStatus

pytestmark = pytest.mark.django_db


def _stored(document, content: bytes = b"%PDF-1.7 stored", **fields) -> Rendering:  # noqa: ANN001
    rendering = Rendering.objects.create(
        document=document,
        fmt="pdf",
        status=RenderStatus.DONE,
        sha256=hashlib.sha256(content).hexdigest(),
        **fields,
    )
    rendering.file.save(f"stored-{rendering.pk}.pdf", ContentFile(content), save=True)
    return rendering


def test_a_download_is_served_only_as_stored(client, world, office, caplog):
    client.force_login(office)
    rendering = _stored(world.document)
    url = reverse(
        "reports:rendering_download", kwargs={"public_id": rendering.public_id}
    )
    response = client.get(url)
    assert response.status_code == 200 and response.content == b"%PDF-1.7 stored"

    with open(rendering.file.path, "ab") as handle:
        handle.write(b"tampered")
    with caplog.at_level(logging.ERROR, logger="reports.views"):
        response = client.get(url)
    assert response.status_code == 409
    assert "không khớp mã kiểm tra" in response.content.decode()
    assert f"Rendering {rendering.public_id} does not match its SHA-256" in caplog.text

    os.remove(rendering.file.path)
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="reports.views"):
        response = client.get(url)
    assert response.status_code == 409
    assert (
        f"Rendering {rendering.public_id}: stored file" in caplog.text
        and "missing" in caplog.text
    )


def test_a_missing_issued_pdf_is_refused_and_logged(client, world, office, caplog):
    client.force_login(office)
    document = world.issued_document
    os.remove(document.pdf.path)
    with caplog.at_level(logging.ERROR, logger="reports.views"):
        response = client.get(
            reverse("reports:pdf", kwargs={"public_id": document.public_id})
        )
    assert response.status_code == 409
    assert f"Issued PDF {document.public_id}: stored file" in caplog.text


def test_an_unexpected_error_ends_the_rendering_failed_and_logged(
    world, settings, caplog
):
    # A font that is not installed: the renderer raises ImproperlyConfigured,
    # not a ValidationError.
    settings.DOCUMENT_LAYOUT = {
        **settings.DOCUMENT_LAYOUT,
        "font_family": "NoSuchFont Serif",
    }
    rendering = Rendering.objects.create(document=world.document, fmt="pdf")
    with caplog.at_level(logging.ERROR, logger="reports.services"):
        services.rendering_run(rendering_id=rendering.pk)
    rendering.refresh_from_db()
    assert rendering.status == RenderStatus.FAILED and rendering.finished_at is not None
    assert "Lỗi hệ thống khi tạo bản in" in rendering.error
    assert (
        f"Rendering {rendering.pk} of document {world.document.public_id} failed"
        in caplog.text
    )
    assert "NoSuchFont Serif" in caplog.text  # the traceback


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_only_one_run_renders_a_rendering(world):
    rendering = Rendering.objects.create(document=world.document, fmt="pdf")
    token = services._claim_rendering(rendering.pk)
    assert token and token.startswith(f"{socket.gethostname()}:{os.getpid()}:")
    # A second delivery while this (live) process holds it: not claimed again.
    assert services._claim_rendering(rendering.pk) is None
    services.rendering_run(rendering_id=rendering.pk)
    rendering.refresh_from_db()
    assert (rendering.status, rendering.attempt) == (
        RenderStatus.RUNNING,
        1,
    ) and not rendering.file


@pytest.mark.parametrize(
    ("claimed_by", "age", "runs"),
    [
        (lambda: f"{socket.gethostname()}:{os.getpid()}:live", dt.timedelta(0), False),
        (lambda: f"{socket.gethostname()}:{_dead_pid()}:killed", dt.timedelta(0), True),
        (lambda: "another-host:1:busy", dt.timedelta(minutes=1), False),
        (
            lambda: "another-host:1:gone",
            services.STALE_CLAIM + dt.timedelta(seconds=1),
            True,
        ),
    ],
    ids=[
        "live run here",
        "killed run here",
        "live run elsewhere",
        "run elsewhere past its time",
    ],
)
def test_a_running_rendering_is_taken_over_only_from_a_dead_run(
    world, claimed_by, age, runs
):
    rendering = Rendering.objects.create(
        document=world.document,
        fmt="pdf",
        status=RenderStatus.RUNNING,
        attempt=1,
        claimed_by=claimed_by(),
        claimed_at=timezone.now() - age,
    )
    services.rendering_run(rendering_id=rendering.pk)
    rendering.refresh_from_db()
    if runs:
        assert (rendering.status, rendering.attempt) == (RenderStatus.DONE, 2), (
            rendering.error
        )
        assert rendering.file and rendering.claimed_by.startswith(
            f"{socket.gethostname()}:{os.getpid()}:"
        )
    else:
        assert (rendering.status, rendering.attempt) == (
            RenderStatus.RUNNING,
            1,
        ) and not rendering.file


def test_the_catch_up_sends_again_waiting_and_dead_renderings(world):
    now = timezone.now()
    old = now - services.STALE_CLAIM - dt.timedelta(minutes=1)
    dead = Rendering.objects.create(
        document=world.document,
        fmt="docx",
        status=RenderStatus.RUNNING,
        attempt=1,
        claimed_by="another-host:1:gone",
        claimed_at=old,
    )
    busy = Rendering.objects.create(
        document=world.document,
        fmt="docx",
        status=RenderStatus.RUNNING,
        attempt=1,
        claimed_by="another-host:1:busy",
        claimed_at=now,
    )
    waiting = Rendering.objects.create(document=world.document, fmt="docx")
    Rendering.objects.filter(pk=waiting.pk).update(
        created_at=now - dt.timedelta(minutes=10)
    )
    fresh = Rendering.objects.create(document=world.document, fmt="docx")
    assert tasks.renderings_catch_up() == 2  # run in-process here
    states = {
        r.pk: r.status
        for r in Rendering.objects.filter(
            pk__in=[dead.pk, busy.pk, waiting.pk, fresh.pk]
        )
    }
    assert states == {
        dead.pk: RenderStatus.DONE,
        busy.pk: RenderStatus.RUNNING,
        waiting.pk: RenderStatus.DONE,
        fresh.pk: RenderStatus.PENDING,
    }
