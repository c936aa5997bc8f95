"""The named checks of CHECKS.md: overlapping responsibilities and collaboration gaps.

Each check is a SPARQL file in ``ontology/checks/`` (read it, or run it yourself:
``regiograph check --show-query NAME``). This module runs them on the store, groups
their rows into findings (one per subjects and target), writes the explanation and
collects the sources of the facts behind each finding.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from pyoxigraph import Store

from .derive import DERIVED_GRAPH
from .facts import parse_date, paused_gc
from .queries import QueryFile, load_folder
from .rdf import KIND_OF_CLASS
from .vocab import DCT, RGC, SCHEMA, sparql_prologue

#: the checks in the order of CHECKS.md (findings are reported in this order)
CHECKS = (
    "overlap.responsibility",
    "overlap.parallel-projects",
    "gap.key-actors-apart",
    "gap.priority-without-lead",
    "gap.priority-without-project",
    "gap.unmonitored",
    "gap.cross-border-one-sided",
)
_PLURAL = {"responsibility": "responsibilities"}
VERBS = {"lead": "lead", "coordinate": "coordinate", "monitor": "monitor"}


def check_queries() -> dict[str, QueryFile]:
    """The check queries by name, in CHECKS order."""
    found = load_folder("checks")
    return {name: found[name] for name in CHECKS}


@dataclass
class Finding:
    """One finding: what check, about whom, for what, why, and from which sources.

    ``explanation`` uses ids (for JSON); :meth:`explain` renders it with any naming
    function (names in a language, for people).
    """

    check: str
    subjects: list[str]
    target: str
    template: str
    refs: dict[str, str | list[str]] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    #: what it rests on (CHECKS.md "Basis"): recorded, unrecorded or stated
    basis: str = ""
    #: the quotes of the statements that corroborate it (basis stated)
    statements: list[str] = field(default_factory=list)

    def explain(self, name: Callable[[str], str] = str) -> str:
        values = {
            k: _join([name(i) for i in v]) if isinstance(v, list) else name(v)
            for k, v in self.refs.items()
        }
        return self.template.format(**values)

    @property
    def explanation(self) -> str:
        return self.explain()

    def to_dict(self) -> dict:
        """The JSON shape of CHECKS.md."""
        return {
            "check": self.check,
            "subjects": list(self.subjects),
            "target": self.target,
            "explanation": self.explanation,
            "sources": list(self.sources),
            "basis": self.basis,
            "statements": list(self.statements),
        }


#: what a finding may rest on (CHECKS.md "Basis")
BASES = ("recorded", "unrecorded", "stated")
#: the statuses of a statement (CHECKS.md "Basis")
CORROBORATED, NOT_REPRODUCED, NOT_CHECKED = "corroborated", "not-reproduced", "not-checked"


@dataclass
class Statement:
    """What a source itself says about cooperation (the ``statements`` section), with
    its status once the checks ran: corroborated, not-reproduced or not-checked."""

    about: list[str]
    says: str
    quote: str
    source: list[str]
    note: str = ""
    status: str = ""
    #: for people, why a statement of a check that ran was not reproduced
    reason: str = ""
    reason_refs: dict[str, str | list[str]] = field(default_factory=dict)

    def why(self, name: Callable[[str], str] = str) -> str:
        """Why no finding matches it, in words with ``name``d entities ('' if one does)."""
        values = {k: _join([name(i) for i in v]) if isinstance(v, list) else name(v)
                  for k, v in self.reason_refs.items()}
        return self.reason.format(**values)

    def matches(self, finding: Finding) -> bool:
        """True when it says the finding's check of its target or of all its subjects."""
        about = set(self.about)
        return self.says == finding.check and (
            finding.target in about or set(finding.subjects) <= about)

    def to_dict(self) -> dict:
        """The JSON shape of CHECKS.md."""
        return {"about": list(self.about), "says": self.says, "quote": self.quote,
                "source": list(self.source), "status": self.status}


