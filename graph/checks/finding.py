"""A finding: what check, about whom, for what, why, from which sources, resting on what."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


def join(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def render(template: str, refs: dict[str, str | list[str]],
           name: Callable[[str], str] = str) -> str:
    """``template`` with each placeholder's ids given by ``name`` (several joined)."""
    values = {k: join([name(i) for i in v]) if isinstance(v, list) else name(v)
              for k, v in refs.items()}
    return template.format(**values)


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
    #: an advisory check's similarity score, 0..1 (None for the checks of CHECKS.md)
    score: float | None = None
    #: what is alike, short phrases (templates of ``refs``, like ``template``)
    alike: list[str] = field(default_factory=list)
    #: made by an advisory check: shown apart, not counted by ``check --strict``
    advisory: bool = False

    def explain(self, name: Callable[[str], str] = str) -> str:
        return render(self.template, self.refs, name)

    @property
    def explanation(self) -> str:
        return self.explain()

    def alike_text(self, name: Callable[[str], str] = str) -> list[str]:
        """What is alike, each phrase with ``name``d entities."""
        return [render(t, self.refs, name) for t in self.alike]

    def to_dict(self) -> dict:
        """The JSON shape of CHECKS.md; an advisory finding adds ``advisory``, ``score``
        and ``alike`` (the seven checks' findings are unchanged)."""
        out = {
            "check": self.check,
            "subjects": list(self.subjects),
            "target": self.target,
            "explanation": self.explanation,
            "sources": list(self.sources),
            "basis": self.basis,
            "statements": list(self.statements),
        }
        if self.advisory:
            out["advisory"] = True
        if self.score is not None:
            out["score"] = round(self.score, 2)
            out["alike"] = self.alike_text()
        return out
