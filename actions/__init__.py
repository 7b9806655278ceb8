"""actions app of the collection workflow service."""
