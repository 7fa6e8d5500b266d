import pytest
from django.core.cache import cache

# The people, agencies and deadlines most tests start from, shared by every app's tests.
pytest_plugins = ["plans.tests.fixtures"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a rolled-back SQLite test reuses row ids,
    so a page cached by an earlier test could match a later test's data fingerprint."""
    cache.clear()
    yield
