"""Backup and restore of a whole instance: the database and its stored files.

An archive (tar.gz) holds

* ``data.json`` — Django's ``dumpdata`` of every app, with natural keys for users,
  groups and permissions, so it loads into SQLite or PostgreSQL alike. Content
  types, permissions, sessions and the admin log are left out: ``migrate``
  creates the first two on the new instance, the others are not worth keeping;
* ``media/<name>`` — every file a row refers to (issued PDFs, renderings),
  stored under the name its FileField holds;
* ``manifest.json`` — format, versions, the migrations applied, rows per model
  and the SHA-256 and size of every other member.

A restore checks the whole archive against its manifest before it touches
anything, refuses an instance that already holds data, migrates if needed,
loads the rows in one transaction, writes the files (checked again, and an
issued document's PDF against its ``pdf_sha256``) and compares the rows per
model with the manifest; any failure rolls the rows back and removes the files
it wrote.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import platform
import tarfile
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "partyreports-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA = "data.json"
MEDIA_PREFIX = "media/"

# Left out of the dump: content types and permissions are created by migrate on
# the new instance (and referred to by natural key); sessions, the admin log and
# the login-throttling records (django-axes) are short-lived state, not data.
EXCLUDED_MODELS = (
    "contenttypes.ContentType",
    "auth.Permission",
    "sessions.Session",
    "admin.LogEntry",
)
EXCLUDED_APPS = ("axes",)
# Rows that migrate itself writes on an empty database (a post_migrate handler):
# an instance holding only these is empty. They are replaced by the archive's.
SEEDED_MODELS = ("organizations.OrganizationLevel",)

_CHUNK = 1 << 20


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why."""


@dataclass
class BackupSummary:
    path: Path
    counts: dict[str, int]
    files: int
    file_bytes: int
    missing_files: list[str] = field(default_factory=list)


@dataclass
class RestoreSummary:
    counts: dict[str, int]
    files_written: int
    files_present: int
    migrated: bool
    created_at: str


# --- shared ---------------------------------------------------------------------------


def backup_models() -> list[type[models.Model]]:
    """The concrete models whose rows the dump holds."""
    return [
        model
        for model in apps.get_models()
        if model._meta.label not in EXCLUDED_MODELS
        and model._meta.app_label not in EXCLUDED_APPS
        and model._meta.managed
        and not model._meta.proxy
    ]


def _dumpdata_exclude() -> list[str]:
    """EXCLUDED_* as dumpdata takes them, for what is installed here (dumpdata
    refuses an unknown label)."""
    labels = {config.label for config in apps.get_app_configs()}
    return [
        label
        for label in (*EXCLUDED_MODELS, *EXCLUDED_APPS)
        if label.split(".")[0] in labels
    ]


def _file_fields(model: type[models.Model]) -> list[models.FileField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]


def _referenced_files(using: str) -> list[tuple[Storage, str]]:
    """(storage, name) of every file a row refers to, once each."""
    seen: set[str] = set()
    found: list[tuple[Storage, str]] = []
    for model in backup_models():
        for file_field in _file_fields(model):
            names = (
                model._base_manager.using(using)
                .exclude(**{file_field.attname: ""})
                .exclude(**{f"{file_field.attname}__isnull": True})
                .values_list(file_field.attname, flat=True)
                .order_by(file_field.attname)
            )
            for name in names:
                if name not in seen:
                    seen.add(name)
                    found.append((file_field.storage, name))
    return found


