"""The volunteer's own coach: /bezoek, the journal, steps, residents, the overview picture."""
