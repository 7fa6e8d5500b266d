"""Fixtures of the browser tests."""

import os
import shutil

import pytest

from plans.tests.environment import require


@pytest.fixture
def chromium_path():
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    require(
        path, "Chromium is not installed: install Debian's chromium package (.ci/run does it through apt)"
    )
    return path
