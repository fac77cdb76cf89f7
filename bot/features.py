"""Every feature's handlers, effects, delivery hooks and timed tasks register themselves on
import; importing this module imports them all, once, at start (bot/app.py)."""

import bot.appreciation.broadcast  # noqa: F401  (effects and delivery hooks)
import bot.appreciation.commands  # noqa: F401
import bot.coach.commands  # noqa: F401
import bot.coach.overview  # noqa: F401
import bot.coach.residents  # noqa: F401
import bot.privacy.handlers  # noqa: F401
import bot.rhythm.handlers  # noqa: F401
import bot.routing.general  # noqa: F401
import bot.signals.crisis  # noqa: F401  (the crisis question's timeout)
import bot.signals.digest  # noqa: F401  (the weekly digest)
import bot.signals.escalation  # noqa: F401
import bot.signals.handlers  # noqa: F401
import bot.signals.message  # noqa: F401
import bot.signals.service  # noqa: F401  (effects, delivery hooks)
import bot.team.coordinator  # noqa: F401
import bot.team.invites  # noqa: F401
import bot.team.onboarding  # noqa: F401
