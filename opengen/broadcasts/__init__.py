"""The morning live broadcasts: `planner` (the lineup and live status, plain values, no Flask),
`showings` (what the public reads), `operations` (scheduling and edits), `forms` and `desk` (the
staff's form and logged edits), `cli` (the team's commands)."""
