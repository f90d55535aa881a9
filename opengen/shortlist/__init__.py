"""A visitor's shortlist, shown as « Mon programme »: `selection` loads the starred sessions,
`clashes` finds the overlaps and the trips too long (plain values, no Flask)."""