def read_statements(store: Store) -> list[Statement]:
    """The dataset's statements in dataset order (ids, not IRIs). Cost: O(statements)."""
    ctx_ids = {s.value: i.value for s, i in
               _rows(store, "SELECT ?s ?i WHERE { ?s dct:identifier ?i }")}
    rows = _rows(store, """SELECT ?st ?pos ?says ?quote ?note WHERE {
        ?st a rg:Statement ; rg:position ?pos ; rg:says ?says ; rg:quote ?quote .
        OPTIONAL { ?st skos:note ?note } }""")
    lists: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for st, pred, obj in _rows(store, """SELECT ?st ?p ?o WHERE {
            ?st a rg:Statement ; ?p ?o . VALUES ?p { schema:about dct:source } }"""):
        lists[st.value][pred.value].append(ctx_ids.get(obj.value, obj.value))
    says_prefix = str(RGC) + "says-"
    out = []
    for st, _, says, quote, note in sorted(rows, key=lambda r: int(r[1].value)):
        found = lists[st.value]
        out.append(Statement(sorted(found[str(SCHEMA) + "about"]),
                             says.value[len(says_prefix):], quote.value,
                             sorted(found[str(DCT) + "source"]),
                             note.value if note is not None else ""))
    return out


def weigh(findings: list[Finding], statements: list[Statement], ran: Iterable[str],
          basis: dict[str, str]) -> None:
    """Give each finding its basis and each statement its status (CHECKS.md "Basis").

    A finding that a statement corroborates is ``stated``: it gains the statement's
    quote and sources. Any other finding rests on what its check declares (``# basis:``
    in its .rq header). A statement whose check did not run is ``not-checked``.
    Cost: O(findings × statements).
    """
    ran = set(ran)
    for f in findings:
        backing = [st for st in statements if st.matches(f)]
        if backing:
            f.basis = "stated"
            f.statements = list(dict.fromkeys(st.quote for st in backing))
            said = sorted(set().union(*(st.source for st in backing)))
            f.sources = sorted(set(f.sources).union(said))
            f.refs["said"] = said
            f.template = f.template.removesuffix(".") + "; {said} says so."
        else:
            f.basis = basis[f.check]
    for st in statements:
        if any(st.matches(f) for f in findings):
            st.status = CORROBORATED
        elif st.says in ran:
            st.status = NOT_REPRODUCED
        else:
            st.status = NOT_CHECKED


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


