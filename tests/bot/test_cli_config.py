"""The `omzien` command line and the configuration it reads."""

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot import config
from storage import invites
from storage.db import open_db

OMZIEN = Path(sys.executable).with_name("omzien")


def test_invite_prints_a_working_deep_link_for_the_first_coordinator(tmp_path):
    env = {**os.environ, "OMZIEN_DB": str(tmp_path / "o.db"), "OMZIEN_BOT_USERNAME": "gemeente_bot"}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    out = subprocess.run(
        [str(OMZIEN), "invite", "--role", "coordinator"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    match = re.fullmatch(r"https://t\.me/gemeente_bot\?start=([A-Za-z0-9_-]{1,64})", out)
    assert match, out
    checked = invites.check(open_db(tmp_path / "o.db"), match[1], datetime.now(UTC))
    assert isinstance(checked, invites.Invite) and checked.role == "coordinator"


def test_content_check_exits_zero_on_the_shipped_content():
    done = subprocess.run([str(OMZIEN), "content", "check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "0 problem(s)" in done.stdout


def test_environment_wins_over_the_toml_file(tmp_path):
    toml = tmp_path / "omzien.toml"
    toml.write_text(
        "[omzien]\ninvite_days = 7\nflow_idle_hours = 6\n"
        '[omzien.helplines]\ngp_out_of_hours = "088-1234567"\n',
        encoding="utf-8",
    )
    settings = config.load({"OMZIEN_CONFIG": str(toml), "OMZIEN_INVITE_DAYS": "3"})
    assert settings.invite_days == 3
    assert settings.flow_idle_hours == 6.0
    assert settings.helplines.gp_out_of_hours == "088-1234567"
    assert settings.sandbox is True


def test_an_unknown_toml_setting_is_refused_by_name(tmp_path):
    toml = tmp_path / "omzien.toml"
    toml.write_text("[omzien]\ninvite_dagen = 7\n", encoding="utf-8")
    try:
        config.load({"OMZIEN_CONFIG": str(toml)})
    except ValueError as exc:
        assert "invite_dagen" in str(exc)
    else:
        raise AssertionError("a misspelt setting must not pass silently")


def test_a_token_means_live_mode_and_the_base_url_is_configurable():
    settings = config.load(
        {"TELEGRAM_BOT_TOKEN": "1:x", "OMZIEN_BASE_URL": "http://127.0.0.1:8081/bot"}
    )
    assert settings.sandbox is False
    assert settings.base_url == "http://127.0.0.1:8081/bot"
