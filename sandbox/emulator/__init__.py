"""The fake Telegram: a local Bot API strict enough that what Telegram rejects fails here first."""
