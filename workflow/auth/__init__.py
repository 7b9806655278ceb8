"""Authentication with the CRM auth service's tokens and Redis sessions (DESIGN.md §4)."""
