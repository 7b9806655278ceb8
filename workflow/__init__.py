"""Shared core of the collection workflow service."""
