"""``python -m bench [--quick] [--only NAME]``: run the benchmarks, print and save the table."""

from __future__ import annotations

import argparse
import json
import platform
from pathlib import Path
from typing import Any

from bench import bus, events, factcheck, notify, registry
from bench.report import Figure, markdown_table

RESULTS = Path(__file__).parent / "results"
SUITES = {
    "bus": bus.run,
    "events": events.run,
    "factcheck": factcheck.run,
    "notify": notify.run,
    "registry": registry.run,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small smoke run (CI)")
    parser.add_argument("--only", choices=sorted(SUITES), action="append")
    args = parser.parse_args()
    figures: list[Figure] = []
    for name in args.only or sorted(SUITES):
        print(f"== {name}", flush=True)
        figures += SUITES[name](quick=args.quick)
    table = markdown_table(figures)
    print(table)
    RESULTS.mkdir(exist_ok=True)
    suffix = ("-quick" if args.quick else "") + "".join(f"-{name}" for name in args.only or [])
    payload: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "quick": args.quick,
        "figures": [f.as_dict() for f in figures],
    }
    (RESULTS / f"results{suffix}.json").write_text(json.dumps(payload, indent=2) + "\n")
    (RESULTS / f"results{suffix}.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
