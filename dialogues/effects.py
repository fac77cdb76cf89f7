"""The effects a flow may ask for. The engine only names them; bot/flows/effects.py applies them
to storage in the same transaction as the new dialogue state."""

EFFECT_KINDS = frozenset(
    {
        "journal",  # save the answers as a journal entry (complete or not)
        "asked_questions",  # remember which appreciative questions were asked (rotation)
        "step_new",  # a new small step in the volunteer's own words or a suggestion
        "step_update",  # last time's step: gelukt / deels / nog_niet / niet_nodig
        "signal",  # a worry about the resident, to the signal flow / professional
        "signal_urgent",  # an urgent worry goes out in the step where it became urgent
        "support_request",  # the volunteer asks their contact person to get in touch
        "resident_add",
        "resident_rename",
        "resident_end",
        "rhythm",  # usual visit moment and reminders
        "reminders",  # plan the reminders for that moment (after `rhythm`)
        "appreciation",  # one outbox row per recipient plus a broadcasts row
        "start_flow",  # hand over to another flow when this one ends
        "signal_close",  # a contact person closes a signal, with an optional word back
        "signal_message",  # a contact person answers the volunteer about a signal
        "relationship_review",  # the 3- or 11-month review of a contact was done (journal entry)
        "tell_professional_need",  # end of contact: the resident may still need someone
    }
)
