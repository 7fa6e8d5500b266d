"""Test support shared by the apps' suites.

A test that needs a service or tool (PostgreSQL, Redis, Chromium, LibreOffice) calls
``require``: in CI (``CI=true``) a missing one fails the test, elsewhere it skips with
the reason, so a developer without it still gets a green run that says what it left out.
"""

import os

import pytest


def running_in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def require(available, reason: str) -> None:
    """Go on when ``available`` is true; otherwise skip saying ``reason``, or fail in CI."""
    if available:
        return
    if running_in_ci():
        pytest.fail(f"{reason} (CI=true: this service is required)", pytrace=False)
    pytest.skip(reason)
