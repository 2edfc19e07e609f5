#!/usr/bin/env bash
# Mutation testing of the core with mutmut (a test extra): which one-line bugs would the
# tests let through? Not part of CI (.ci/run); see README, "Testing", for the scores and
# the survivors judged equivalent.
#
#   benchmarks/mutation.sh                    every core module ([tool.mutmut] only_mutate)
#   benchmarks/mutation.sh period rules       only these (names under src/calaudit, dots for packages)
#
# Configuration is [tool.mutmut] in pyproject.toml: which files are mutated, and the pytest
# options (tests marked "slow", the subprocess ones, are left out: they kill nothing the
# in-process tests do not, and would make each mutant seconds slower). Results stay in
# mutants/ (git-ignored): without module names a second run tests only new or changed
# functions (run with new tests: "mutmut run NAME..." retests given survivors); with module
# names every mutant of those modules is tested again. "mutmut show NAME" shows a survivor.
# CHILDREN sets the parallel test processes (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."

modules=("$@")
patterns=()
for module in "${modules[@]}"; do
    patterns+=("calaudit.${module}.*")
done

started=$(date +%s)
mutmut run --max-children "${CHILDREN:-2}" "${patterns[@]+"${patterns[@]}"}" >mutants-run.log 2>&1 || {
    tail -n 40 mutants-run.log
    exit 1
}
echo "mutmut ran $(( ($(date +%s) - started) / 60 )) min; full log in mutants-run.log"

mutmut results --all true | python3 benchmarks/mutation_score.py "${modules[@]}"
