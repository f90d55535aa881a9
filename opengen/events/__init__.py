"""The public sessions: their search and reads, their JSON, the map's markers, the nine families,
the GEN team's numbers."""
