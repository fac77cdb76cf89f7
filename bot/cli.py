"""The `omzien` command.

omzien run                     sandbox without TELEGRAM_BOT_TOKEN, real long polling with it
omzien sandbox [--script F]    the local Telegram with the real bot; a script replays and checks
               [--transcript]  ...and prints every message the bot sent or edited
omzien sandbox --web [--port P]  the same in a browser: cora, pim and vera side by side
omzien invite --role R         print a one-time invite link (e.g. for the first coordinator)
omzien content check           check flows and texts; non-zero exit on any problem
omzien diagram                 write a Mermaid diagram per flow to docs/flows/
omzien backup PATH             a consistent, checked copy of the database (also while it runs)
omzien restore PATH            put a checked copy back (the bot must be stopped)
omzien db encrypt|decrypt PATH encrypt a database file with OMZIEN_DB_KEY, or decrypt it
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from bot import config


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    return args.func(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="omzien", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log ids and event types")
    sub = parser.add_subparsers(required=True)
    sub.add_parser("run", help="start Omzien").set_defaults(func=cmd_run)
    sandbox = sub.add_parser("sandbox", help="local Telegram with the real bot")
    sandbox.add_argument("--script", type=Path, help="replay and check a sandbox script")
    sandbox.add_argument(
        "--transcript",
        action="store_true",
        help="with --script: print every message the bot sent or edited",
    )
    sandbox.add_argument("--db", type=Path, help="database file (default: a fresh temporary one)")
    sandbox.add_argument("--web", action="store_true", help="serve the sandbox as a web page")
    sandbox.add_argument("--port", type=int, default=8765, help="web page port (default 8765)")
    sandbox.add_argument(
        "--host",
        default="127.0.0.1",
        help="web page address (default 127.0.0.1: this computer only)",
    )
    sandbox.set_defaults(func=cmd_sandbox)
    invite = sub.add_parser("invite", help="print a one-time invite link")
    invite.add_argument(
        "--role", required=True, choices=("volunteer", "professional", "coordinator")
    )
    invite.set_defaults(func=cmd_invite)
    content = sub.add_parser("content", help="content tools")
    content_sub = content.add_subparsers(required=True)
    content_sub.add_parser("check", help="check flows and texts").set_defaults(
        func=cmd_content_check
    )
    diagram = sub.add_parser("diagram", help="write flow diagrams to docs/flows/")
    diagram.add_argument("--out", type=Path, default=Path("docs/flows"))
    diagram.set_defaults(func=cmd_diagram)
    backup = sub.add_parser("backup", help="write a consistent, checked copy of the database")
    backup.add_argument("path", type=Path)
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser("restore", help="replace the database by a checked copy")
    restore.add_argument("path", type=Path)
    restore.set_defaults(func=cmd_restore)
    _add_db_commands(sub)
    return parser


def _add_db_commands(sub) -> None:
    database = sub.add_parser("db", help="encrypt or decrypt a database file")
    verbs = database.add_subparsers(required=True)
    for verb, what in (
        ("encrypt", "encrypt a plain database with OMZIEN_DB_KEY"),
        ("decrypt", "turn a database encrypted with OMZIEN_DB_KEY into plain SQLite"),
    ):
        command = verbs.add_parser(verb, help=what)
        command.add_argument("path", type=Path)
        command.set_defaults(func=cmd_db_convert, verb=verb)


def cmd_run(args) -> int:
    settings = config.load()
    if settings.sandbox:
        print("No TELEGRAM_BOT_TOKEN set: starting the sandbox.\n")
        return cmd_sandbox(
            argparse.Namespace(
                script=None,
                db=None,
                web=True,
                port=8765,
                host="127.0.0.1",
                chat=True,
                transcript=False,
            )
        )
    store = _open_store(settings.db_path)
    if store is None:
        return 2
    from telegram.error import InvalidToken

    from bot.transport.live import run_polling

    try:
        run_polling(settings, store)
    except InvalidToken:
        print("omzien: Telegram refused the bot token (TELEGRAM_BOT_TOKEN)", file=sys.stderr)
        return 2
    return 0


def _open_store(path: Path):
    """The database, opened and writable; or one line naming the path and the cause."""
    import sqlite3

    from storage.db import Store, check_writable

    if Path(path).is_dir():
        print(f"omzien: cannot use the database {path}: it is a directory", file=sys.stderr)
        return None
    try:
        store = Store.open(path)
    except (OSError, sqlite3.Error) as exc:
        print(f"omzien: cannot use the database {path}: {_cause(exc)}", file=sys.stderr)
        return None
    try:
        store.db.conn.execute("SELECT 1")
        check_writable(store.db)
    except sqlite3.Error as exc:
        store.close()
        print(f"omzien: cannot use the database {path}: {_cause(exc)}", file=sys.stderr)
        return None
    return store


def _cause(exc: Exception) -> str:
    if isinstance(exc, FileExistsError):
        return f"{exc.filename} is not a directory"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror.lower()} ({exc.filename})" if exc.filename else exc.strerror.lower()
    return str(exc) or type(exc).__name__


def cmd_sandbox(args) -> int:
    from sandbox.script import read_script, run_script
    from sandbox.session import Sandbox
    from sandbox.terminal import chat
    from sandbox.web.serve import serve_page

    settings = config.load()
    web = getattr(args, "web", False) and not args.script
    # `make run` chats in the terminal beside the page; `--web` alone only serves it.
    with_chat = getattr(args, "chat", not web) and sys.stdin.isatty()
    with tempfile.TemporaryDirectory(prefix="omzien-sandbox-") as scratch:
        db_path = args.db or Path(scratch) / "sandbox.db"

        async def session() -> int:
            sandbox = Sandbox(settings, db_path)
            await sandbox.start()
            try:
                if args.script:
                    return await run_script(
                        sandbox,
                        read_script(args.script),
                        transcript=getattr(args, "transcript", False),
                    )
                if web:
                    return await serve_page(
                        sandbox,
                        args.host,
                        args.port,
                        chat(sandbox) if with_chat else None,
                        any_port=getattr(args, "chat", False),
                    )
                await chat(sandbox)
                return 0
            finally:
                await sandbox.stop()

        return asyncio.run(session())


def cmd_invite(args) -> int:
    from bot.team.invites import invite_link
    from bot.timekeeping.clock import SystemClock
    from storage import invites
    from storage.db import open_db

    settings = config.load()
    db = open_db(settings.db_path)
    code = invites.create(
        db, args.role, None, SystemClock().now(), timedelta(days=settings.invite_days)
    )
    print(invite_link(_bot_username(settings), code))
    return 0


def _bot_username(settings: config.Settings) -> str:
    if settings.sandbox:
        return settings.bot_username
    from telegram import Bot

    async def ask() -> str:
        async with Bot(settings.token, base_url=settings.base_url) as bot:
            return bot.username

    return asyncio.run(ask())


def cmd_content_check(args) -> int:
    from dialogues.check import check_all

    problems = check_all()
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"content check: {len(problems)} problem(s)")
    return 1 if problems else 0


def cmd_diagram(args) -> int:
    from dialogues.diagram import write_diagrams

    for path in write_diagrams(args.out):
        print(path)
    return 0


def cmd_backup(args) -> int:
    from storage.backup import BackupError, backup

    try:
        written = backup(config.load().db_path, args.path)
    except BackupError as exc:
        print(f"backup failed: {exc}", file=sys.stderr)
        return 1
    print(f"backup written: {written.summary()}")
    return 0


def cmd_restore(args) -> int:
    from storage.backup import BackupError, restore

    target = config.load().db_path
    try:
        restored, aside = restore(args.path, target)
    except BackupError as exc:
        print(f"restore refused: {exc}", file=sys.stderr)
        return 1
    print(f"restored: {restored.summary()}")
    print(f"the old database is kept at {aside}" if aside else "there was no database before")
    return 0


def cmd_db_convert(args) -> int:
    from storage import convert, crypt
    from storage.backup import BackupError

    try:
        key = crypt.key_from_env()
        if key is None:
            raise BackupError(f"set {crypt.KEY_VARIABLE} or {crypt.KEY_FILE_VARIABLE} first")
        done, aside = getattr(convert, args.verb)(args.path, key)
    except (BackupError, crypt.DatabaseKeyError) as exc:
        print(f"{args.verb} refused: {exc}", file=sys.stderr)
        return 1
    print(f"{args.verb}ed: {done.summary()}")
    if args.verb == "encrypt":
        print(
            f"the unencrypted original is kept at {aside}: once Omzien runs with the key, "
            "delete it, and any unencrypted backups too"
        )
    else:
        print(
            f"the encrypted original is kept at {aside}; "
            f"run Omzien without {crypt.KEY_VARIABLE} from now on"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
