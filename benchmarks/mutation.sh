#!/usr/bin/env bash
# Mutation testing of the core with mutmut (a test extra): which one-line bugs would the
# tests let through? Not part of CI (.ci/run); see README, "Testing", for the scores and
# the survivors judged equivalent.
#
#   benchmarks/mutation.sh                    every mutant of every core module ([tool.mutmut] only_mutate)
#   benchmarks/mutation.sh period rules       only these (names under src/calaudit, dots for packages)
#   SAMPLE=30 benchmarks/mutation.sh          30 mutants of each module (about half an hour on two cores)
#   FOCUS=1 benchmarks/mutation.sh sources.ics  without the delivery tests for mutants upstream of them
#
# Configuration is [tool.mutmut] in pyproject.toml: which files are mutated, the pytest
# options (tests marked "slow", the subprocess ones, are left out: they kill nothing the
# in-process tests do not, and would make each mutant seconds slower) and mypy, which
# catches some mutants before any test runs. Results stay in mutants/ (git-ignored).
# Without module names or SAMPLE, a second run tests only new or changed functions (run
# with new tests: "mutmut run NAME..." retests given survivors). "mutmut show NAME" shows a
# survivor. CHILDREN sets the parallel test processes (default 2).
#
# tests/conftest.py runs the mutated module's own tests first (test_<module>_mutants.py,
# test_<module>*.py, then test_bad_inputs.py), so a mutant is killed sooner; the tests run
# are the same. FOCUS=1 also leaves out the delivery tests (cron, deliver, history, google:
# SMTP and HTTP servers, half of what a survivor of ics costs) for mutants of the other
# modules; a verdict can then only move from killed to survived, so the score is a lower
# bound and every survivor is judged by hand anyway.
#
# The whole core is about 5,000 mutants; mutmut runs those with the fewest and fastest
# tests first, so the last ones (the audit, covered by most of the suite) are the slowest:
# a full run takes hours on two cores. A sample (benchmarks/mutation_sample.py: the same
# mutants every time, spread over every function) estimates each module's score within a
# few points in under half an hour.
set -euo pipefail
cd "$(dirname "$0")/.."

modules=("$@")
patterns=()
for module in "${modules[@]}"; do
    patterns+=("calaudit.${module}.*")
done

started=$(date +%s)
if [[ -n "${FOCUS:-}" ]]; then
    export MUTATION_FOCUS=1
fi
only=()
if [[ -n "${SAMPLE:-}" ]]; then
    # Generate the mutants (and mutmut's map of which tests run which function), testing
    # only the first mutant of each period function (mutmut refuses a filter matching
    # nothing), then test the sample by name.
    mutmut run --max-children "${CHILDREN:-2}" "calaudit.period.x_*__mutmut_1" >mutants-run.log 2>&1 || {
        tail -n 40 mutants-run.log
        exit 1
    }
    mutmut results --all true | python3 -m benchmarks.mutation_sample "$SAMPLE" "${modules[@]}" >mutants-sample.txt
    only=(--only mutants-sample.txt)
    mapfile -t patterns <mutants-sample.txt
fi
mutmut run --max-children "${CHILDREN:-2}" "${patterns[@]+"${patterns[@]}"}" >>mutants-run.log 2>&1 || {
    tail -n 40 mutants-run.log
    exit 1
}
echo "mutmut ran $(( ($(date +%s) - started) / 60 )) min; full log in mutants-run.log"

mutmut results --all true | python3 benchmarks/mutation_score.py "${only[@]+"${only[@]}"}" "${modules[@]}"
