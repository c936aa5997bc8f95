"""From a check's rows to its findings: one finding per subjects and target.

Two builders, chosen by the check's header (graph.checks.spec): ``findings`` fills the
``explain`` template; ``pairs`` says where and when two compared facts overlap (the
overlap checks: areas that intersect, periods that share days).
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date

from ..loader.facts import parse_date
from .context import Context
from .finding import Finding, join
from .spec import CheckSpec
from .template import fill

#: the order verbs are named in when a pair overlaps in several roles
VERB_ORDER = ("lead", "coordinate", "monitor", "implement")


def _value(row, name: str):
    term = row[name]
    return None if term is None else term.value


def _groups(ctx: Context, spec: CheckSpec, rows: list) -> dict[tuple, list]:
    """Rows by (sorted subject ids, target id), in the order first met."""
    groups: dict[tuple, list] = {}
    for r in rows:
        subjects = tuple(sorted(ctx.id(r[c]) for c in spec.subjects))
        groups.setdefault((subjects, ctx.id(r[spec.target])), []).append(r)
    return groups


def build_findings(ctx: Context, spec: CheckSpec, rows: list) -> list[Finding]:
    """Findings whose words are the check's ``explain`` template."""
    findings = []
    for (subjects, target), group in _groups(ctx, spec, rows).items():
        columns: dict[str, list[str]] = defaultdict(list)
        for r in group:
            for col, term in r.items():
                values = columns[col]  # every selected column, bound or not
                if term is not None and term.value not in values:
                    values.append(term.value)
        for col in columns:
            columns[col].sort(key=ctx.id)

        def evaluate(expr: str, columns=columns) -> list[str]:
            return ctx.evaluate(expr, columns)

        template, values = fill(spec.explain, lambda e: [ctx.id(v) for v in evaluate(e)])
        refs: dict[str, str | list[str]] = dict(values)
        examined = [iri for expr in spec.sources for iri in evaluate(expr)]
        findings.append(Finding(spec.name, list(subjects), target, template, refs,
                                ctx.sources_of(examined)))
    return findings


# --------------------------------------------------------------------------- pairs


def _granularity(start: date | None, end: date | None) -> int:
    """4 (years), 7 (months) or 10 (days): the coarsest that states both bounds exactly."""
    month_start = start is None or start.day == 1
    month_end = end is None or end.day == calendar.monthrange(end.year, end.month)[1]
    if month_start and month_end:
        if (start is None or start.month == 1) and (end is None or end.month == 12):
            return 4
        return 7
    return 10


def period_text(start: date | None, end: date | None) -> str:
    """'during 2008', 'during 2007–2013', 'during 2008-12', 'from 2009 on', 'until 2013'.

    >>> period_text(date(2008, 1, 1), date(2008, 12, 31))
    'during 2008'
    >>> period_text(date(2009, 3, 1), None)
    'from 2009-03 on'
    """
    size = _granularity(start, end)
    a = start.isoformat()[:size] if start else None
    b = end.isoformat()[:size] if end else None
    if a and b:
        return f"during {a}" if a == b else f"during {a}–{b}"
    if a:
        return f"from {a} on"
    if b:
        return f"until {b}"
    return "at any time"


def _shared_period(rows: list) -> tuple[date | None, date | None, bool, bool]:
    """The latest first day and earliest last day over the rows; whether each side is known."""
    starts = [parse_date(v)[0] for r in rows for v in (_value(r, "from1"), _value(r, "from2"))
              if v]
    ends = [parse_date(v)[1] for r in rows for v in (_value(r, "to1"), _value(r, "to2")) if v]
    known1 = any(_value(r, "known1") == "true" for r in rows)
    known2 = any(_value(r, "known2") == "true" for r in rows)
    return (max(starts) if starts else None), (min(ends) if ends else None), known1, known2


