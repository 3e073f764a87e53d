"""Settings read from the environment: the typed readers and the two setups."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from partyreports.env import env_bool, env_int, env_list, env_str

ROOT_DIR = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        (" Yes ", True),
        ("ON", True),
        ("0", False),
        ("false", False),
        ("no", False),
        ("off", False),
        ("", False),
    ],
)
def test_it_reads_booleans(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool
) -> None:
    monkeypatch.setenv("PR_TEST_FLAG", raw)

    assert env_bool("PR_TEST_FLAG", default=not expected) is expected


@pytest.mark.parametrize("raw", ["maybe", "2", "yes please"])
def test_it_refuses_a_bad_boolean(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("PR_TEST_FLAG", raw)

    with pytest.raises(ImproperlyConfigured, match="PR_TEST_FLAG"):
        env_bool("PR_TEST_FLAG")


def test_it_uses_defaults_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PR_TEST_UNSET", raising=False)

    assert env_bool("PR_TEST_UNSET", default=True) is True
    assert env_int("PR_TEST_UNSET", 7) == 7
    assert env_str("PR_TEST_UNSET", "x") == "x"
    assert env_list("PR_TEST_UNSET", ["a"]) == ["a"]


def test_it_reads_integers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PR_TEST_INT", "42")
    assert env_int("PR_TEST_INT", 0) == 42

    monkeypatch.setenv("PR_TEST_INT", " ")
    assert env_int("PR_TEST_INT", 5) == 5


@pytest.mark.parametrize("raw", ["ten", "1.5", "10MB"])
def test_it_refuses_a_bad_integer(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("PR_TEST_INT", raw)

    with pytest.raises(ImproperlyConfigured, match="PR_TEST_INT"):
        env_int("PR_TEST_INT", 0)


def test_it_splits_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PR_TEST_LIST", " a.example, b.example ,,")

    assert env_list("PR_TEST_LIST", []) == ["a.example", "b.example"]


PROBE = """
import json
from partyreports import settings as s
print(json.dumps({
    "engine": s.DATABASES["default"]["ENGINE"],
    "name": str(s.DATABASES["default"]["NAME"]),
    "eager": s.CELERY_TASK_ALWAYS_EAGER,
    "debug": s.DEBUG,
}))
"""


def load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    """Import the settings in a fresh interpreter that sees only `env`."""
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env}
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_it_runs_embedded_with_nothing_set() -> None:
    proc = load_settings()

    assert proc.returncode == 0, proc.stderr
    loaded = json.loads(proc.stdout)
    assert loaded["engine"] == "django.db.backends.sqlite3"
    assert loaded["name"] == str(ROOT_DIR / "var" / "db.sqlite3")
    assert loaded["eager"] is True
    assert loaded["debug"] is True


def test_it_uses_the_real_stack_when_configured() -> None:
    proc = load_settings(
        DATABASE_URL="postgres://u:p@db.invalid:5432/partyreports",
        CELERY_BROKER_URL="redis://redis.invalid:6379/0",
    )

    assert proc.returncode == 0, proc.stderr
    loaded = json.loads(proc.stdout)
    assert loaded["engine"] == "django.db.backends.postgresql"
    assert loaded["eager"] is False


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off() -> None:
    proc = load_settings(DEBUG="0")

    assert proc.returncode != 0
    assert "SECRET_KEY" in proc.stderr


def test_it_refuses_a_typo_in_debug() -> None:
    proc = load_settings(DEBUG="treu")

    assert proc.returncode != 0
    assert "ImproperlyConfigured" in proc.stderr


def test_it_collects_static_files_for_production(tmp_path: Path) -> None:
    # DEBUG off switches to WhiteNoise's manifest storage, which fails on any
    # reference it cannot resolve (e.g. a vendored file's sourceMappingURL).
    proc = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT_DIR,
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "DEBUG": "0",
            "SECRET_KEY": "test-only-not-secret",
            "DATA_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "staticfiles" / "staticfiles.json").is_file()
