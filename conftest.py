import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a rolled-back SQLite test reuses row ids,
    so a page cached by an earlier test could match a later test's data fingerprint."""
    cache.clear()
    yield
