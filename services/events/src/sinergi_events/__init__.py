"""Sinergi events service."""
