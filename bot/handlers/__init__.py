"""Command and button handlers; importing this package registers them all, together with
the effects, delivery hooks and timed tasks that live beside them."""
from bot.handlers import (  # noqa: F401
    bericht,
    bewoners,
    coordinator,
    general,
    invites,
    onboarding,
    overzicht,
    privacy,
    rhythm,
    signals,
    volunteer,
)
import bot.broadcast  # noqa: F401,E402  (appreciation: effects and delivery hooks)
import bot.signals  # noqa: F401,E402  (signals: effects, delivery hooks, escalation)
