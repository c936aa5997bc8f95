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

from .loader.asof import TIMED, TIMED_NESTED
from .loader.facts import parse_date
from .model.schema import SECTIONS

#: a run of every check per year is done up to this many triples (the seed: 1 458, 17
#: years, about 2 s); above it the timeline has the ties only, and says why
FINDINGS_LIMIT = 20_000
#: the dated kinds counted as ties: those graph.loader.asof gives a time of their own
#: (strategies aside: no tie, though their periods are years the findings change in)
_TIED = {section: key for section, key in TIMED.items() if section != "strategies"}
TIE_KINDS = (*(SECTIONS[s].kind for s in _TIED),
             *(SECTIONS[s].fields[f].sub.kind for s, f in TIMED_NESTED))
#: at most this many years are shown (a typo like 1008 must not make a thousand rows)
MAX_YEARS = 60
#: an end more years than this past the last year anything begins is not drawn to
FAR = 30

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

    # strategies are no ties, but their periods are years the findings can change in
    values = " ".join(f'(<{CLASSES[k].value}> "{k}")' for k in (*TIE_KINDS, "strategy"))
    spans: list[tuple[str, int | None, int | None]] = []
    for row in ds.query(_TIES % values):
        start, end = _year(row.get("start")), _year(row.get("end"))
        spans.append((str(row["kind"]), start, end))
    # the years run from the first year named to the last one, except that an end far
    # past the last year anything begins (a typo like 3013) must not push the years
    # that hold the data off the picture
    begun = sorted({a if a is not None else b for _, a, b in spans
                    if a is not None or b is not None})
    ends = [b for _, _, b in spans if b is not None]
    near = [b for b in ends if begun and b <= begun[-1] + FAR]
    out: dict = {"years": [], "ties": {}, "undated": {}, "findings": None, "why": "",
                 "notes": []}
    spans_of_ties = [s for s in spans if s[0] != "strategy"]
    undated = Counter(kind for kind, a, b in spans_of_ties if a is None and b is None)
    out["undated"] = {k: undated[k] for k in TIE_KINDS if undated[k]}
    if not begun:
        out["why"] = ("no fact of the dataset has a period (a strategy, responsibility, "
                      "project, network, event, post or activity)")
        return out
    first, last = begun[0], max([begun[-1], *near])
    if ends and max(ends) > last:
        out["notes"].append(f"a period runs on to {max(ends)}, more than {FAR} years past "
                            f"{begun[-1]} (the last year anything begins); the years shown "
                            f"end at {last}")
    if last - first + 1 > MAX_YEARS:  # the latest years, where planning happens
        out["notes"].append(f"the ties begin from {first} to {last}; the latest "
                            f"{MAX_YEARS} years are shown")
        first = last - MAX_YEARS + 1
    years = list(range(first, last + 1))
    out["years"] = years
    for kind in TIE_KINDS:
        counts = [0] * len(years)
        for k, a, b in spans_of_ties:
            if k != kind or (a is None and b is None):
                continue
            lo = max(first, a if a is not None else first)
            hi = min(last, b if b is not None else last)
            for y in range(lo, hi + 1):
                counts[y - first] += 1
        if any(counts):
            out["ties"][kind] = counts
    out["notes"].append("ties counted by their own periods")
    triples = ds.info()["triples"]
    if findings is None:
        findings = triples <= FINDINGS_LIMIT
        if not findings:
            out["why"] = (f"findings per year are counted for datasets of at most "
                          f"{FINDINGS_LIMIT:,} triples (every check runs once per year); "
                          f"this one has {triples:,}: use check --as-of YEAR")
    if findings:
        # each year's facts as check --as-of sees them: the ties are recounted from them
        # too, so that a tie whose actor or target had gone is not counted beside the
        # findings that its absence makes
        per: dict[str, list[int]] = {}
        ties: dict[str, list[int]] = {}
        for n, year in enumerate(years):
            held, result = ds.as_of(str(year))
            for f in held.check():
                name = f.check + (" (advisory)" if f.advisory else "")
                per.setdefault(name, [0] * len(years))[n] += 1
            for kind, count in _dated_ties(result.facts).items():
                ties.setdefault(kind, [0] * len(years))[n] = count
        out["findings"] = dict(sorted(per.items()))
        out["ties"] = {k: ties[k] for k in TIE_KINDS if any(ties.get(k, ()))}
        out["notes"][-1] = ("ties counted in each year's facts as check --as-of sees them "
                            "(a tie whose actor or target had gone is not counted)")
    return out


def _dated_ties(facts: dict) -> Counter:
    """The ties with a period of their own among ``facts`` (one year's), by kind."""
    found: Counter = Counter()
    for section, key in _TIED.items():
        found[SECTIONS[section].kind] = sum(1 for e in facts.get(section, ())
                                            if e.get(key) is not None)
    for section, name in TIMED_NESTED:
        kind = SECTIONS[section].fields[name].sub.kind
        found[kind] = sum(1 for e in facts.get(section, ()) for item in e.get(name, ())
                          if item.get("period") is not None)
    return found


def _year(term) -> int | None:
    """The year of a date of the graph (xsd:gYear, gYearMonth or date), as the facts'
    own date rule reads it."""
    span = parse_date(str(term)) if term is not None else None
    return span[0].year if span else None


__all__ = ["FINDINGS_LIMIT", "TIE_KINDS", "timeline"]
