"""`omzien run` with a database it cannot use: one line naming the path and the cause,
exit code 2, no traceback."""
from __future__ import annotations

import subprocess

import pytest

from tests.conftest import process_env
from tests.e2e.test_process import OMZIEN

pytestmark = pytest.mark.e2e


def run_with_db(db_path, tmp_path) -> subprocess.CompletedProcess:
    env = process_env()
    env.update(TELEGRAM_BOT_TOKEN="123456:NEVER-USED", OMZIEN_BASE_URL="http://127.0.0.1:9/bot",
               OMZIEN_DB=str(db_path), OMZIEN_CONFIG=str(tmp_path / "none.toml"))
    return subprocess.run([str(OMZIEN), "run"], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize("make, cause", [
    (lambda p: p.write_text("dit is geen database " * 100), "file is not a database"),
    (lambda p: p.mkdir(), "it is a directory"),
    (lambda p: p.parent.joinpath("afile").write_text("x"), "is not a directory"),
])
def test_an_unusable_database_exits_2_with_one_clear_line(tmp_path, make, cause):
    db_path = tmp_path / "omzien.db"
    make(db_path)
    if cause == "is not a directory":
        db_path = tmp_path / "afile" / "omzien.db"
    done = run_with_db(db_path, tmp_path)
    assert done.returncode == 2, done
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"omzien: cannot use the database {db_path}: ")
    assert cause in lines[0] and "Traceback" not in done.stderr
