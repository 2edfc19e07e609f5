"""Per-module mutation scores from ``mutmut results --all true`` on standard input.

Score = killed / (all mutants that were run). A timeout counts as killed (the mutant
hangs, a test noticed); "no tests" and "suspicious" count as survivors. Survivors are
listed by name; ``mutmut show NAME`` prints the change.
"""

from __future__ import annotations

import math
import re
import sys
from collections import defaultdict

KILLED = {"killed", "timeout", "caught by type check"}
NOT_RUN = {"not checked", "skipped", "check was interrupted by user"}


def module_of(mutant: str) -> str:
    """``calaudit.period.x_parse__mutmut_3`` and ``calaudit.rules.xǁRuleSetǁclassify__mutmut_1``."""
    return re.split(r"\.x[_ǁ]", mutant, maxsplit=1)[0].removeprefix("calaudit.")


def main(wanted: list[str], only: set[str] | None = None) -> None:
    """``only``: the names of a sample (benchmarks/mutation_sample.py); others are left out."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    survivors: dict[str, list[str]] = defaultdict(list)
    for line in sys.stdin:
        name, _, status = line.strip().rpartition(": ")
        if not name or status in NOT_RUN or (only is not None and name not in only):
            continue
        module = module_of(name)
        if wanted and module not in wanted:
            continue
        counts[module]["killed" if status in KILLED else "survived"] += 1
        if status not in KILLED:
            survivors[module].append(f"{name} ({status})")
    note = "  (a sample: ±2 standard errors)" if only else ""
    print(f"{'module':<16} {'mutants':>7} {'killed':>7} {'score':>6}{note}")
    for module in sorted(counts):
        killed, survived = counts[module]["killed"], counts[module]["survived"]
        score = killed / (killed + survived)
        margin = f"  ±{200 * math.sqrt(score * (1 - score) / (killed + survived)):.1f}" if only else ""
        print(f"{module:<16} {killed + survived:>7} {killed:>7} {100 * score:>5.1f}%{margin}")
    for module in sorted(survivors):
        print(f"\nsurvivors in {module}:")
        print("\n".join(f"  {name}" for name in survivors[module]))


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if arguments[:1] == ["--only"]:
        with open(arguments[1]) as sample:
            main(arguments[2:], {line.strip() for line in sample if line.strip()})
    else:
        main(arguments)
