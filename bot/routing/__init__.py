"""Routing one update: who may do what, and which handler answers."""
