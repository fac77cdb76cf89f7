"""Command and button handlers; importing this package registers them all."""
from bot.handlers import general, invites, onboarding, privacy, volunteer  # noqa: F401
from bot.handlers import bewoners, overzicht  # noqa: F401,E402
from bot.handlers import coordinator, rhythm  # noqa: F401,E402
from bot import broadcast  # noqa: F401,E402  (appreciation effect and delivery hooks)
from bot.handlers import signals  # noqa: F401,E402  (/zorg, /signalen, /vrijwilligers, s./z./d. buttons)
from bot import signals as _signal_delivery  # noqa: F401,E402  (signal effects, delivery hooks, escalation)
