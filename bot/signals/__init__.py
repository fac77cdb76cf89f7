"""Worries on their way: the watch on free text, /zorg and /signalen, delivery, escalation."""
