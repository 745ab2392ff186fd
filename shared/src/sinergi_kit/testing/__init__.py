"""Test support: a real NATS server and real databases for every service's tests."""
