"""agents app of the collection workflow service."""
