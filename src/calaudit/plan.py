"""The coming period against the targets: what the calendar already commits, what the
targets would give each category, and the room left. Plain data for the renderers.

* **committed**: the audit of the coming period as the calendar stands today (recurring
  meetings, accepted invitations), through the same accounting as every audit;
* **target_hours** = target% x ``basis_hours``, the mean classified hours of the last
  ``BASIS_PERIODS`` periods of the same kind that have data (targets are shares of
  classified time, so classified time is what they divide); or a basis the user gives;
* **room** = target_hours - committed: hours to book when positive, over when negative.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .audit import AuditResult
from .breakdown import has_data
from .errors import UsageError
from .period import Period

BASIS_PERIODS = 3
LOOK_BACK = 12
"""How many earlier periods are searched for ``BASIS_PERIODS`` with data."""


@dataclass(frozen=True)
class PlanLine:
    """A category or a group of the plan."""

    id: str
    label: str
    target: float
    """Target percentage."""
    committed: float
    target_hours: float

    @property
    def room(self) -> float:
        return self.target_hours - self.committed


@dataclass(frozen=True)
class Plan:
    period: Period
    basis_hours: float
    basis_periods: tuple[str, ...]
    """The periods whose mean gave ``basis_hours``, newest first; empty when it was given."""
    categories: tuple[PlanLine, ...]
    groups: tuple[PlanLine, ...]
    committed: AuditResult
    """The audit of the coming period so far."""


def enough(earlier: Sequence[AuditResult]) -> bool:
    """Whether ``earlier`` holds the ``BASIS_PERIODS`` periods with data that the basis needs."""
    return sum(has_data(result) for result in earlier) >= BASIS_PERIODS


def basis(earlier: Sequence[AuditResult]) -> tuple[float, tuple[str, ...]]:
    """Mean classified hours of the first ``BASIS_PERIODS`` of ``earlier`` (newest first) with data."""
    used = [result for result in earlier if has_data(result)][:BASIS_PERIODS]
    if not used:
        raise UsageError(
            "no earlier period with events to base the targets on; pass --basis-hours H "
            "(the hours you expect to spend in meetings in the period)"
        )
    return sum(r.classified_hours for r in used) / len(used), tuple(r.period.label for r in used)


def build(committed: AuditResult, earlier: Sequence[AuditResult], basis_hours: float | None = None) -> Plan:
    """``earlier``: the periods before ``committed``, newest first (unused with ``basis_hours``)."""
    if basis_hours is None:
        basis_hours, periods = basis(earlier)
    else:
        periods = ()
    categories = tuple(
        PlanLine(c.id, c.label, c.target, c.hours, c.target / 100 * basis_hours) for c in committed.categories
    )
    groups = tuple(
        PlanLine(
            g.id,
            g.label,
            g.target,
            g.hours,
            sum(line.target_hours for line, c in zip(categories, committed.categories, strict=True) if c.group == g.id),
        )
        for g in committed.groups
    )
    return Plan(committed.period, basis_hours, periods, categories, groups, committed)
