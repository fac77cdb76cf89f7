"""bot: the only package that talks to Telegram."""

import os

# Opt in to PTB's future behaviour (RetryAfter.retry_after as a timedelta); our code reads both.
os.environ.setdefault("PTB_TIMEDELTA", "1")
