"""``calaudit rules check`` and ``rules suggest``: the rules summarised, linted and extended."""

from __future__ import annotations

import json
from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..audit import AuditResult
from ..config import LoadedConfig
from ..rules_lint import Finding, Usage
from ..rules_suggest import Suggestions
from . import count, hours

TOP_KEYWORDS = 10


def table(result: AuditResult, found: Suggestions) -> RenderableType:
    if not found.groups:
        return Text(f"No unclassified time in {result.period.label}: nothing to suggest.")
    groups = Table(
        title=f"Unclassified time in {result.period.label}: {hours(result.unclassified_hours)} h "
        f"in {count(len(found.groups), 'group')}",
        title_justify="left",
        show_edge=False,
        pad_edge=False,
    )
    for name, justify in (
        ("Group", "left"),
        ("Example", "left"),
        ("Hours", "right"),
        ("Events", "right"),
        ("Keywords", "left"),
        ("Hint", "left"),
    ):
        groups.add_column(name, justify=justify)  # type: ignore[arg-type]
    for g in found.groups:
        groups.add_row(
            Text(g.key), Text(g.example), hours(g.hours), str(g.events), Text(", ".join(g.keywords)), Text(g.hint or "")
        )
    keywords = Table(title="Top keywords", title_justify="left", show_edge=False, pad_edge=False)
    for name in ("Keyword", "Unclassified h", "In classified titles"):
        keywords.add_column(name, justify="left" if name == "Keyword" else "right")
    for k in found.keywords[:TOP_KEYWORDS]:
        keywords.add_row(Text(k.keyword), hours(k.unclassified_hours), f"{100 * k.classified_share:.0f}%")
    return Group(groups, Text(""), keywords)


def yaml(result: AuditResult, found: Suggestions) -> str:
    """Rule snippets; groups without a category hint are commented out."""
    lines = [
        f"# calaudit rules suggest: {result.period.label}, {hours(result.unclassified_hours)} h unclassified.",
        "# Paste under 'rules:' and check each category: it is a hint from similar meetings.",
    ]
    for g in found.groups:
        if not g.keywords:
            continue
        title = ", ".join(json.dumps(k, ensure_ascii=False) for k in g.keywords)  # YAML reads JSON strings
        note = f"{hours(g.hours)} h, {count(g.events, 'event')}, e.g. {json.dumps(g.example, ensure_ascii=False)}"
        prefix = "" if g.hint else "# "
        lines.append(f"{prefix}  - category: {g.hint or 'CHOOSE'}  # {note}")
        lines.append(f"{prefix}    title: [{title}]")
    return "\n".join(lines) + "\n"


def check(loaded: LoadedConfig, findings: Sequence[Finding], result: AuditResult | None, used: Usage | None) -> Text:
    """The summary of a rules file, its rule hits in a period when audited, and the findings."""
    config = loaded.config
    rule_counts: dict[str, int] = {}
    for rule in config.rules:
        key = "ignore" if rule.ignore else str(rule.category)
        rule_counts[key] = rule_counts.get(key, 0) + 1
    lines = [
        f"{loaded.path or 'bundled demo rules'}: valid (rules version {loaded.digest[:12]})",
        f"time zone: {loaded.zone.key}" + ("" if config.timezone else " (this machine's)"),
        f"owner: {', '.join(config.owner) or '(not set: declined meetings cannot be recognised)'}",
        f"internal domains: {', '.join(config.internal_domains) or '(not set: everyone is external)'}",
    ]
    for cid, (_, category) in config.categories().items():
        lines.append(f"  {cid:<14} {category.target:>5g}%  {count(rule_counts.get(cid, 0), 'rule')}  {category.label}")
    lines.append(
        f"{count(len(config.rules), 'rule')} ({rule_counts.get('ignore', 0)} ignore), "
        f"{count(len(config.examples), 'example')}, {count(len(config.sources), 'source')}"
    )
    if result is not None and used is not None:
        lines.append(f"rule hits in {result.period.label} ({count(len(result.occurrences), 'occurrence')}):")
        for index, hits in enumerate(used.hits):
            lines.append(f"  rules[{index}] {hits:>5}  {config.rules[index].category or 'ignore'}")
        findings = [*findings, *used.unmatched]
    lines += [f"warning: {finding}" for finding in findings]
    lines.append(count(len(findings), "warning") if findings else "no warnings")
    return Text("\n".join(lines))
