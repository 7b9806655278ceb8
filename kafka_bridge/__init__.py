"""kafka_bridge app of the collection workflow service."""
