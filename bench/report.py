"""A benchmark figure beside its baseline and target."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    target: str
    met: bool
    baseline_name: str = ""
    baseline_value: float | None = None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def markdown_table(figures: list[Figure]) -> str:
    lines = [
        "| figure | value | baseline (same run) | target | met |",
        "|---|---|---|---|---|",
    ]
    for f in figures:
        baseline = (
            f"{f.baseline_name}: {f.baseline_value:,.1f}" if f.baseline_value is not None else "—"
        )
        lines.append(
            f"| {f.name} | {f.value:,.1f} {f.unit} | {baseline} | {f.target} | "
            f"{'yes' if f.met else 'NO'} |"
        )
    return "\n".join(lines)
