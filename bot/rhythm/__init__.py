"""The volunteer's rhythm: /ritme, reminders and when they may come."""
