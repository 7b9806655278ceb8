"""reports app of the collection workflow service."""
