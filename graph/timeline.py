"""The dataset year by year: the ties that held each year, and the findings as of it.

:func:`timeline` counts, for every year between the first and the last year any period
names, the dated facts that held that year (responsibilities, projects, networks,
events, posts, activities) and, for a dataset small enough, the findings of every check
as of that year (:meth:`graph.Dataset.as_of`: the checks run unchanged on that year's
facts), so a planner sees when the overlaps began. The facts without a period are
counted apart: they hold in no year in particular.
"""

from __future__ import annotations

from collections import Counter

#: a run of every check per year is done up to this many triples (the seed: 1 458, 17
#: years, about 2 s); above it the timeline has the ties only, and says why
FINDINGS_LIMIT = 20_000
#: the dated kinds counted as ties, by their class in the graph
TIE_KINDS = ("responsibility", "project", "network", "event", "post", "activity")
#: at most this many years are shown (a typo like 1008 must not make a thousand rows)
MAX_YEARS = 60

_TIES = """
SELECT ?kind ?start ?end WHERE {
  VALUES (?class ?kind) { %s }
  ?s a ?class .
  OPTIONAL { ?s schema:startDate ?start }
  OPTIONAL { ?s schema:endDate ?end }
}"""


def timeline(ds, findings: bool | None = None) -> dict:
    """Ties and findings per year of ``ds`` (a :class:`graph.Dataset`; ``build`` keeps
    the result, :meth:`graph.Dataset.timeline` reads it): ``{"years": [...], "ties": {kind: [n per
    year]}, "undated": {kind: n}, "findings": {check: [n per year]} or None, "why": text
    when findings are left out}``. ``findings`` None: per year when the dataset has at
    most :data:`FINDINGS_LIMIT` triples.

    Cost: one query over the dated facts; with findings, every check once per year on
    that year's facts (an in-memory store each).

    >>> import graph
    >>> t = timeline(graph.load("data/lapland"))  # doctest: +SKIP
    >>> t["years"][0], t["years"][-1]             # doctest: +SKIP
    (2007, 2023)
    """
    from .rdf import CLASSES

    values = " ".join(f'(<{CLASSES[k].value}> "{k}")' for k in TIE_KINDS)
    spans: list[tuple[str, int | None, int | None]] = []
    for row in ds.query(_TIES % values):
        start, end = _year(row.get("start")), _year(row.get("end"))
        spans.append((str(row["kind"]), start, end))
    named = sorted({y for _, a, b in spans for y in (a, b) if y is not None})
    out: dict = {"years": [], "ties": {}, "undated": {}, "findings": None, "why": ""}
    undated = Counter(kind for kind, a, b in spans if a is None and b is None)
    out["undated"] = {k: undated[k] for k in TIE_KINDS if undated[k]}
    if not named:
        out["why"] = "no fact of the dataset has a period"
        return out
    first, last = named[0], named[-1]
    if last - first + 1 > MAX_YEARS:  # the latest years, where planning happens
        first = last - MAX_YEARS + 1
    years = list(range(first, last + 1))
    out["years"] = years
    for kind in TIE_KINDS:
        counts = [0] * len(years)
        for k, a, b in spans:
            if k != kind or (a is None and b is None):
                continue
            lo = max(first, a if a is not None else first)
            hi = min(last, b if b is not None else last)
            for y in range(lo, hi + 1):
                counts[y - first] += 1
        if any(counts):
            out["ties"][kind] = counts
    triples = ds.info()["triples"]
    if findings is None:
        findings = triples <= FINDINGS_LIMIT
        if not findings:
            out["why"] = (f"findings per year are counted for datasets of at most "
                          f"{FINDINGS_LIMIT:,} triples (every check runs once per year); "
                          f"this one has {triples:,}: use check --as-of YEAR")
    if findings:
        per: dict[str, list[int]] = {}
        for n, year in enumerate(years):
            found = Counter(f.check for f in ds.as_of(str(year))[0].check())
            for check, count in found.items():
                per.setdefault(check, [0] * len(years))[n] = count
        out["findings"] = dict(sorted(per.items()))
    return out


def _year(term) -> int | None:
    if term is None:
        return None
    text = str(term)
    return int(text[:4]) if text[:4].isdigit() else None


__all__ = ["FINDINGS_LIMIT", "TIE_KINDS", "timeline"]
