"""Running a person's dialogue flow: the step, its effects, the facts it may know."""
