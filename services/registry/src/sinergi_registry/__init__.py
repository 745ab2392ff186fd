"""Sinergi registry: the source of truth for accounts, people and organisations."""
