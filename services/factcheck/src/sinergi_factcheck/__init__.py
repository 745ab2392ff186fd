"""Sinergi factcheck service."""
