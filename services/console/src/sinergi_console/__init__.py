"""The admin console: server-rendered pages over the services' HTTP APIs."""
