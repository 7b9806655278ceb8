"""Promises to pay: made with an action, kept or broken by real payments (issue 15)."""
