"""Django's PostgreSQL backend, sized for server-side binding (``DB_PREPARE_THRESHOLD``)."""
