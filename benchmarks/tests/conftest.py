import pathlib

import pytest

_HERE = pathlib.Path(__file__).parent


def pytest_collection_modifyitems(items):
    """Every benchmark test carries the ``bench`` marker, so that a run can leave them out
    (``-m "not bench"``: CI's SQLite pass) or run them alone (``-m bench``)."""
    for item in items:
        if _HERE in item.path.parents:
            item.add_marker(pytest.mark.bench)
