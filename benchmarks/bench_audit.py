"""How much a month's audit costs compared with a bare icalendar parse of the same file.

Run by hand (not by CI), from the repository root, in the project's virtual environment:

    python -m benchmarks.bench_audit                  # both mixes, 10k, 20k and 100k VEVENTs
    python -m benchmarks.bench_audit --mix realistic --sizes 20000 --repeat 1

Every measurement runs in a fresh subprocess, which reports the seconds of the work
itself (imports excluded, also those calaudit makes lazily) and its peak RSS (VmHWM; Linux); each is run ``--repeat``
times (3 by default; the full parse once) and the median is reported, since a shared
machine is noisy. The
baseline, a bare ``icalendar.Calendar.from_ical`` of the file, is measured in the same
run, and each calaudit path is reported as a ratio to it:

* full: no pre-filter, no cache (parse everything, expand the month, audit);
* cold: the pre-filter, with an empty cache (which it fills);
* warm: the same again, the file unchanged (served from the cache).

``proc s`` is the wall time of the whole child process (interpreter start-up and imports
included; the bare child imports only icalendar), also as a ratio to the bare one.

Two calendar mixes (``--mix``): ``synthetic`` (ten sparse years, see benchmarks/synthetic.py)
and ``realistic`` (two dense years with many COUNT series, see benchmarks/realistic.py).
The three calaudit paths must produce identical JSON; the script checks this.

The rules are the demo's (``--rules`` takes another rules.yaml). They read no description
or location, so calaudit does not parse those properties (``pipeline.unread_fields``):
rules that read descriptions make a cold run slower (the README gives both).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import realistic, synthetic

MIXES = {"synthetic": synthetic.generate, "realistic": realistic.generate}

CHILD = r"""
import json, sys, time
kind, path, cache_dir, period_label, rules = sys.argv[1:6]
if kind == "bare":
    import icalendar
    data = open(path, "rb").read()
    started = time.perf_counter()
    icalendar.Calendar.from_ical(data)
    seconds, result = time.perf_counter() - started, None
else:
    from datetime import UTC, datetime
    from pathlib import Path
    from calaudit import pipeline
    from calaudit.audit import audit
    from calaudit.period import parse_period
    from calaudit.report.json import to_dict
    from calaudit.config import load
    from calaudit.sources.cache import EventCache
    import calaudit.sources.ics, icalendar, pandas, recurring_ical_events, x_wr_timezone  # imported lazily
    loaded = load(Path(rules)) if rules else pipeline.demo_config()
    started = time.perf_counter()
    period = parse_period(period_label, loaded.zone, datetime.now(UTC))
    cache = EventCache(Path(cache_dir)) if kind != "full" else None
    [source] = pipeline.build_sources(loaded, [path], prefilter=kind != "full", cache=cache)
    fetched = source.fetch(period)
    result = to_dict(audit(fetched.events, loaded.config, period, fetched.invalid))
    seconds = time.perf_counter() - started
# VmHWM is the peak RSS of this address space only; ru_maxrss would include the
# parent's memory from before exec.
with open("/proc/self/status") as status:
    peak_mb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "result": result}))
"""


def measure_once(kind: str, path: Path, cache_dir: Path, period: str, rules: str) -> dict[str, object]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, kind, str(path), str(cache_dir), period, rules],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    measured: dict[str, object] = json.loads(done.stdout)
    measured["process"] = time.perf_counter() - started
    return measured


def measure(kind: str, path: Path, cache_dir: Path, period: str, repeat: int, rules: str = "") -> dict[str, object]:
    """Median seconds and peak of ``repeat`` runs; a cold run starts from an empty cache each time.

    The full parse, there for the identity check and slow, runs once."""
    runs = []
    for _ in range(1 if kind == "full" else repeat):
        if kind == "cold":
            shutil.rmtree(cache_dir, ignore_errors=True)
        runs.append(measure_once(kind, path, cache_dir, period, rules))
    results = [run["result"] for run in runs]
    if any(result != results[0] for result in results):
        sys.exit(f"{kind}: repeated runs gave different results")
    return {
        "seconds": statistics.median(float(run["seconds"]) for run in runs),  # type: ignore[arg-type]
        "peak_mb": statistics.median(float(run["peak_mb"]) for run in runs),  # type: ignore[arg-type]
        "process": statistics.median(float(run["process"]) for run in runs),  # type: ignore[arg-type]
        "result": results[0],
    }


def demo_seconds(runs: int = 5) -> float:
    """Best wall time of the whole ``calaudit audit --demo`` command, start-up included."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "calaudit", "audit", "--demo", "--format", "json"],
            capture_output=True, check=True,
        )  # fmt: skip
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mix", choices=[*MIXES, "both"], default="both")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 20000, 100000])
    parser.add_argument("--period", default="2026-03")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported")
    parser.add_argument(
        "--rules", default="", help="a rules.yaml to audit with (default: the demo rules, which read no description)"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="calaudit-bench-"))
    print(f"{'mix':<9} {'VEVENTs':>8} {'MB':>6} {'bare s':>7} {'bare MB':>8} | {'path':<5} {'s':>7} {'x bare':>7} "
          f"{'peak MB':>8} {'x bare':>7} | {'proc s':>7} {'x bare':>7}", flush=True)  # fmt: skip
    for mix in MIXES if args.mix == "both" else [args.mix]:
        for size in args.sizes:
            bench(mix, size, work, args.period, args.repeat, str(Path(args.rules).resolve()) if args.rules else "")
    print(f"calaudit audit --demo (whole command, best of 5): {demo_seconds():.2f} s")


def bench(mix: str, size: int, work: Path, period: str, repeat: int, rules: str) -> None:
    path = work / f"{mix}-{size}.ics"
    path.write_bytes(MIXES[mix](size))
    megabytes = path.stat().st_size / 1e6
    bare = measure("bare", path, work, period, repeat)
    bare_s, bare_mb = float(bare["seconds"]), float(bare["peak_mb"])  # type: ignore[arg-type]
    bare_process = float(bare["process"])  # type: ignore[arg-type]
    cache_dir = work / f"cache-{mix}-{size}"
    results = {}
    for kind in ("full", "cold", "warm"):
        m = measure(kind, path, cache_dir, period, repeat, rules)
        results[kind] = m["result"]
        seconds, peak = float(m["seconds"]), float(m["peak_mb"])  # type: ignore[arg-type]
        process = float(m["process"])  # type: ignore[arg-type]
        print(f"{mix:<9} {size:>8} {megabytes:>6.1f} {bare_s:>7.2f} {bare_mb:>8.0f} | {kind:<5} {seconds:>7.3f} "
              f"{seconds / bare_s:>7.3f} {peak:>8.0f} {peak / bare_mb:>7.2f} | {process:>7.2f} "
              f"{process / bare_process:>7.3f}", flush=True)  # fmt: skip
    same = results["full"] == results["cold"] == results["warm"]
    print(f"{'':>18} identical results on the full, cold and warm paths: {same}", flush=True)
    path.unlink()
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
