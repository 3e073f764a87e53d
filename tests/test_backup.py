"""Backup and restore: data made by the services, backed up, the instance emptied
(rows flushed, files deleted), restored and compared; refusals of a busy
instance and of a tampered archive."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from organizations.models import Member, Organization, Role
from partyreports.backup import _dumpdata_exclude, backup_models
from reports.models import Document, Rendering
from targets.models import Result
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def _counts() -> dict[str, int]:
    return {
        model._meta.label_lower: model._base_manager.count()
        for model in backup_models()
    }


def _snapshot() -> dict[str, object]:
    issued = Document.objects.get(status="issued")
    return {
        "counts": _counts(),
        "organizations": sorted(Organization.objects.values_list("name", "path")),
        "members": sorted(
            Member.objects.values_list("full_name", "organization__path")
        ),
        "results": sorted(
            Result.objects.values_list(
                "sheet__organization__path", "sheet__quarter", "target__label", "value"
            )
        ),
        "issued": (issued.public_id, issued.number, issued.symbol, issued.pdf.name),
        "issued_pdf_sha256": issued.pdf_sha256,
        "roles": sorted(
            apps.get_model("organizations.RoleAssignment").objects.values_list(
                "user__username", "organization__path", "role"
            )
        ),
    }


def _empty_instance(files: list[str]) -> None:
    """A fresh instance: no rows but what migrate writes, none of the files."""
    call_command("flush", interactive=False, verbosity=0)
    for name in files:
        default_storage.delete(name)


def _stored_files() -> list[str]:
    names = [d.pdf.name for d in Document.objects.exclude(pdf="")]
    names += [r.file.name for r in Rendering.objects.exclude(file="")]
    return names


def test_it_restores_a_backup_into_an_empty_instance(
    world, plan_world, cadre, leader, tmp_path: Path
) -> None:  # noqa: ANN001
    issued = world.issued_document
    pdf_bytes = issued.pdf.read()
    issued.pdf.close()
    assert hashlib.sha256(pdf_bytes).hexdigest() == issued.pdf_sha256
    rendering_bytes = world.rendering.file.read()
    world.rendering.file.close()
    before = _snapshot()
    files = _stored_files()
    assert len(files) == 2

    archive = tmp_path / "backup.tar.gz"
    out = io.StringIO()
    call_command("backup", out=str(archive), stdout=out)
    assert "Đã sao lưu" in out.getvalue()
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["counts"]["organizations.organization"] == 7
    assert sorted(manifest["files"]) == sorted(
        ["data.json", *(f"media/{name}" for name in files)]
    )

    _empty_instance(files)
    assert not Organization.objects.exists()
    assert not any(default_storage.exists(name) for name in files)

    out = io.StringIO()
    call_command("restore", str(archive), stdout=out)
    assert "Đã khôi phục" in out.getvalue()

    assert _snapshot() == before
    issued = Document.objects.get(public_id=issued.public_id)
    with issued.pdf.open("rb") as stream:
        restored_pdf = stream.read()
    assert restored_pdf == pdf_bytes
    assert hashlib.sha256(restored_pdf).hexdigest() == issued.pdf_sha256
    rendering = Rendering.objects.get(public_id=world.rendering.public_id)
    with rendering.file.open("rb") as stream:
        assert stream.read() == rendering_bytes
    # The restored users log in with their old passwords.
    user_model = apps.get_model("auth.User")
    assert user_model.objects.get(username=cadre.username).check_password("pw-Test-123")


# --- into a second, empty, never-migrated instance -----------------------------

ROOT = Path(__file__).resolve().parent.parent
_ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?"
)


def _normalised(value: object) -> object:
    """A dump as comparable data: timestamps as one UTC form (SQLite and
    PostgreSQL may write them differently), objects in a stable order."""
    if isinstance(value, dict):
        return {key: _normalised(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [_normalised(item) for item in value]
        if all(isinstance(item, dict) and "model" in item for item in items):
            items.sort(key=lambda item: json.dumps(item, sort_keys=True))
        return items
    if isinstance(value, str) and _ISO_DATETIME.fullmatch(value):
        moment = dt.datetime.fromisoformat(value)
        if moment.tzinfo is not None:
            moment = moment.astimezone(dt.UTC)
        return moment.isoformat(timespec="microseconds")
    return value


def _dumpdata_args() -> list[str]:
    return [
        "--natural-foreign",
        "--natural-primary",
        *(f"--exclude={label}" for label in _dumpdata_exclude()),
    ]


def _second_instance(data_dir: Path, *args: str) -> str:
    """Run manage.py on an instance of its own: SQLite in `data_dir`, whatever
    database this test run uses."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"}
    }
    env |= {
        "DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "partyreports.settings_test",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_a_restore_into_a_new_empty_database_holds_exactly_what_was_backed_up(
    world, plan_world, cadre, leader, tmp_path: Path
) -> None:  # noqa: ANN001
    """Backed up here (SQLite, or PostgreSQL in the real run), restored by
    `manage.py restore` into a second instance whose database does not exist
    yet: every row of every model, dumped again, is the same, and so is every
    stored file."""
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", out=str(archive), stdout=io.StringIO())
    here = io.StringIO()
    call_command(
        "dumpdata",
        natural_foreign=True,
        natural_primary=True,
        exclude=_dumpdata_exclude(),
        stdout=here,
        verbosity=0,
    )
    expected = _normalised(json.loads(here.getvalue()))
    files = {}
    for name in _stored_files():
        with default_storage.open(name) as stream:
            files[name] = stream.read()
    second = tmp_path / "second"
    assert not (second / "db.sqlite3").exists()

    out = _second_instance(second, "restore", str(archive))
    restored = _normalised(
        json.loads(_second_instance(second, "dumpdata", *_dumpdata_args()))
    )

    assert "Đã khôi phục" in out
    assert {obj["model"] for obj in expected} >= {
        "organizations.organization",
        "organizations.member",
        "targets.result",
        "reports.document",
        "partyreports.auditevent",
        "auth.user",
    }
    missing = [obj for obj in expected if obj not in restored]
    extra = [obj for obj in restored if obj not in expected]
    assert (missing, extra) == ([], [])
    assert len(restored) == len(expected)
    for name, content in files.items():
        assert (second / "test-media" / name).read_bytes() == content, name


