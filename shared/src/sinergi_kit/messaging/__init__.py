"""Messaging over NATS JetStream: topology, transactional outbox and relay, idempotent consumers."""
