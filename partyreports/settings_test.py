"""Test settings: the same app, faster hashing and in-memory e-mail."""

from __future__ import annotations

import os

from partyreports.settings import *  # noqa: F403
from partyreports.settings import DATA_DIR, DATABASES, LOGGING, STATIC_ROOT, STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}

MEDIA_ROOT = DATA_DIR / "test-media"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not shared-cache memory: concurrency tests need SQLite's real
    # database locks (and busy timeout), which shared cache replaces with
    # table locks that fail at once.
    # One file per test process, so parallel runs in one checkout never share it.
    DATABASES["default"]["TEST"] = {
        "NAME": str(DATA_DIR / f"test-db-{os.getpid()}.sqlite3")
    }

# WhiteNoise warns (an error under filterwarnings=error) when STATIC_ROOT is missing.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# django-axes stays on (AXES_ENABLED, from settings.py): tests log in with
# force_login or the right password, and tests/test_security.py tries the lock-out.
# Its INFO line for every login would only flood the captured output.
LOGGING["loggers"]["axes"] = {"level": "WARNING"}
