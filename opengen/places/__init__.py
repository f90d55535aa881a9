"""Where things are: place text, the gazetteer, the geocoders, distances, the spatial index, venues."""
