"""Delivery to other people than the current one: the outbox and the clock-driven tick."""
