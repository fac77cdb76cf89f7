"""Configuration: environment variables, optionally on top of a TOML file.

Precedence: environment > TOML file (`OMZIEN_CONFIG`, default ./omzien.toml if present) >
defaults. Every key is documented in README.md ("Configuration").
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

DEFAULT_BASE_URL = "https://api.telegram.org/bot"


@dataclass(frozen=True)
class Helplines:
    """Numbers shown with the safety message; an organisation can set its own."""

    emergency: str = "112"
    suicide_prevention: str = "113"
    suicide_prevention_free: str = "0800-0113"
    veilig_thuis: str = "0800-2000"
    gp_out_of_hours: str = ""


@dataclass(frozen=True)
class Settings:
    token: str = ""
    bot_username: str = "omzien_bot"
    base_url: str = DEFAULT_BASE_URL
    base_file_url: str = ""
    db_path: Path = Path("data/omzien.db")
    timezone: str = "Europe/Amsterdam"
    invite_days: int = 14
    flow_idle_hours: float = 12.0
    crisis_confirm_minutes: float = 15.0  # crisis words unanswered this long: passed on as urgent
    quiet_start_hour: int = 21
    quiet_end_hour: int = 9
    retention_days: int = 365
    outbox_global_rate: float = 25.0
    outbox_chat_interval: float = 1.0
    tick_seconds: float = 60.0  # longest the tick sleeps; it wakes sooner when a task is due
    transport: str = "aiohttp"
    concurrent_chats: int = 64
    helplines: Helplines = field(default_factory=Helplines)

    @property
    def sandbox(self) -> bool:
        return not self.token


_ENV = {
    "TELEGRAM_BOT_TOKEN": "token",
    "OMZIEN_BOT_USERNAME": "bot_username",
    "OMZIEN_BASE_URL": "base_url",
    "OMZIEN_BASE_FILE_URL": "base_file_url",
    "OMZIEN_DB": "db_path",
    "OMZIEN_TIMEZONE": "timezone",
    "OMZIEN_INVITE_DAYS": "invite_days",
    "OMZIEN_FLOW_IDLE_HOURS": "flow_idle_hours",
    "OMZIEN_CRISIS_CONFIRM_MINUTES": "crisis_confirm_minutes",
    "OMZIEN_QUIET_START_HOUR": "quiet_start_hour",
    "OMZIEN_QUIET_END_HOUR": "quiet_end_hour",
    "OMZIEN_RETENTION_DAYS": "retention_days",
    "OMZIEN_OUTBOX_RATE": "outbox_global_rate",
    "OMZIEN_OUTBOX_CHAT_INTERVAL": "outbox_chat_interval",
    "OMZIEN_TICK_SECONDS": "tick_seconds",
    "OMZIEN_TRANSPORT": "transport",
    "OMZIEN_CONCURRENT_CHATS": "concurrent_chats",
}


def load(environ: Mapping[str, str] | None = None) -> Settings:
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    path = Path(environ.get("OMZIEN_CONFIG", "omzien.toml"))
    if path.is_file():
        values.update(_from_toml(path))
    for env_name, key in _ENV.items():
        if environ.get(env_name):
            values[key] = environ[env_name]
    return _build(values)


def _from_toml(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    section = raw.get("omzien", raw)
    unknown = set(section) - {f.name for f in fields(Settings)}
    if unknown:
        raise ValueError(f"{path}: unknown setting(s): {', '.join(sorted(unknown))}")
    return dict(section)


def _build(values: dict[str, Any]) -> Settings:
    defaults = Settings()
    coerced: dict[str, Any] = {}
    for f in fields(Settings):
        if f.name not in values:
            continue
        raw = values[f.name]
        if f.name == "helplines":
            coerced[f.name] = replace(Helplines(), **raw)
        else:
            kind = type(getattr(defaults, f.name))
            coerced[f.name] = (
                Path(raw)
                if kind is Path or isinstance(getattr(defaults, f.name), Path)
                else kind(raw)
            )
    return replace(defaults, **coerced)
