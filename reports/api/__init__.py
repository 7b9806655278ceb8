"""The reports API: agent, ranking and team performance; the customer collection status."""
