"""Request helpers shared by the routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from sinergi_events.service_layer.context import EventsContext
from sinergi_kit.i18n import Lang, negotiate

# Both dependencies are coroutines so FastAPI calls them in the event loop: a plain function
# would be sent to the thread pool and back on every request.


async def events_context(request: Request) -> EventsContext:
    """One context per app, made on first use (tests may replace its clock)."""
    state = request.app.state
    if not hasattr(state, "events_context"):
        state.events_context = EventsContext.of(state.runtime)
    context: EventsContext = state.events_context
    return context


async def language(request: Request) -> Lang:
    return negotiate(request.headers.get("accept-language"))


Context = Annotated[EventsContext, Depends(events_context)]
Language = Annotated[Lang, Depends(language)]
