"""Test settings: the same app, faster hashing and in-memory e-mail."""

from __future__ import annotations

from partyreports.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}

MEDIA_ROOT = DATA_DIR / "test-media"  # noqa: F405

# WhiteNoise warns (an error under filterwarnings=error) when STATIC_ROOT is missing.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
