"""`omzien run` with a database it cannot use: one line naming the path and the cause,
exit code 2, no traceback."""

from __future__ import annotations

import subprocess

import pytest

from storage import crypt
from storage.db import open_db
from tests.conftest import process_env
from tests.e2e.test_process import OMZIEN

pytestmark = pytest.mark.e2e


def run_with_db(db_path, tmp_path) -> subprocess.CompletedProcess:
    env = process_env()
    env.update(
        TELEGRAM_BOT_TOKEN="123456:NEVER-USED",
        OMZIEN_BASE_URL="http://127.0.0.1:9/bot",
        OMZIEN_DB=str(db_path),
        OMZIEN_CONFIG=str(tmp_path / "none.toml"),
    )
    return subprocess.run(
        [str(OMZIEN), "run"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    "make, cause",
    [
        (lambda p: p.write_text("dit is geen database " * 100), "file is not a database"),
        (lambda p: p.mkdir(), "it is a directory"),
        (lambda p: p.parent.joinpath("afile").write_text("x"), "is not a directory"),
    ],
)
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


def run_with_key(db_path, tmp_path, **key: str) -> subprocess.CompletedProcess:
    """`omzien run` with exactly this key setting, whatever the test run itself has."""
    env = process_env()
    for name in (crypt.KEY_VARIABLE, crypt.KEY_FILE_VARIABLE):
        env.pop(name, None)
    env.update(
        key,
        TELEGRAM_BOT_TOKEN="123456:NEVER-USED",
        OMZIEN_BASE_URL="http://127.0.0.1:9/bot",
        OMZIEN_DB=str(db_path),
        OMZIEN_CONFIG=str(tmp_path / "none.toml"),
    )
    return subprocess.run(
        [str(OMZIEN), "run"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    "made_with, key, cause",
    [
        ("the key", {crypt.KEY_VARIABLE: "another key"}, "does not open it"),
        ("the key", {}, "it is encrypted: set OMZIEN_DB_KEY"),
        (None, {crypt.KEY_VARIABLE: "the key"}, "not encrypted, but OMZIEN_DB_KEY is set"),
        ("the key", {crypt.KEY_FILE_VARIABLE: "/no/such/omzien.key"}, "cannot read the key file"),
    ],
    ids=["wrong key", "no key", "plain file with a key", "missing key file"],
)
def test_a_key_that_does_not_fit_exits_2_with_one_clear_line(tmp_path, made_with, key, cause):
    db_path = tmp_path / "omzien.db"
    open_db(db_path, key=made_with).close()
    before = db_path.read_bytes()
    done = run_with_key(db_path, tmp_path, **key)
    assert done.returncode == 2, done
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"omzien: cannot use the database {db_path}: ")
    assert cause in lines[0] and "Traceback" not in done.stderr
    assert db_path.read_bytes() == before, "a refused start must leave the file as it was"
