"""PNG charts of the monthly report, drawn with matplotlib's headless Agg backend."""

from __future__ import annotations

import io
import math
import os
import tempfile
from pathlib import Path

from ..audit import GroupResult
from ..monthly import MonthlyReport


def _writable_config_dir() -> None:
    """matplotlib needs a writable folder for its config and font cache, and prints two
    warnings on every run without one (a read-only HOME, say): give it a private one."""
    if "MPLCONFIGDIR" in os.environ:
        return
    default = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "matplotlib"
    try:
        default.mkdir(parents=True, exist_ok=True)
        writable = os.access(default, os.W_OK)
    except OSError:
        writable = False
    if not writable:
        os.environ["MPLCONFIGDIR"] = tempfile.mkdtemp(prefix="calaudit-matplotlib-")


_writable_config_dir()

import matplotlib  # noqa: E402 - after its config folder is settled

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

_ACTUAL = {"external": "#d9822b", "internal": "#2b7bb9"}
_TARGET = "#9aa5b1"


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return buffer.getvalue()


def allocation(report: MonthlyReport) -> bytes:
    """Actual vs target share per category, external categories first."""
    categories = report.result.categories
    figure = Figure(figsize=(7.5, 3.6))
    axes = figure.subplots()
    positions = range(len(categories))
    axes.bar([p - 0.2 for p in positions], [c.share for c in categories], width=0.4,
             color=[_ACTUAL[c.group] for c in categories], label="actual")  # fmt: skip
    axes.bar([p + 0.2 for p in positions], [c.target for c in categories], width=0.4, color=_TARGET, label="target")
    axes.set_xticks(list(positions), [c.label for c in categories], rotation=30, ha="right", fontsize=8)
    axes.set_ylabel("% of classified time")
    axes.set_title(f"Actual vs target, {report.result.period.label}", fontsize=10)
    axes.legend(fontsize=8, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def trend_lines(report: MonthlyReport) -> list[tuple[GroupResult, list[float]]]:
    """Each group and its share per period; NaN (a gap in the line) for a period without data."""
    return [
        (group, [math.nan if share is None else share for share in report.shares(group.id, group=True)])
        for group in report.result.groups
    ]


def trend(report: MonthlyReport) -> bytes:
    """Share of external and internal time over the previous periods and this one."""
    labels = [r.period.label for r in report.timeline]
    figure = Figure(figsize=(4.5, 2.4))
    axes = figure.subplots()
    for group, shares in trend_lines(report):
        axes.plot(labels, shares, marker="o", color=_ACTUAL[group.id], label=group.label)
        axes.axhline(group.target, color=_ACTUAL[group.id], linestyle=":", linewidth=1)
    axes.set_ylim(0, 100)
    axes.set_ylabel("%", fontsize=8)
    axes.tick_params(labelsize=8)
    axes.set_title("External vs internal (dotted: target)", fontsize=9)
    axes.legend(fontsize=7, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)