class _Context:
    """Flat lookups over the store, read once per run (sources, periods, tables)."""

    def __init__(self, store: Store):
        self.store = store
        base = self._rows("SELECT ?d WHERE { ?d a dcat:Dataset }")
        self.base = base[0][0].value if base else ""
        # ids by IRI: the dataset's own and those of used reference areas and sources
        self.ids = {s.value: i.value for s, i in
                    self._rows("SELECT ?s ?i WHERE { ?s dct:identifier ?i }")}
        self.iris = {i: s for s, i in self.ids.items()}
        self.sources: dict[str, set[str]] = defaultdict(set)
        for s, src in self._rows("SELECT ?s ?src WHERE { ?s prov:wasDerivedFrom ?src }"):
            self.sources[s.value].add(self.id(src))
        self.resp_for: dict[str, list[str]] = defaultdict(list)
        for r, t in self._rows("SELECT ?r ?t WHERE { ?r rg:responsibleFor ?t }"):
            self.resp_for[t.value].append(r.value)
        self.implementers: dict[str, list[str]] = defaultdict(list)
        for p, t in self._rows("SELECT ?p ?t WHERE { ?p rg:implements ?t }"):
            self.implementers[t.value].append(p.value)
        self.kinds: dict[str, str] = {}
        for s, c in self._rows("SELECT ?s ?c WHERE { ?s a ?c ; dct:identifier ?i }"):
            self.kinds[s.value] = KIND_OF_CLASS.get(c.value, "")
        self.key_actors: dict[str, list[str]] = defaultdict(list)
        for s, a in self._rows("SELECT ?s ?a WHERE { ?s rg:keyActor ?a }"):
            self.key_actors[s.value].append(a.value)
        self.administrators: dict[str, list[str]] = defaultdict(list)
        for p, a in self._rows("SELECT ?p ?a WHERE { ?p rg:administrator ?a }"):
            self.administrators[p.value].append(a.value)
        self.serving: dict[str, list[str]] = defaultdict(list)  # strategy -> networks
        for n, t in self._rows("SELECT ?n ?t WHERE { ?n a rg:Network ; rg:serves ?t }"):
            self.serving[t.value].append(n.value)
        self.priorities: dict[str, list[str]] = defaultdict(list)
        for p, s in self._rows("SELECT ?p ?s WHERE { ?p rg:priorityOf ?s }"):
            self.priorities[s.value].append(p.value)
        self.tables: dict[str, set[str]] = defaultdict(set)  # actor -> entries seating it
        for a, t in self._rows(f"SELECT ?a ?t WHERE {{ GRAPH <{DERIVED_GRAPH.value}> "
                               "{ ?a rg:seatedAt ?t } }"):
            self.tables[a.value].add(t.value)
        self.parents: dict[str, list[str]] = defaultdict(list)
        for a, b in self._rows("SELECT ?a ?b WHERE { ?a schema:containedInPlace ?b }"):
            self.parents[a.value].append(b.value)

    def monitors(self, strategy: str) -> list[str]:
        """The actors that monitor a strategy or one of its priorities (IRIs)."""
        found = []
        for target in (strategy, *self.priorities.get(strategy, ())):
            found += [a.value for (a,) in self._rows(
                f"SELECT ?a WHERE {{ ?r rg:responsibleFor <{target}> ; "
                "rg:role rgc:role-monitor ; rg:actor ?a }")]
        return found

    def shared_role(self, target: str) -> bool:
        """True when two actors hold one of the overlapping roles for ``target``."""
        return bool(self.store.query(sparql_prologue() +
            f"ASK {{ ?r1 rg:responsibleFor <{target}> ; rg:role ?role ; rg:actor ?a1 . "
            f"?r2 rg:responsibleFor <{target}> ; rg:role ?role ; rg:actor ?a2 . "
            "FILTER (?a1 != ?a2) "
            "VALUES ?role { rgc:role-lead rgc:role-coordinate rgc:role-monitor } }"))

    def within(self, area: str, outer: str) -> bool:
        """True when ``area`` is ``outer`` or lies inside it through part_of (IRIs)."""
        seen, todo = {area}, [area]
        while todo:
            current = todo.pop()
            if current == outer:
                return True
            for parent in self.parents.get(current, ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return False

    def _rows(self, text: str):
        return _rows(self.store, text)

    def iri(self, ident: str) -> str:
        return self.iris.get(ident) or self.base + ident

    def id(self, term) -> str:
        value = term.value if hasattr(term, "value") else term
        if value in self.ids:
            return self.ids[value]
        return value[len(self.base):] if value.startswith(self.base) else value

    def sources_of(self, iris: Iterable[str]) -> list[str]:
        out: set[str] = set()
        for iri in iris:
            out |= self.sources.get(iri, set())
        return sorted(out)


def _rows(store: Store, text: str) -> list:
    return list(store.query(sparql_prologue() + text))


def _value(row, name: str):
    term = row[name]
    return None if term is None else term.value


def _granularity(start: date | None, end: date | None) -> int:
    """4 (years), 7 (months) or 10 (days): the coarsest that states both bounds exactly."""
    month_start = start is None or start.day == 1
    month_end = end is None or end.day == calendar.monthrange(end.year, end.month)[1]
    if month_start and month_end:
        if (start is None or start.month == 1) and (end is None or end.month == 12):
            return 4
        return 7
    return 10


def _period_text(start: date | None, end: date | None) -> str:
    """'during 2008', 'during 2007–2013', 'during 2008-12', 'from 2009 on', 'until 2013'."""
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


def _inner_areas(ctx: _Context, rows: list) -> list[str]:
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


def _where_when(ctx: _Context, rows: list, who: tuple[str, str], noun: str, tag: str = ""):
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
        text += " " + _period_text(start, end)
    elif known1 or known2:
        refs[f"unknown{tag}"] = who[1] if known1 else who[0]
        text += f" {_period_text(start, end)}; the period of {{unknown{tag}}}'s {noun} is unknown"
    else:
        text += f"; the periods of both {_PLURAL.get(noun, noun + 's')} are unknown"
    return text, refs


def _by_pair(ctx: _Context, rows: list, first: str, second: str
             ) -> list[tuple[tuple[str, str, str], list]]:
    """Rows grouped by (first id, second id, target id), ordered by target, then pair."""
    groups: dict[tuple[str, str, str], list] = defaultdict(list)
    for r in rows:
        groups[(ctx.id(r[first]), ctx.id(r[second]), ctx.id(r["target"]))].append(r)
    return sorted(groups.items(), key=lambda kv: (kv[0][2], kv[0][:2]))


def overlap_responsibility(ctx: _Context, rows: list) -> list[Finding]:
    """One finding per pair of actors and target; one clause per way they overlap."""
    findings = []
    for (a1, a2, target), group in _by_pair(ctx, rows, "actor1", "actor2"):
        # rows of one pair of responsibilities share their periods; they differ by area
        pairs: dict[tuple[str, str, str], list] = defaultdict(list)
        for r in group:
            pairs[(_value(r, "role"), _value(r, "r1"), _value(r, "r2"))].append(r)
        roles_by_tail: dict[str, list[str]] = {}
        refs: dict[str, str | list[str]] = {"a1": a1, "a2": a2, "target": target}
        for n, ((role, _, _), pair_rows) in enumerate(sorted(pairs.items())):
            tail, tail_refs = _where_when(ctx, pair_rows, (a1, a2), "responsibility", str(n))
            # the same place and time written twice reads as one clause
            rendered = tail.format(**{k: str(v) for k, v in tail_refs.items()})
            key = next((k for k in roles_by_tail if k.split("\0")[0] == rendered), None)
            if key is None:
                key = rendered + "\0" + tail
                refs.update(tail_refs)
                roles_by_tail[key] = []
            verb = VERBS[role.rsplit("-", 1)[-1]]
            if verb not in roles_by_tail[key]:
                roles_by_tail[key].append(verb)
        clauses = []
        for key, verbs in roles_by_tail.items():
            verbs.sort(key=list(VERBS).index)
            clauses.append(_join(verbs) + " {target}" + key.split("\0")[1])
        template = "Both {a1} and {a2} " + "; and ".join(clauses) + "."
        sources = ctx.sources_of(_value(r, k) for r in group for k in ("r1", "r2"))
        findings.append(Finding("overlap.responsibility", [a1, a2], target, template, refs,
                                sources))
    return findings


def overlap_parallel(ctx: _Context, rows: list) -> list[Finding]:
    """One finding per pair of projects and the priority or strategy both implement."""
    findings = []
    for (p1, p2, target), group in _by_pair(ctx, rows, "project1", "project2"):
        tail, refs = _where_when(ctx, group, (p1, p2), "project")  # one pair: one period
        template = "Both {p1} and {p2} implement {target}" + tail + "."
        sources = ctx.sources_of([ctx.iri(p1), ctx.iri(p2)])
        findings.append(Finding("overlap.parallel-projects", [p1, p2], target, template,
                                {"p1": p1, "p2": p2, "target": target, **refs}, sources))
    return findings


def key_actors_apart(ctx: _Context, rows: list) -> list[Finding]:
    findings = []
    for r in rows:
        s, a1, a2 = (ctx.id(r[k]) for k in ("strategy", "actor1", "actor2"))
        examined = [ctx.iri(s), *ctx.tables[r["actor1"].value], *ctx.tables[r["actor2"].value]]
        findings.append(Finding(
            "gap.key-actors-apart", [a1, a2], s,
            "{a1} and {a2} are key actors of {s} but never sit at one table: "
            "no network, project or event has both.",
            {"a1": a1, "a2": a2, "s": s}, ctx.sources_of(examined)))
    return findings


def priority_without_lead(ctx: _Context, rows: list) -> list[Finding]:
    findings = []
    for r in rows:
        p, s = ctx.id(r["priority"]), ctx.id(r["strategy"])
        examined = [ctx.iri(p), ctx.iri(s), *ctx.resp_for[ctx.iri(p)]]
        template = "No actor leads or coordinates {p}, a priority of {s}"
        refs: dict[str, str | list[str]] = {"p": p, "s": s}
        # the projects that carry it, and who runs them: often the lead nobody wrote down
        carried = []
        for n, project in enumerate(sorted(ctx.implementers[ctx.iri(p)], key=ctx.id)):
            refs[f"q{n}"] = ctx.id(project)
            clause = f"{{q{n}}}"
            admins = sorted(ctx.id(a) for a in ctx.administrators.get(project, ()))
            if admins:
                refs[f"by{n}"] = admins
                clause += f" (administered by {{by{n}}})"
            carried.append(clause)
        if carried:
            template += "; it is implemented by " + _join(carried)
        findings.append(Finding("gap.priority-without-lead", [p], s, template + ".", refs,
                                ctx.sources_of(examined)))
    return findings


def priority_without_project(ctx: _Context, rows: list) -> list[Finding]:
    findings = []
    for r in rows:
        p, s = ctx.id(r["priority"]), ctx.id(r["strategy"])
        others = sorted(ctx.id(i) for i in ctx.implementers[ctx.iri(p)])
        template = "No planned, running or completed project implements {p}, a priority of {s}"
        refs: dict[str, str | list[str]] = {"p": p, "s": s}
        if others:
            template += " (only ideas or cancelled projects: {others})"
            refs["others"] = others
        examined = [ctx.iri(p), ctx.iri(s), *ctx.implementers[ctx.iri(p)]]
        findings.append(Finding("gap.priority-without-project", [p], s, template + ".", refs,
                                ctx.sources_of(examined)))
    return findings


def unmonitored(ctx: _Context, rows: list) -> list[Finding]:
    findings = []
    for r in rows:
        s = ctx.id(r["strategy"])
        iri = ctx.iri(s)
        examined = [iri, *ctx.resp_for[iri]]
        for p in ctx.priorities[iri]:
            examined += ctx.resp_for[p]
        template = "No actor monitors {s}"
        template += " or any of its priorities" if ctx.priorities[iri] else ""
        refs: dict[str, str | list[str]] = {"s": s}
        serving = sorted(ctx.id(n) for n in ctx.serving.get(iri, ()))
        if serving:  # where a reader would look for the monitoring nobody recorded
            refs["networks"] = serving
            template += "; it is served by {networks}, none recorded as monitoring it"
        findings.append(Finding("gap.unmonitored", [s], s, template + ".", refs,
                                ctx.sources_of(examined)))
    return findings


def cross_border_one_sided(ctx: _Context, rows: list) -> list[Finding]:
    """Group the members' countries per network and count them."""
    members: dict[str, set[str]] = defaultdict(set)
    reach: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        network = r["network"].value
        members[network]  # a network without members is one-sided too
        if r["member"] is not None:
            members[network].add(r["member"].value)
        if r["country"] is not None:
            reach[network].add(r["country"].value)
    findings = []
    for network in sorted(members, key=ctx.id):
        countries = sorted(reach[network])
        if len(countries) >= 2:
            continue
        n = ctx.id(network)
        where = "only " + countries[0] if countries else "no known country"
        examined = [network, *members[network]]
        findings.append(Finding(
            "gap.cross-border-one-sided", [n], n,
            "{n} is a cross-border network, but its members lie in " + where + ".",
            {"n": n}, ctx.sources_of(examined)))
    return findings


BUILDERS = {
    "overlap.responsibility": overlap_responsibility,
    "overlap.parallel-projects": overlap_parallel,
    "gap.key-actors-apart": key_actors_apart,
    "gap.priority-without-lead": priority_without_lead,
    "gap.priority-without-project": priority_without_project,
    "gap.unmonitored": unmonitored,
    "gap.cross-border-one-sided": cross_border_one_sided,
}


def select(only: Iterable[str] = (), skip: Iterable[str] = ()) -> list[str]:
    """Check names to run; unknown names raise ValueError naming the known ones."""
    only, skip = list(only), list(skip)
    for name in [*only, *skip]:
        if name not in CHECKS:
            raise ValueError(f"unknown check {name!r}; checks are: {', '.join(CHECKS)}")
    return [c for c in CHECKS if (not only or c in only) and c not in skip]


@dataclass
class Assessment:
    """What the checks found, and what became of each statement of the dataset."""

    dataset: str
    findings: list[Finding]
    statements: list[Statement]

    def to_dict(self) -> dict:
        """The JSON object of CHECKS.md."""
        return {"dataset": self.dataset,
                "findings": [f.to_dict() for f in self.findings],
                "statements": [st.to_dict() for st in self.statements]}


def assess(store: Store, names: Iterable[str] = CHECKS) -> Assessment:
    """Run the named checks on ``store`` and weigh them against its statements.

    Findings come in CHECKS order, each with its basis; statements in dataset order,
    each with its status. Cost: that of :func:`run_checks`, plus findings × statements.
    """
    names = list(names)
    findings, ctx = _run(store, names)
    statements = read_statements(store)
    queries = check_queries()
    weigh(findings, statements, names,
          {name: q.words("basis")[0] for name, q in queries.items()})
    for st in statements:
        if st.status == NOT_REPRODUCED:
            st.reason, st.reason_refs = _unreproduced(ctx, st)
    base = _rows(store, "SELECT ?i WHERE { ?d a dcat:Dataset ; dct:identifier ?i }")
    return Assessment(base[0][0].value if base else "", findings, statements)


def run_checks(store: Store, names: Iterable[str] = CHECKS) -> list[Finding]:
    """Run the named checks on ``store``; findings in CHECKS order, each with its basis.

    Cost: one SPARQL query per check plus a few flat lookups; the overlap queries
    join responsibilities (or projects) pairwise per target, so they grow with the
    square of the number of actors answering for one target, not of the dataset.

    >>> findings = run_checks(store)  # doctest: +SKIP
    >>> findings[0].to_dict()["check"]  # doctest: +SKIP
    'overlap.responsibility'
    """
    return assess(store, names).findings


def _run(store: Store, names: list[str]) -> tuple[list[Finding], _Context]:
    queries = check_queries()
    with paused_gc():  # the lookups are large acyclic dicts: no collector passes over them
        ctx = _Context(store)
        findings: list[Finding] = []
        for name in names:
            rows = list(store.query(queries[name].text))
            findings.extend(BUILDERS[name](ctx, rows))
    return findings, ctx


_NOTHING = "Nothing recorded can test it: "
_DISAGREE = "The recorded facts disagree: "


def _unreproduced(ctx: _Context, st: Statement) -> tuple[str, dict[str, str | list[str]]]:
    """Why a statement of a check that ran matches no finding: the data lacks the facts
    the check needs, or holds facts that say otherwise (a template and its refs)."""
    kinds = {i: ctx.kinds.get(ctx.iri(i), "") for i in st.about}
    of = {k: [i for i in st.about if kinds[i] == k] for k in set(kinds.values())}
    strategies, priorities = of.get("strategy", []), of.get("priority", [])
    refs: dict[str, str | list[str]] = {"about": list(st.about)}
    if st.says == "gap.unmonitored" and strategies:
        monitors = sorted({ctx.id(a) for s in strategies for a in ctx.monitors(ctx.iri(s))})
        refs["who"] = monitors
        return _DISAGREE + "{who} monitor(s) {about} or a priority of it.", refs
    if st.says == "gap.key-actors-apart" and strategies:
        few = [s for s in strategies if len(ctx.key_actors.get(ctx.iri(s), ())) < 2]
        if few:
            refs["few"] = few
            return _NOTHING + "{few} names fewer than two key actors.", refs
        return _DISAGREE + "the key actors of {about} meet at one table.", refs
    if st.says in ("gap.priority-without-lead", "gap.priority-without-project"):
        targets = priorities + [ctx.id(p) for s in strategies
                                for p in ctx.priorities.get(ctx.iri(s), ())]
        if not targets:
            return _NOTHING + "{about} has no priorities recorded.", refs
        refs["targets"] = sorted(set(targets))
        what = ("an actor leads or coordinates" if st.says.endswith("lead") else
                "a planned, running or completed project implements")
        return _DISAGREE + what + " each of {targets}.", refs
    if st.says == "gap.cross-border-one-sided" and of.get("network"):
        return (_NOTHING + "{about} is not recorded as a cross-border network, or "
                + _DISAGREE[0].lower() + _DISAGREE[1:] + "its members lie in two countries."
                ), refs
    if st.says in ("overlap.responsibility", "overlap.parallel-projects"):
        targets = [i for i in st.about if kinds[i] in ("strategy", "priority", "project",
                                                      "network")]
        if st.says == "overlap.responsibility":
            few = [t for t in targets if not ctx.shared_role(ctx.iri(t))]
            need = "no two actors are recorded with one role (lead, coordinate or monitor) " \
                "for {few}"
        else:
            few = [t for t in targets if len(ctx.implementers.get(ctx.iri(t), ())) < 2]
            need = "fewer than two projects are recorded as implementing {few}"
        if few or not targets:
            refs["few"] = few or list(st.about)
            return _NOTHING + need + ".", refs
        return _DISAGREE + "their areas or periods do not intersect.", refs
    return (_NOTHING + "{about} is not what " + st.says + " looks at, or lacks the facts "
            "it needs.", refs)
