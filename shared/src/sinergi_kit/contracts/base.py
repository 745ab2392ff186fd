"""The base of every event payload and the registry of known event types."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

_REGISTRY: dict[str, type[EventContract]] = {}


class EventContract(BaseModel):
    """An event payload. Subclasses set ``event_type`` (the subject) and ``summary``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_type: ClassVar[str]
    summary: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        event_type = cls.__dict__.get("event_type")
        if event_type is None:
            return
        parts = event_type.split(".")
        if len(parts) != 5 or parts[0] != "sinergi" or not parts[4].startswith("v"):
            raise ValueError(f"event type {event_type!r} is not sinergi.<svc>.<agg>.<verb>.vN")
        if event_type in _REGISTRY:
            raise ValueError(f"event type {event_type!r} is registered twice")
        _REGISTRY[event_type] = cls

    @classmethod
    def producer(cls) -> str:
        return cls.event_type.split(".")[1]

    def subject_id(self) -> str:
        """The id of the aggregate the event is about (CloudEvents ``subject``)."""
        raise NotImplementedError


def contract_for(event_type: str) -> type[EventContract] | None:
    return _REGISTRY.get(event_type)


def registered_contracts() -> dict[str, type[EventContract]]:
    return dict(sorted(_REGISTRY.items()))
