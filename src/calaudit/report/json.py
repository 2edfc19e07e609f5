"""``--format json``: the stable machine-readable contract of DESIGN.md.

Hours are unrounded; percentages (share, target, delta, coverage) are rounded to 0.1.
``--by audience`` adds a ``by_audience`` list, ``--by week`` a ``weeks`` list,
``--compare`` a ``compare`` object and ``--trend`` a ``trend`` list; ``capped`` (the events
the ``multi_day`` cap shortened and the hours it took off) is there when it took off any.
The rest never changes shape.
"""

from __future__ import annotations

import json
from typing import Any

from ..audit import AUDIENCES, AuditResult
from ..breakdown import Change, Views, has_data
from ..period import Period


def _pct(value: float) -> float:
    return round(value, 1)


def to_dict(result: AuditResult, by_audience: bool = False, views: Views | None = None) -> dict[str, Any]:
    data = _contract(result)
    if result.capped.events:
        data["capped"] = {"events": result.capped.events, "hours": result.capped.hours}
    if views is not None:
        data.update(_views(views))
    if by_audience:
        data["by_audience"] = [
            {"category": row.category, **{a: getattr(row, a) for a in AUDIENCES}, "total": row.total}
            for row in result.by_audience
        ]
    return data


def _period(period: Period) -> dict[str, str]:
    return {
        "label": period.label,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "timezone": period.zone.key,
    }


def _views(views: Views) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if views.weeks:
        data["weeks"] = [
            {
                "label": week.period.label,
                "start": week.period.start.isoformat(),
                "end": week.period.end.isoformat(),
                "hours": week.total_hours,
                "categories": {c.id: c.hours for c in week.categories},
            }
            for week in views.weeks
        ]
    if views.comparison is not None:
        comparison = views.comparison
        data["compare"] = {
            "period": _period(comparison.other.period),
            "categories": [_change(c) for c in comparison.categories],
            "groups": [_change(g) for g in comparison.groups],
        }
    if views.trend:
        data["trend"] = [
            {
                "period": _period(past.period),
                "hours": past.total_hours if has_data(past) else None,
                "categories": {c.id: _pct(c.share) if has_data(past) else None for c in past.categories},
            }
            for past in views.trend
        ]
    return data


def _change(change: Change) -> dict[str, Any]:
    """Hours then (unrounded), share then and the change since, in points (rounded to 0.1)."""
    return {
        "id": change.id,
        "hours": change.hours,
        "share": None if change.share is None else _pct(change.share),
        "change": None if change.change is None else _pct(change.change),
    }


def _contract(result: AuditResult) -> dict[str, Any]:
    return {
        "period": _period(result.period),
        "hours": {
            "total": result.total_hours,
            "classified": result.classified_hours,
            "unclassified": result.unclassified_hours,
        },
        "coverage": _pct(result.coverage),
        "groups": [
            {
                "id": g.id,
                "label": g.label,
                "hours": g.hours,
                "share": _pct(g.share),
                "target": _pct(g.target),
                "delta": _pct(g.delta),
                "status": g.status,
            }
            for g in result.groups
        ],
        "categories": [
            {
                "id": c.id,
                "group": c.group,
                "label": c.label,
                "hours": c.hours,
                "share": _pct(c.share),
                "target": _pct(c.target),
                "delta": _pct(c.delta),
                "status": c.status,
                "events": c.events,
            }
            for c in result.categories
        ],
        "unclassified": [{"title": t.title, "hours": t.hours, "events": t.events} for t in result.unclassified],
        "skipped": {key: {"events": entry.events, "hours": entry.hours} for key, entry in result.skipped.items()},
    }


def render(result: AuditResult, by_audience: bool = False, views: Views | None = None) -> str:
    return json.dumps(to_dict(result, by_audience, views), indent=2, ensure_ascii=False) + "\n"
