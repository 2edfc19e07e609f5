"""``--format json``: the stable machine-readable contract of DESIGN.md.

Hours are unrounded; percentages (share, target, delta, coverage) are rounded to 0.1.
``--by audience`` adds a ``by_audience`` list; ``capped`` (the events the ``multi_day`` cap
shortened and the hours it took off) is there when it took off any. The rest never changes
shape.
"""

from __future__ import annotations

import json
from typing import Any

from ..audit import AUDIENCES, AuditResult


def _pct(value: float) -> float:
    return round(value, 1)


def to_dict(result: AuditResult, by_audience: bool = False) -> dict[str, Any]:
    data = _contract(result)
    if result.capped.events:
        data["capped"] = {"events": result.capped.events, "hours": result.capped.hours}
    if by_audience:
        data["by_audience"] = [
            {"category": row.category, **{a: getattr(row, a) for a in AUDIENCES}, "total": row.total}
            for row in result.by_audience
        ]
    return data


def _contract(result: AuditResult) -> dict[str, Any]:
    period = result.period
    return {
        "period": {
            "label": period.label,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "timezone": period.zone.key,
        },
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


def render(result: AuditResult, by_audience: bool = False) -> str:
    return json.dumps(to_dict(result, by_audience), indent=2, ensure_ascii=False) + "\n"
