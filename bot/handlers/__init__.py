"""Command and button handlers; importing this package registers them all."""
from bot.handlers import general, invites, onboarding, privacy, volunteer  # noqa: F401
