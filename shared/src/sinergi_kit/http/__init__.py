"""HTTP helpers shared by every service: problem details, health, metrics, tracing."""
