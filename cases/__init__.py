"""cases app of the collection workflow service."""
