"""Domain errors: a stable code and the parameters of its message (messages live with the
entrypoints, in Indonesian and English)."""

from __future__ import annotations


class DomainError(Exception):
    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params
