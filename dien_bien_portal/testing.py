"""Test support shared by the apps' suites.

A test that needs a service or tool (PostgreSQL, Redis, Chromium, LibreOffice) calls
``require``: in CI (``CI=true``) a missing one fails the test, elsewhere it skips with
the reason, so a developer without it still gets a green run that says what it left out.
"""

import os

import pytest


def running_in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def require(available: bool, what: str, *, how: str = "") -> None:
    if available:
        return
    message = f"{what} is not available{': ' + how if how else ''}"
    if running_in_ci():
        pytest.fail(f"{message} (required when CI=true)", pytrace=False)
    pytest.skip(message)
