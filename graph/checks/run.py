"""Run the checks on a store and weigh their findings against the dataset's statements."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from pyoxigraph import Store

from ..base.gcpause import paused_gc
from .basis import (
    NOT_REPRODUCED,
    Statement,
    explain_unreproduced,
    read_statements,
    weigh,
)
from .build import BUILDERS as PLAIN_BUILDERS
from .context import Context, rows
from .finding import Finding
from .similar import build_similar
from .spec import check_specs

#: every builder a check's header may name (graph.checks.spec.BUILDERS)
BUILDERS = {**PLAIN_BUILDERS, "similar": build_similar}


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

    def to_state(self) -> dict:
        """Everything it holds as plain data (templates, refs, reasons…), which
        :meth:`from_dict` turns back into an equal Assessment (what ``build`` keeps).

        >>> a = Assessment("d", [Finding("gap.unmonitored", ["s"], "s", "{v0}.",
        ...                              {"v0": ["s"]}, ["src"], "unrecorded")], [])
        >>> Assessment.from_dict(a.to_state()) == a
        True
        """
        return {"dataset": self.dataset,
                "findings": [asdict(f) for f in self.findings],
                "statements": [asdict(st) for st in self.statements]}

    @classmethod
    def from_dict(cls, state: dict) -> Assessment:
        """The Assessment of :meth:`to_state`'s data."""
        return cls(state["dataset"], [Finding(**f) for f in state["findings"]],
                   [Statement(**st) for st in state["statements"]])


def assess(store: Store, names: Iterable[str] | None = None) -> Assessment:
    """Run the named checks (all by default) on ``store`` and weigh them against its
    statements.

    Findings come in report order (each check's ``order``), each with its basis;
    statements in dataset order, each with its status. Cost: that of
    :func:`run_checks`, plus findings × statements.
    """
    specs = check_specs()
    names = list(specs) if names is None else list(names)
    with paused_gc():  # the lookups are large acyclic dicts: no collector passes over them
        ctx = Context(store)
        findings: list[Finding] = []
        for name in names:
            spec = specs[name]
            solutions = store.query(spec.text)
            columns = [v.value for v in solutions.variables]
            found = [dict(zip(columns, s, strict=True)) for s in solutions]
            findings.extend(BUILDERS[spec.builder](ctx, spec, found))
    statements = read_statements(store)
    weigh(findings, statements, {name: spec.basis for name, spec in specs.items()})
    for st in statements:
        if st.status == NOT_REPRODUCED:
            explain_unreproduced(ctx, specs.get(st.says), st, st.says in names)
    found_id = rows(store, "SELECT ?i WHERE { ?d a dcat:Dataset ; dct:identifier ?i }")
    return Assessment(found_id[0][0].value if found_id else "", findings, statements)


def narrow(full: Assessment, names: Iterable[str]) -> Assessment:
    """What :func:`assess` gives for the checks ``names``, from its assessment of every
    check (``full``), without running anything. Cost: O(findings + statements).

    It is the same because each check's findings come from its own query alone, and
    weighing a finding reads only the statements; a statement is corroborated only by
    findings of the check it says, so a statement of a check that ran keeps its status
    and reason, one of a check that did not run is not reproduced "because its check did
    not run" (CHECKS.md), and ``says: other`` or an unknown check read as before.

    >>> st = Statement(["a"], "gap.unmonitored", "q", ["src"], status="corroborated")
    >>> full = Assessment("d", [Finding("gap.unmonitored", ["a"], "a", "t")], [st])
    >>> narrowed = narrow(full, ["overlap.responsibility"])
    >>> narrowed.findings, narrowed.statements[0].status, narrowed.statements[0].reason
    ([], 'not-reproduced', 'Its check did not run here (--only or --skip).')
    """
    names = list(names)
    by_check: dict[str, list[Finding]] = {}
    for f in full.findings:
        by_check.setdefault(f.check, []).append(f)
    findings = [f for name in dict.fromkeys(names) for f in by_check.get(name, ())]
    specs, ran = check_specs(), set(names)
    statements = []
    for st in full.statements:
        st = Statement(**asdict(st))
        if st.says != "other" and st.says in specs and st.says not in ran:
            st.status = NOT_REPRODUCED
            # the branch of a check that did not run reads no store
            explain_unreproduced(None, specs[st.says], st, ran=False)
        statements.append(st)
    return Assessment(full.dataset, findings, statements)


def run_checks(store: Store, names: Iterable[str] | None = None) -> list[Finding]:
    """Run the named checks (all by default) on ``store``; findings in report order,
    each with its basis.

    Cost: one SPARQL query per check plus a few flat lookups; the overlap queries
    join responsibilities (or projects) pairwise per target, so they grow with the
    square of the number of actors answering for one target, not of the dataset.

    >>> findings = run_checks(store)  # doctest: +SKIP
    >>> findings[0].to_dict()["check"]  # doctest: +SKIP
    'overlap.responsibility'
    """
    return assess(store, names).findings
