"""Finding Debian's Chromium for the browser tests, and saying loudly when it is not there.

In CI (CI=true) a missing browser or Playwright is a failure; elsewhere the tests are
skipped with the reason, and a warning line says so in pytest's summary too.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import warnings
from pathlib import Path

import pytest

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def require_browser() -> str:
    """The Chromium executable, or fail (CI) / skip loudly (elsewhere)."""
    problem = None
    if importlib.util.find_spec("playwright") is None:
        problem = "Playwright for Python is not installed (pip install -e '.[test]')"
    path = chromium_path()
    if path is None:
        problem = problem or "no Chromium found (apt-get install -y chromium)"
    if problem is None:
        return path
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser test cannot run in CI: {problem}")
    message = f"BROWSER TEST SKIPPED: {problem}; the web sandbox page was not tested in a browser"
    warnings.warn(message, stacklevel=2)
    pytest.skip(message)
