import pytest


@pytest.fixture(autouse=True)
def _no_personal_data_in_logs(log_guard, tmp_path):
    """Every end-to-end test runs under the log guard (tests/logguard.py); the logs of the
    `omzien run` processes a test started (bot-N.log in its tmp_path) are checked too."""
    yield
    for path in sorted(tmp_path.glob("bot-*.log")):
        log_guard.lines.extend(path.read_text(errors="replace").splitlines())
