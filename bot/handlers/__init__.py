"""Command and button handlers; importing this package registers them all."""
from bot.handlers import general, onboarding, invites  # noqa: F401