def _inner_areas(ctx: Context, rows: list) -> list[str]:
    """Where the two sides meet: for each compared pair the smaller area (ids)."""
    found: list[str] = []
    for r in rows:
        a1, a2 = _value(r, "area1"), _value(r, "area2")
        if a1 and a2:
            inner = a1 if ctx.within(a1, a2) else a2
        else:
            inner = a1 or a2
        if inner and ctx.id(inner) not in found:
            found.append(ctx.id(inner))
    return found


def _plural(noun: str) -> str:
    return noun[:-1] + "ies" if noun.endswith("y") else noun + "s"


def _where_when(ctx: Context, rows: list, who: tuple[str, str], noun: str, tag: str = ""):
    """The ' in AREA during PERIOD' tail for rows of ONE pair of compared facts.

    Placeholders are suffixed with ``tag`` so that several tails fit one template.
    """
    refs: dict[str, str | list[str]] = {}
    areas = _inner_areas(ctx, rows)
    if areas:
        refs[f"area{tag}"] = sorted(areas)
        text = f" in {{area{tag}}}"
    else:
        text = " in every area (no area limits either)"
    start, end, known1, known2 = _shared_period(rows)
    if known1 and known2:
        text += " " + period_text(start, end)
    elif known1 or known2:
        refs[f"unknown{tag}"] = who[1] if known1 else who[0]
        text += f" {period_text(start, end)}; the period of {{unknown{tag}}}'s {noun} is unknown"
    else:
        text += f"; the periods of both {_plural(noun)} are unknown"
    return text, refs


def _verb(spec: CheckSpec, row) -> str:
    """The check's verb, or the role of the row (``?role``: rgc:role-lead -> 'lead')."""
    if spec.verb.startswith("?"):
        return row[spec.verb[1:]].value.rsplit("-", 1)[-1]
    return spec.verb


def build_pairs(ctx: Context, spec: CheckSpec, rows: list) -> list[Finding]:
    """One finding per pair of subjects and target, ordered by target then pair; one
    clause per way the pair overlaps (a role, a place and time)."""
    c1, c2 = spec.compared
    groups = sorted(_groups(ctx, spec, rows).items(), key=lambda kv: (kv[0][1], kv[0][0]))
    findings = []
    for ((s1, s2), target), group in groups:
        # rows of one pair of compared facts share their periods; they differ by area
        pairs: dict[tuple[str, str, str], list] = defaultdict(list)
        for r in group:
            pairs[(_verb(spec, r), _value(r, c1), _value(r, c2))].append(r)
        verbs_by_tail: dict[str, list[str]] = {}
        refs: dict[str, str | list[str]] = {"s1": s1, "s2": s2, "target": target}
        for n, ((verb, _, _), pair_rows) in enumerate(sorted(pairs.items())):
            tail, tail_refs = _where_when(ctx, pair_rows, (s1, s2), spec.noun, str(n))
            # the same place and time written twice reads as one clause
            rendered = tail.format(**{k: str(v) for k, v in tail_refs.items()})
            key = next((k for k in verbs_by_tail if k.split("\0")[0] == rendered), None)
            if key is None:
                key = rendered + "\0" + tail
                refs.update(tail_refs)
                verbs_by_tail[key] = []
            if verb not in verbs_by_tail[key]:
                verbs_by_tail[key].append(verb)
        clauses = []
        for key, verbs in verbs_by_tail.items():
            verbs.sort(key=lambda v: (VERB_ORDER.index(v) if v in VERB_ORDER else 99, v))
            clauses.append(join(verbs) + " {target}" + key.split("\0")[1])
        template = "Both {s1} and {s2} " + "; and ".join(clauses) + "."
        sources = ctx.sources_of(_value(r, k) for r in group for k in (c1, c2))
        findings.append(Finding(spec.name, [s1, s2], target, template, refs, sources))
    return findings


BUILDERS = {"findings": build_findings, "pairs": build_pairs}
