"""Hardening tests use the web fixtures (an app over a fresh store, signed-in people)."""

from tests.web.conftest import app, client, people, quick_password_hashing  # noqa: F401
