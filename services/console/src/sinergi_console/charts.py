"""Bar charts drawn server-side as inline SVG: the geometry here, the markup in a template."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

BAR_HEIGHT = 22
BAR_GAP = 6
PLOT_WIDTH = 360


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int
    width: int


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    total: int

    @property
    def height(self) -> int:
        return max(1, len(self.bars)) * (BAR_HEIGHT + BAR_GAP)


def bar_chart(
    title: str,
    counts: Mapping[str, int],
    labels: Mapping[str, str] | None = None,
    *,
    sort: bool = True,
) -> BarChart:
    """Largest first when ``sort``; a bar's width is its share of the largest value."""
    items = list(counts.items())
    if sort:
        items.sort(key=lambda item: (-item[1], item[0]))
    peak = max((value for _, value in items), default=0)
    bars = [
        Bar(
            label=(labels or {}).get(key, key),
            value=value,
            y=index * (BAR_HEIGHT + BAR_GAP),
            width=round(PLOT_WIDTH * value / peak) if peak else 0,
        )
        for index, (key, value) in enumerate(items)
    ]
    return BarChart(title=title, bars=bars, total=sum(counts.values()))
