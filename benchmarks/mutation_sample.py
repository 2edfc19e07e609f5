"""A fixed sample of mutants per module, from ``mutmut results --all true`` on standard input.

    python benchmarks/mutation_sample.py N [MODULE...] < results > names

Prints the names of N mutants of each core module (all of them when it has fewer),
chosen by the SHA-1 of their names: the same mutants on every run of the same code, and
spread over every function, unlike the first N mutmut would run (it runs the mutants with
the fewest and fastest tests first). The score of a sample estimates the module's score
within about ±2·sqrt(p(1-p)/N), e.g. ±4 points at N = 150 and a score near 85%.
"""

from __future__ import annotations

import hashlib
import sys
from collections import defaultdict

from benchmarks.mutation_score import module_of


def main(size: int, wanted: list[str]) -> None:
    names: dict[str, list[str]] = defaultdict(list)
    for line in sys.stdin:
        name = line.strip().rpartition(": ")[0]
        if name and (not wanted or module_of(name) in wanted):
            names[module_of(name)].append(name)
    for module in sorted(names):
        chosen = sorted(names[module], key=lambda name: hashlib.sha1(name.encode()).hexdigest())[:size]
        print("\n".join(sorted(chosen)))


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2:])
