"""How long calaudit takes to start, against the imports it cannot avoid.

Run by hand (not by CI), from the repository root, in the project's virtual environment:

    python -m benchmarks.bench_startup            # median of 5 runs each
    python -m benchmarks.bench_startup --runs 9

Every figure is a whole process (interpreter start, imports, work, exit), measured in
the same run as its baseline, and reported as a ratio to it:

* ``calaudit --help`` against ``python -c "import click, rich.console"`` (target ≤ 4×);
* a shell TAB completion (``calaudit au<TAB>``, bash protocol) against the same baseline;
* ``calaudit audit --demo`` against importing what an audit needs: pandas, icalendar,
  recurring_ical_events, pydantic, yaml, rich and click (target ≤ 1.4×).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

PYTHON = sys.executable
CALAUDIT = shutil.which("calaudit") or "calaudit"
CLI_IMPORTS = "import click, rich.console"
AUDIT_IMPORTS = "import pandas, icalendar, recurring_ical_events, pydantic, yaml, rich.console, rich.table, click"
COMPLETION_ENV = {"_CALAUDIT_COMPLETE": "bash_complete", "COMP_WORDS": "calaudit au", "COMP_CWORD": "1"}


def seconds(command: list[str], runs: int, extra_env: dict[str, str] | None = None) -> float:
    """The median wall time of ``runs`` runs of ``command`` (after one warm-up run)."""
    env = {**os.environ, **(extra_env or {})}
    times = []
    for attempt in range(runs + 1):
        started = time.perf_counter()
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if attempt:
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    cli_base = seconds([PYTHON, "-c", CLI_IMPORTS], runs)
    audit_base = seconds([PYTHON, "-c", AUDIT_IMPORTS], runs)
    rows = [
        ("calaudit --help", seconds([CALAUDIT, "--help"], runs), cli_base, 4.0),
        ("TAB completion", seconds([CALAUDIT], runs, COMPLETION_ENV), cli_base, None),
        ("calaudit audit --demo", seconds([CALAUDIT, "audit", "--demo"], runs), audit_base, 1.4),
    ]
    print(f"baselines (median of {runs}): import click+rich {cli_base:.3f} s; audit's imports {audit_base:.3f} s")
    print(f"{'command':<24} {'seconds':>8} {'ratio':>6}  target")
    for name, measured, base, target in rows:
        goal = f"<= {target:g}x" if target else "well under 0.3 s"
        print(f"{name:<24} {measured:>8.3f} {measured / base:>5.2f}x  {goal}")


if __name__ == "__main__":
    main()
