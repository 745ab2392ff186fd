"""Routes are matched one by one in the order the service definition lists its routers (the
busiest first). Reordering must never hand a request to another route: no route of any
service may be reachable only in theory because an earlier one matches all its requests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.routing import Match, Route

from sinergi_kit.testing.apps import SERVICES, build_service_app

SAMPLE_VALUE = "0192f5a8-5c1e-7c3a-9d2b-3f4e5a6b7c8d"


@pytest.mark.parametrize("name", SERVICES)
def test_no_route_is_shadowed_by_an_earlier_one(name: str, tmp_path: Path) -> None:
    app = build_service_app(name, f"sqlite+aiosqlite:///{tmp_path / 'service.db'}").app
    routes = [route for route in app.router.routes if isinstance(route, Route)]
    assert len(routes) > 10
    shadowed = []
    for index, route in enumerate(routes):
        path = re.sub(r"{[^}]+}", SAMPLE_VALUE, route.path)
        for method in route.methods or ():
            scope = {"type": "http", "path": path, "method": method, "root_path": ""}
            earlier = next((e for e in routes[:index] if e.matches(scope)[0] == Match.FULL), None)
            if earlier is not None:
                shadowed.append(f"{method} {route.path} by {earlier.path}")
    assert shadowed == []
