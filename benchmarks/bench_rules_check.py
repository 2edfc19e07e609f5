"""How long `calaudit rules check` takes on rule sets of many keywords.

Run by hand (not by CI), from the repository root, in the project's virtual environment:

    python -m benchmarks.bench_rules_check                 # 2 rules x 10,000 keywords
    python -m benchmarks.bench_rules_check --rules 4 --keywords 20000

Lint compares every rule with every earlier one; comparing keyword against keyword made
it quadratic (one rule of 10,000 keywords took 36 s, two never finished). It should now
grow with the number of keywords, and 2 x 10,000 take well under 5 s. The keywords of the
second rule overlap the first's ("kw17 word" after "kw17"), so that coverage is really
looked up, and each rule reports its findings.
"""

from __future__ import annotations

import argparse
import time

from calaudit import config as config_module
from calaudit.rules_lint import lint


def rules_yaml(rules: int, keywords: int) -> str:
    lines = [
        "version: 1",
        "allocation:",
        "  external: {categories: {a: {target: 50}}}",
        "  internal: {categories: {b: {target: 50}}}",
        "rules:",
    ]
    for r in range(rules):
        words = ", ".join(f"kw{k}" if r == 0 else f"kw{k} word{r}" for k in range(keywords))
        lines += [f"  - category: {'ab'[r % 2]}", f"    title: [{words}]"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=2)
    parser.add_argument("--keywords", type=int, default=10_000)
    args = parser.parse_args()
    text = rules_yaml(args.rules, args.keywords).encode()
    started = time.perf_counter()
    loaded = config_module.parse(text, "bench.yaml")
    loaded_at = time.perf_counter()
    findings = lint(loaded.config)
    done = time.perf_counter()
    print(
        f"{args.rules} rules x {args.keywords:,} keywords ({len(text):,} bytes): "
        f"load {loaded_at - started:.2f} s, lint {done - loaded_at:.2f} s, "
        f"total {done - started:.2f} s, {len(findings)} findings"
    )


if __name__ == "__main__":
    main()
