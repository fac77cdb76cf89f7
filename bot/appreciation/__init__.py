"""Appreciation from a coordinator to one volunteer or to many."""
