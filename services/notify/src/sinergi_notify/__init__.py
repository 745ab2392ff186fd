"""Sinergi notify service."""
