"""assignments app of the collection workflow service."""
