"""`competency --help` wall time (budget < 0.5 s: WeasyPrint and plotly are imported lazily).

.venv/bin/python -m bench.cli_help [--runs 20]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench._support import machine, write_section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    command = [str(Path(sys.executable).parent / "competency"), "--help"]
    subprocess.run(command, check=True, capture_output=True)
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    ordered = sorted(times)
    table = "\n".join(
        [
            "## Command line start-up",
            "",
            f"`python -m bench.cli_help --runs {args.runs}`, {machine()}. Budget: < 0.5 s.",
            "",
            "| command | median | slowest |",
            "| --- | ---: | ---: |",
            f"| `competency --help` | {statistics.median(times) * 1000:.0f} ms | {ordered[-1] * 1000:.0f} ms |",
        ]
    )
    print(table)
    write_section("cli_help", table)


if __name__ == "__main__":
    main()
