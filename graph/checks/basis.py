"""What a finding rests on, and what became of each statement (CHECKS.md "Basis").

A statement (the ``statements`` section: what a source itself says, quoted)
corroborates a finding when it says the finding's check and is about its target or
every one of its subjects: the finding is then ``stated``, lists the quote and adds the
statement's sources. Other findings rest on what their check declares: ``recorded``
(overlaps) or ``unrecorded`` (gaps).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from pyoxigraph import NamedNode, Store

from ..model.vocab import DCT, RGC, SCHEMA, sparql_prologue
from .context import Context, rows
from .finding import Finding, render
from .spec import CheckSpec

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

    def matches(self, finding: Finding) -> bool:
        """True when it says the finding's check of its target or of all its subjects."""
        about = set(self.about)
        return self.says == finding.check and (
            finding.target in about or set(finding.subjects) <= about)

    def why(self, name: Callable[[str], str] = str) -> str:
        """Why no finding matches it, in words with ``name``d entities ('' if one does)."""
        return render(self.reason, self.reason_refs, name)

    def to_dict(self) -> dict:
        """The JSON shape of CHECKS.md."""
        return {"about": list(self.about), "says": self.says, "quote": self.quote,
                "source": list(self.source), "status": self.status}


def read_statements(store: Store) -> list[Statement]:
    """The dataset's statements in dataset order (ids, not IRIs). Cost: O(statements)."""
    ids = {s.value: i.value for s, i in rows(store, "SELECT ?s ?i WHERE { ?s dct:identifier ?i }")}
    found = rows(store, """SELECT ?st ?pos ?says ?quote ?note WHERE {
        ?st a rg:Statement ; rg:position ?pos ; rg:says ?says ; rg:quote ?quote .
        OPTIONAL { ?st skos:note ?note } }""")
    lists: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for st, pred, obj in rows(store, """SELECT ?st ?p ?o WHERE {
            ?st a rg:Statement ; ?p ?o . VALUES ?p { schema:about dct:source } }"""):
        lists[st.value][pred.value].append(ids.get(obj.value, obj.value))
    says_prefix = str(RGC) + "says-"
    out = []
    for st, _, says, quote, note in sorted(found, key=lambda r: int(r[1].value)):
        of = lists[st.value]
        out.append(Statement(sorted(of[str(SCHEMA) + "about"]), says.value[len(says_prefix):],
                             quote.value, sorted(of[str(DCT) + "source"]),
                             note.value if note is not None else ""))
    return out


def weigh(findings: list[Finding], statements: list[Statement],
          basis: dict[str, str]) -> None:
    """Give each finding its basis and each statement its status.

    A finding that a statement corroborates is ``stated``: it gains the statement's
    quote and sources, and its explanation says which source says so. Any other finding
    rests on ``basis[check]``. A statement is ``not-checked`` when it says ``other``,
    ``corroborated`` when a finding matches it, else ``not-reproduced``.
    Cost: O(findings × statements).
    """
    for f in findings:
        backing = [st for st in statements if st.matches(f)]
        if backing:
            f.basis = "stated"
            f.statements = [st.quote for st in backing]  # one per statement, in order
            said = sorted(set().union(*(st.source for st in backing)))
            f.sources = sorted(set(f.sources).union(said))
            f.refs["said"] = said
            verb = "says" if len(said) == 1 else "say"
            f.template = f.template.removesuffix(".") + "; {said} " + verb + " so."
        else:
            f.basis = basis[f.check]
    for st in statements:
        # CHECKS.md: not-checked is `says: other`; a check that did not run reproduces
        # nothing, and the reason (for people) says it did not run
        if st.says == "other":
            st.status = NOT_CHECKED
        elif any(st.matches(f) for f in findings):
            st.status = CORROBORATED
        else:
            st.status = NOT_REPRODUCED


DID_NOT_RUN = "Its check did not run here (--only or --skip)."
NOTHING = "Nothing recorded can test it: the check needs {needs}, and none is recorded for {about}."
DISAGREE = "The recorded facts disagree: "


def explain_unreproduced(ctx: Context, spec: CheckSpec | None, st: Statement,
                         ran: bool) -> None:
    """Say why ``st`` (it names a check, no finding matches) was not reproduced: its check
    did not run; the data records nothing the check looks at for what the statement is
    about (the check's ``domain`` with the statement's ids as its target, or as every one
    of its subjects at once: the matching rule); or it does, and the check finds nothing
    missing there (``disagree``)."""
    refs: dict[str, str | list[str]] = {"about": list(st.about)}
    st.reason_refs = refs
    if spec is None:  # a store built with a check of REGIOGRAPH_CHECKS, read without it
        st.reason = f"Its check, {st.says}, is not among the checks here."
        return
    if not ran:
        st.reason = DID_NOT_RUN
        return
    values = " ".join(str(NamedNode(ctx.iri(i))) for i in st.about)
    bindings = [[spec.target], list(dict.fromkeys(spec.subjects))]
    looked_at = any(
        ctx.store.query(sparql_prologue() + "ASK { "
                        + "".join(f"VALUES ?{var} {{ {values} }} " for var in variables)
                        + spec.domain + " }")
        for variables in bindings)
    if looked_at:
        st.reason = DISAGREE + spec.disagree
    else:
        st.reason = NOTHING.replace("{needs}", spec.needs.replace("{", "{{").replace("}", "}}"))