def _sha256_bytes(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _applied_migrations(using: str) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app_label, name in sorted(
        MigrationRecorder(connections[using]).applied_migrations()
    ):
        applied.setdefault(app_label, []).append(name)
    return applied


# --- backup ---------------------------------------------------------------------------


def backup_create(*, out: Path, using: str = DEFAULT_DB_ALIAS) -> BackupSummary:
    """Write the archive to `out` (through a temporary file, so a failed backup
    never leaves a half-written archive under the final name)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    connection = connections[using]
    with tempfile.TemporaryDirectory(prefix="partyreports-backup-") as tmp:
        data_path = Path(tmp) / DATA
        partial = out.with_name(out.name + ".part")
        try:
            # One snapshot for the rows and the list of files: a backup taken while
            # people work must not hold a document without its PDF.
            outermost = not connection.in_atomic_block
            with transaction.atomic(using=using):
                if connection.vendor == "postgresql" and outermost:
                    with connection.cursor() as cursor:
                        cursor.execute(
                            "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"
                        )
                call_command(
                    "dumpdata",
                    natural_foreign=True,
                    natural_primary=True,
                    exclude=_dumpdata_exclude(),
                    database=using,
                    output=str(data_path),
                    verbosity=0,
                )
                referenced = _referenced_files(using)
                migrations = _applied_migrations(using)
                documents = _issued_pdf_hashes(using)
            counts = _count_objects(data_path, using)
            summary = _write_archive(
                partial,
                data_path,
                referenced,
                counts,
                migrations,
                documents,
                connection.vendor,
            )
            os.replace(partial, out)
        finally:
            partial.unlink(missing_ok=True)
    summary.path = out
    return summary


def _issued_pdf_hashes(using: str) -> dict[str, str]:
    """File name → pdf_sha256 of the documents that record the hash of their PDF."""
    from reports.models import Document

    return dict(
        Document.objects.using(using)
        .exclude(pdf="")
        .exclude(pdf_sha256="")
        .values_list("pdf", "pdf_sha256")
    )


def _count_objects(data_path: Path, using: str) -> dict[str, int]:
    with data_path.open(encoding="utf-8") as stream:
        dumped = Counter(obj["model"] for obj in json.load(stream))
    return {
        model._meta.label_lower: dumped.get(model._meta.label_lower, 0)
        for model in backup_models()
    }


def _tar_add(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o644
    archive.addfile(info, io.BytesIO(content))


def _write_archive(
    partial: Path,
    data_path: Path,
    referenced: list[tuple[Storage, str]],
    counts: dict[str, int],
    migrations: dict[str, list[str]],
    documents: dict[str, str],
    vendor: str,
) -> BackupSummary:
    members: dict[str, dict[str, object]] = {}
    missing: list[str] = []
    pdf_mismatches: list[str] = []
    file_bytes = 0
    with tarfile.open(partial, "w:gz") as archive:
        archive.add(data_path, arcname=DATA, recursive=False)
        members[DATA] = {
            "sha256": _sha256_file(data_path),
            "size": data_path.stat().st_size,
        }
        for storage, name in referenced:
            try:
                with storage.open(name, "rb") as stream:
                    content = stream.read()
            except FileNotFoundError:
                missing.append(name)
                continue
            sha = _sha256_bytes(content)
            if name in documents and documents[name] != sha:
                pdf_mismatches.append(name)
            member = MEDIA_PREFIX + _safe_name(name)
            _tar_add(archive, member, content)
            members[member] = {"sha256": sha, "size": len(content)}
            file_bytes += len(content)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "versions": {
                "django": django.get_version(),
                "python": platform.python_version(),
                "database": vendor,
            },
            "migrations": migrations,
            "counts": counts,
            "files": members,
            # Rows that refer to a file the storage no longer had at backup time.
            "missing_files": missing,
            # Issued PDFs whose bytes already differed from pdf_sha256 at backup time.
            "pdf_mismatches": pdf_mismatches,
        }
        _tar_add(
            archive,
            MANIFEST,
            json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode(),
        )
    return BackupSummary(
        path=partial,
        counts=counts,
        files=len(members) - 1,
        file_bytes=file_bytes,
        missing_files=missing,
    )


def _safe_name(name: str) -> str:
    """A relative POSIX path without `..`: anything else in an archive is refused."""
    path = PurePosixPath(name)
    if (
        not name
        or "\\" in name
        or path.is_absolute()
        or any(part in ("", ".", "..") for part in name.split("/"))
    ):
        raise BackupError(f"Tên tệp không hợp lệ trong bản sao lưu: {name!r}")
    return name


# --- restore --------------------------------------------------------------------------


def backup_restore(*, archive: Path, using: str = DEFAULT_DB_ALIAS) -> RestoreSummary:
    """Restore `archive` into this (empty) instance."""
    connection = connections[using]
    with tempfile.TemporaryDirectory(prefix="partyreports-restore-") as tmp:
        root = Path(tmp)
        manifest = _unpack_and_verify(Path(archive), root)
        _check_compatible(manifest, using)
        _refuse_non_empty(using)  # before migrate: leave a busy database alone

        executor = MigrationExecutor(connection)
        migrated = bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
        if migrated:
            call_command("migrate", database=using, interactive=False, verbosity=0)

        written: list[tuple[Storage, str]] = []
        try:
            with transaction.atomic(using=using):
                _refuse_non_empty(using)
                for label in SEEDED_MODELS:
                    apps.get_model(label)._base_manager.using(using).all().delete()
                call_command("loaddata", str(root / DATA), database=using, verbosity=0)
                counts = _check_counts(manifest, using)
                present = _restore_files(manifest, root, using, written)
                _check_issued_pdfs(manifest, using)
        except BaseException:
            for storage, name in written:
                storage.delete(name)
            raise
    return RestoreSummary(
        counts=counts,
        files_written=len(written),
        files_present=present,
        migrated=migrated,
        created_at=str(manifest.get("created_at", "")),
    )


def _unpack_and_verify(archive: Path, root: Path) -> dict:
    """Unpack regular files with safe names into `root` and check every one of
    them against the manifest; return the manifest."""
    if not archive.is_file():
        raise BackupError(f"Không tìm thấy tệp sao lưu {archive}.")
    hashes: dict[str, tuple[str, int]] = {}
    try:
        with tarfile.open(archive, "r|gz") as tar:
            for member in tar:
                name = _safe_name(member.name)
                if not member.isfile():
                    raise BackupError(f"Bản sao lưu có mục không phải tệp: {name!r}")
                if name in hashes:
                    raise BackupError(f"Bản sao lưu có tệp {name!r} hai lần.")
                if name not in (MANIFEST, DATA) and not name.startswith(MEDIA_PREFIX):
                    raise BackupError(f"Bản sao lưu có tệp lạ: {name!r}")
                target = root / name
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                assert source is not None  # a regular file
                digest = hashlib.sha256()
                with target.open("wb") as stream:
                    while chunk := source.read(_CHUNK):
                        digest.update(chunk)
                        stream.write(chunk)
                hashes[name] = (digest.hexdigest(), member.size)
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"Không đọc được bản sao lưu {archive}: {error}") from error

    if MANIFEST not in hashes:
        raise BackupError("Bản sao lưu không có manifest.json.")
    try:
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except ValueError as error:
        raise BackupError(f"manifest.json hỏng: {error}") from error
    if (
        manifest.get("format") != FORMAT
        or manifest.get("format_version") != FORMAT_VERSION
    ):
        raise BackupError(
            "Không phải bản sao lưu PartyReports định dạng "
            f"{FORMAT_VERSION}: {manifest.get('format')!r} "
            f"{manifest.get('format_version')!r}."
        )
    expected: dict[str, dict] = manifest.get("files", {})
    if DATA not in expected:
        raise BackupError("Manifest không ghi data.json.")
    unpacked = set(hashes) - {MANIFEST}
    if unpacked != set(expected):
        extra, lacking = (
            sorted(unpacked - set(expected)),
            sorted(set(expected) - unpacked),
        )
        raise BackupError(
            f"Bản sao lưu không khớp manifest: thừa {extra}, thiếu {lacking}."
        )
    for name, info in expected.items():
        sha, size = hashes[name]
        if sha != info.get("sha256") or size != info.get("size"):
            raise BackupError(
                f"SHA-256 của {name} không khớp manifest: bản sao lưu đã bị sửa "
                "hoặc hỏng; không khôi phục."
            )
    return manifest


def _check_compatible(manifest: dict, using: str) -> None:
    """This code knows every model the archive has rows of, and every migration
    of the installed apps the archive's database had applied."""
    installed = {config.label for config in apps.get_app_configs()}
    foreign = []
    for label, count in sorted(manifest.get("counts", {}).items()):
        try:
            apps.get_model(label)
        except LookupError:
            if count:
                foreign.append(label)
    nodes = MigrationExecutor(connections[using]).loader.graph.nodes
    unknown = [
        f"{app_label}.{name}"
        for app_label, names in manifest.get("migrations", {}).items()
        if app_label in installed
        for name in names
        if (app_label, name) not in nodes
    ]
    if foreign or unknown:
        raise BackupError(
            "Bản sao lưu được tạo bởi một phiên bản khác, mới hơn của phần mềm "
            f"(mô hình không có ở đây: {foreign or '—'}; migration chưa có ở đây: "
            f"{unknown[:10] or '—'}). Hãy cập nhật mã nguồn trước khi khôi phục."
        )


def _refuse_non_empty(using: str) -> None:
    from organizations.levels import LEVELS

    connection = connections[using]
    tables = set(connection.introspection.table_names())
    seeded_codes = {code for code, *_ in LEVELS}
    busy = []
    for model in backup_models():
        if model._meta.db_table not in tables:
            continue
        rows = model._base_manager.using(using)
        if model._meta.label in SEEDED_MODELS:
            # Only what migrate writes: the default levels, by code.
            rows = rows.exclude(code__in=seeded_codes)
        if rows.exists():
            busy.append(model._meta.label)
    if busy:
        raise BackupError(
            "Khôi phục cần một hệ thống trống (restore needs an empty instance); "
            "đã có dữ liệu ở: " + ", ".join(busy[:10])
        )


def _check_counts(manifest: dict, using: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    wrong = []
    for label, expected in sorted(manifest.get("counts", {}).items()):
        try:
            model = apps.get_model(label)
        except LookupError:  # an app removed since, with no rows (_check_compatible)
            continue
        actual = model._base_manager.using(using).count()
        counts[label] = actual
        if actual != expected:
            wrong.append(f"{label}: {actual} ≠ {expected}")
    if wrong:
        raise BackupError(
            "Số dòng sau khi nạp không khớp manifest: " + "; ".join(wrong)
        )
    return counts


def _restore_files(
    manifest: dict, root: Path, using: str, written: list[tuple[Storage, str]]
) -> int:
    """Put every archived file back under its name; return how many were already
    there with the same bytes. A different file under the same name is refused."""
    storages = {name: storage for storage, name in _referenced_files(using)}
    present = 0
    for member, info in sorted(manifest["files"].items()):
        if not member.startswith(MEDIA_PREFIX):
            continue
        name = member.removeprefix(MEDIA_PREFIX)
        storage = storages.get(name, default_storage)
        source = root / member
        if storage.exists(name):
            with storage.open(name, "rb") as stream:
                if _sha256_bytes(stream.read()) == info["sha256"]:
                    present += 1
                    continue
            raise BackupError(
                f"Tệp {name} đã có trong kho lưu trữ với nội dung khác; không ghi đè."
            )
        with source.open("rb") as stream:
            saved = storage.save(name, ContentFile(stream.read()))
        written.append((storage, saved))
        if saved != name:
            raise BackupError(f"Kho lưu trữ đổi tên tệp {name} thành {saved}.")
        with storage.open(name, "rb") as stream:
            if _sha256_bytes(stream.read()) != info["sha256"]:
                raise BackupError(f"Tệp {name} ghi ra không khớp SHA-256 của manifest.")
    return present


def _check_issued_pdfs(manifest: dict, using: str) -> None:
    """Every issued PDF that matched its pdf_sha256 at backup time still does."""
    from reports.models import Document

    storage = Document._meta.get_field("pdf").storage
    known_bad = set(manifest.get("pdf_mismatches", []))
    missing = set(manifest.get("missing_files", []))
    for name, sha in _issued_pdf_hashes(using).items():
        if name in known_bad or name in missing:
            continue
        with storage.open(name, "rb") as stream:
            if _sha256_bytes(stream.read()) != sha:
                raise BackupError(
                    f"PDF đã ban hành {name} không khớp pdf_sha256 sau khôi phục."
                )


def format_counts(counts: dict[str, int]) -> str:
    """`label: n` lines for the non-empty models, for the commands' summaries."""
    return "\n".join(f"  {label}: {n}" for label, n in sorted(counts.items()) if n)


def created_at_display(value: str) -> str:
    try:
        return timezone.localtime(dt.datetime.fromisoformat(value)).strftime(
            "%d/%m/%Y %H:%M"
        )
    except ValueError:
        return value
