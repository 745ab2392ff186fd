"""Sinergi's common kit: what every service stands on."""