def test_it_refuses_an_instance_that_holds_data(world, tmp_path: Path) -> None:  # noqa: ANN001
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", out=str(archive), stdout=io.StringIO())
    before = _counts()

    with pytest.raises(CommandError, match="empty instance"):
        call_command("restore", str(archive), stdout=io.StringIO())

    assert _counts() == before


def test_it_refuses_a_tampered_archive(world, tmp_path: Path) -> None:  # noqa: ANN001
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", out=str(archive), stdout=io.StringIO())
    issued_name = world.issued_document.pdf.name
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w:gz") as target:
        for member in source:
            content = source.extractfile(member).read()
            if member.name == f"media/{issued_name}":
                content = content.replace(b"issued", b"forged")
            member.size = len(content)
            target.addfile(member, io.BytesIO(content))
    files = _stored_files()
    _empty_instance(files)

    with pytest.raises(CommandError, match="SHA-256"):
        call_command("restore", str(tampered), stdout=io.StringIO())

    assert not Organization.objects.exists()
    assert not any(default_storage.exists(name) for name in files)
    # The untouched archive still restores.
    call_command("restore", str(archive), stdout=io.StringIO())
    assert Organization.objects.count() == 7


def test_it_backs_up_users_with_their_roles(world, tmp_path: Path) -> None:  # noqa: ANN001
    make_user("office_x", role=Role.OFFICE, organization=world.grassroots_a)
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", out=str(archive), stdout=io.StringIO())
    with tarfile.open(archive) as tar:
        data = json.load(tar.extractfile("data.json"))
    users = [obj for obj in data if obj["model"] == "auth.user"]
    # Natural keys: no user ids in the dump, usernames instead.
    assert users and all("pk" not in obj for obj in users)
    assert not any(obj["model"] == "contenttypes.contenttype" for obj in data)


def test_it_refuses_an_archive_that_writes_outside_its_folder(
    world, tmp_path: Path
) -> None:  # noqa: ANN001
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("media/../../evil.txt")
        info.size = 4
        tar.addfile(info, io.BytesIO(b"evil"))
    _empty_instance(_stored_files())

    with pytest.raises(CommandError, match="không hợp lệ"):
        call_command("restore", str(archive), stdout=io.StringIO())

    assert not (tmp_path.parent / "evil.txt").exists()
    assert not Organization.objects.exists()
