"""The bot's sense of now, and which days are working days."""
