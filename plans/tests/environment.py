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


def migrate_to(targets):
    """Migrate the test database to ``targets`` (``None``: the latest migrations) and return
    the apps as they were there, for tests of a data migration on data written before it."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps
