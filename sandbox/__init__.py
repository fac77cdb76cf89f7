"""The sandbox: the fake Telegram (sandbox.emulator), the real bot beside it, scripts,
the terminal chat and the web page. Never imported by the bot in production."""
