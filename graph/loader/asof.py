"""The facts as of a date: only what held then, and what depends on nothing that did not.

A fact with a period (a strategy, project, responsibility, network, event, a person's
post, a project's activity) counts as of DATE when its period and DATE overlap: ``2008``
is the whole year, ``2008-11`` the month, ``2008-11-06`` the day, and an open end runs
on for ever. A fact without a period counts too: it is *taken on trust*, and counted, so
that a reader knows how much of the picture rests on facts whose time nobody recorded.

What a removed fact leaves behind goes with it: a priority with its strategy; a
responsibility, statement or funding share whose required target is gone; an optional
reference to something gone is left out (a project implementing a strategy of another
time keeps its other priorities). The result is again a canonical facts document, so the
checks of CHECKS.md run on it unchanged and keep their meaning.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..model.schema import SECTIONS, Field, Schema
from .facts import parse_date

#: sections whose entries carry their own time, and the field that holds it
TIMED = {"strategies": "period", "projects": "period", "responsibilities": "period",
         "networks": "period", "events": "date"}
#: nested entries with a period of their own: (section, field of the list)
TIMED_NESTED = (("people", "posts"), ("projects", "activities"))


class AsOfError(ValueError):
    """A date that is not one (``2008``, ``2008-11`` or ``2008-11-06``)."""


def as_of_span(text: str) -> tuple[dt.date, dt.date]:
    """The first and last day of ``text`` (``2008``, ``2008-11`` or ``2008-11-06``).
    Raises AsOfError.

    >>> as_of_span("2008-02")
    (datetime.date(2008, 2, 1), datetime.date(2008, 2, 29))
    """
    if isinstance(text, dt.date):  # a date of Python's (a datetime is one too)
        text = text.isoformat()[:10]
    elif isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    span = parse_date(text.strip()) if isinstance(text, str) else None
    if span is None:
        raise AsOfError(f"{text!r} is not a date: write a year, a year and month or a day "
                        "(2008, 2008-11 or 2008-11-06)")
    return span


def holds(period, span: tuple[dt.date, dt.date]) -> bool | None:
    """Whether a ``period`` ({from, to}, either end open) or a ``when`` (one date or a
    period) overlaps ``span``; None when there is no period at all (taken on trust).

    >>> span = as_of_span("2008")
    >>> holds({"from": "2007", "to": "2013"}, span), holds({"from": "2009"}, span)
    (True, False)
    >>> holds("2008-11-06", span), holds(None, span), holds({"to": "2008-01"}, span)
    (True, None, True)
    """
    if period is None:
        return None
    if isinstance(period, str):
        period = {"from": period, "to": period}
    first, last = span
    start = parse_date(period["from"])[0] if period.get("from") else None
    end = parse_date(period["to"])[1] if period.get("to") else None
    return (start is None or start <= last) and (end is None or end >= first)


@dataclass
class AsOf:
    """What filtering by a date did: the date, the facts kept, and by section the entries
    left out because their own period excludes the date (``outside``), those left out
    because what they need was left out (``depending``), and the entries with no period
    that were kept on trust (``on_trust``; posts and activities under ``people.posts``,
    ``projects.activities``)."""

    date: str
    facts: dict
    outside: dict[str, int] = field(default_factory=dict)
    depending: dict[str, int] = field(default_factory=dict)
    on_trust: dict[str, int] = field(default_factory=dict)

    @property
    def trusted(self) -> int:
        """How many facts without a period were taken on trust."""
        return sum(self.on_trust.values())

    def summary(self) -> str:
        """One line for people: the date, what was left out, what was taken on trust."""
        out = sum(self.outside.values())
        dep = sum(self.depending.values())
        trust = ", ".join(f"{n} {section}" for section, n in sorted(self.on_trust.items())
                          if n)
        return (f"as of {self.date}: {out} fact(s) of other times left out"
                + (f" (and {dep} that depend on them)" if dep else "")
                + f"; {self.trusted} fact(s) without a period taken on trust"
                + (f" ({trust})" if trust else ""))

    def short(self) -> str:
        """The same in a few words, for a map's subtitle."""
        left = sum(self.outside.values()) + sum(self.depending.values())
        return (f"as of {self.date}: {left} fact(s) of other times left out, "
                f"{self.trusted} without a period taken on trust")

    def to_dict(self) -> dict:
        return {"as_of": self.date, "outside": self.outside, "depending": self.depending,
                "on_trust": self.on_trust}


def facts_as_of(facts: dict, date: str) -> AsOf:
    """``facts`` (a canonical document: ``dataset`` and a list per section) as of
    ``date``. Raises AsOfError for a date that is not one.

    Cost: O(entries + references), a few passes until nothing more depends on what was
    left out.

    >>> doc = {"dataset": {"id": "d"},
    ...        "projects": [{"id": "p", "period": {"from": "2020"}, "status": "running"}],
    ...        "responsibilities": [{"actor": "o", "role": "lead", "for": "p"}]}
    >>> result = facts_as_of(doc, "2008")
    >>> result.facts["projects"], result.facts["responsibilities"], result.depending
    ([], [], {'responsibilities': 1})
    """
    span = as_of_span(date)
    result = AsOf(str(date.isoformat()[:10] if isinstance(date, dt.date) else date).strip(),
                  {})
    gone: set[str] = set()
    kept: dict[str, list[dict]] = {}
    for section, entries in facts.items():
        if section == "dataset" or section not in SECTIONS:
            continue
        key = TIMED.get(section)
        out = []
        for entry in entries:
            verdict = holds(entry.get(key), span) if key else True
            if verdict is False:
                result.outside[section] = result.outside.get(section, 0) + 1
                _ids(entry, gone)
                continue
            if verdict is None:
                result.on_trust[section] = result.on_trust.get(section, 0) + 1
            out.append(_nested(section, entry, span, result))
        kept[section] = out
    # what needs something left out goes too, until nothing more does
    while True:
        before = len(gone)
        for section, entries in kept.items():
            schema = SECTIONS[section]
            out = []
            for entry in entries:
                pruned = _pruned(schema, entry, gone)
                if pruned is None:
                    result.depending[section] = result.depending.get(section, 0) + 1
                    _ids(entry, gone)
                    key = TIMED.get(section)
                    if key and entry.get(key) is None:  # it was counted on trust
                        result.on_trust[section] -= 1
                else:
                    out.append(pruned)
            kept[section] = out
        if len(gone) == before:
            break
    result.facts = {"dataset": facts.get("dataset", {}), **kept}
    result.on_trust = {k: v for k, v in result.on_trust.items() if v}
    return result


def why_absent(facts: dict, ident: str, date: str,
               sections: tuple[str, ...] | None = None) -> str | None:
    """Why the entry ``ident`` of ``facts`` (a canonical document) is not there as of
    ``date``, in a few words: its own period (or date) excludes it, or it depends on
    something that does. None when no entry of ``sections`` (None: any) has that id, or
    it is there as of ``date``.
    Raises AsOfError. Cost: one pass to find it, and :func:`facts_as_of` when its own
    period holds.

    >>> doc = {"projects": [{"id": "p", "period": {"from": "2020"}, "status": "running"}]}
    >>> why_absent(doc, "p", "2008")
    'its period is 2020–…'
    >>> why_absent(doc, "p", "2021") is None, why_absent(doc, "q", "2008") is None
    (True, True)
    """
    span = as_of_span(date)
    for section, entries in facts.items():
        if section == "dataset" or section not in SECTIONS or \
                (sections is not None and section not in sections):
            continue
        for entry in entries:
            if not isinstance(entry, dict) or entry.get("id") != ident:
                continue
            key = TIMED.get(section)
            period = entry.get(key) if key else None
            if key and holds(period, span) is False:
                if isinstance(period, dict):
                    return (f"its {key} is {period.get('from') or '…'}–"
                            f"{period.get('to') or '…'}")
                return f"its {key} is {period}"
            kept = facts_as_of(facts, date).facts.get(section, ())
            if any(isinstance(e, dict) and e.get("id") == ident for e in kept):
                return None
            return "it depends on facts that do not hold then"
    return None


def outside_key(facts: dict, date: str) -> frozenset:
    """Which dated facts of ``facts`` ``date`` leaves out by their own period (the
    :func:`holds` verdicts of :func:`facts_as_of`, by position: ``(section, index)`` and
    ``(section.name, index, item)`` for posts and activities). Everything else
    :func:`facts_as_of` does follows from these, so two dates with the same key give the
    same facts (the maps' year slider projects each distinct one once). Raises
    AsOfError. Cost: one pass over the dated facts.

    >>> doc = {"projects": [{"id": "p", "period": {"from": "2020"}}]}
    >>> outside_key(doc, "2008"), outside_key(doc, "2021")
    (frozenset({('projects', 0)}), frozenset())
    """
    span = as_of_span(date)
    out = set()
    for section, entries in facts.items():
        key = TIMED.get(section)
        nested = [name for owner, name in TIMED_NESTED if owner == section]
        if section not in SECTIONS or not (key or nested):
            continue
        for i, entry in enumerate(entries):
            if key and holds(entry.get(key), span) is False:
                out.add((section, i))
            for name in nested:
                for j, item in enumerate(entry.get(name) or ()):
                    if holds(item.get("period"), span) is False:
                        out.add((f"{section}.{name}", i, j))
    return frozenset(out)


def undated(facts: dict) -> dict[str, int]:
    """How many facts of ``facts`` have no period, by section as :attr:`AsOf.on_trust`
    names them (posts and activities as ``people.posts``, ``projects.activities``):
    those that :func:`facts_as_of` takes on trust whatever the date, before anything is
    left out. Cost: one pass over the dated facts.

    >>> undated({"projects": [{"id": "p"}, {"id": "q", "period": {"from": "2020"}}]})
    {'projects': 1}
    """
    span = as_of_span("2000")  # any date: a fact without a period holds None at every one
    found: dict[str, int] = {}
    for section, entries in facts.items():
        key = TIMED.get(section)
        nested = [name for owner, name in TIMED_NESTED if owner == section]
        if section not in SECTIONS or not (key or nested):
            continue
        for entry in entries:
            if key and holds(entry.get(key), span) is None:
                found[section] = found.get(section, 0) + 1
            for name in nested:
                for item in entry.get(name) or ():
                    if holds(item.get("period"), span) is None:
                        where = f"{section}.{name}"
                        found[where] = found.get(where, 0) + 1
    return found


def _nested(section: str, entry: dict, span, result: AsOf) -> dict:
    """``entry`` with its posts or activities of other times left out."""
    for owner, name in TIMED_NESTED:
        if section != owner or name not in entry:
            continue
        items = []
        for item in entry[name]:
            verdict = holds(item.get("period"), span)
            where = f"{section}.{name}"
            if verdict is False:
                result.outside[where] = result.outside.get(where, 0) + 1
                continue
            if verdict is None:
                result.on_trust[where] = result.on_trust.get(where, 0) + 1
            items.append(item)
        entry = {**entry, name: items} if items else {k: v for k, v in entry.items()
                                                      if k != name}
    return entry


def _ids(entry: dict, gone: set[str]) -> None:
    """The ids an entry defines (its own, its priorities') are gone with it."""
    if "id" in entry:
        gone.add(entry["id"])
    for priority in entry.get("priorities", ()):
        gone.add(priority["id"])


def _pruned(schema: Schema, entry: dict, gone: set[str]) -> dict | None:
    """``entry`` without its references to ``gone`` ids, or None when a required one is
    gone (the entry needs it)."""
    if not gone:
        return entry
    out = {}
    changed = False
    for name, value in entry.items():
        spec: Field | None = schema.fields.get(name)
        if name == "source" or spec is None:
            out[name] = value
            continue
        new = _value(spec, value, gone)
        if new is _NEEDED:
            return None
        if new is not value:
            changed = True
        if new is not _OMIT:
            out[name] = new
    return out if changed else entry


_NEEDED, _OMIT = object(), object()


def _value(spec: Field, value, gone: set[str]):
    if spec.type == "ref":
        if value in gone:
            return _NEEDED if spec.required else _OMIT
        return value
    if spec.type == "refs":
        items = value if isinstance(value, list) else [value]
        kept = [v for v in items if v not in gone]
        if len(kept) == len(items):
            return value
        if spec.required:
            return _NEEDED  # a statement about, a share's funders: it needs them all
        return kept if kept else _OMIT
    if spec.type == "map" and isinstance(value, dict):
        new = _pruned(spec.sub, value, gone)
        return (_NEEDED if spec.required else _OMIT) if new is None else new
    if spec.type == "list" and isinstance(value, list):
        items = [_pruned(spec.sub, item, gone) for item in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        kept = [i for i in items if i is not None]
        return kept if kept else _OMIT
    return value


def facts_of(doc: dict, used: dict[str, list[dict]] | None = None):
    """A :class:`graph.loader.facts.Facts` of a canonical document (what ``to_quads``
    writes into a store): its sections, the kind of every id, and the entries of the
    reference sets it uses (``used``, read again from its ``uses`` when not given).

    >>> facts_of({"dataset": {"id": "d", "title": {"en": "D"}, "lang": "en"},
    ...           "organisations": [{"id": "o", "name": {"en": "O"}, "kind": "x"}]}).kinds
    {'o': 'organisation'}
    """
    from .facts import Facts
    from .reference import used_entries

    sections = {name: list(doc.get(name) or []) for name in SECTIONS}
    if used is None:
        uses = doc.get("dataset", {}).get("uses")
        used = used_entries(uses) if uses else {}
    kinds: dict[str, str] = {}
    for name, entries in used.items():
        for entry in entries:
            kinds[entry["id"]] = SECTIONS[name].kind
    for name, entries in sections.items():
        kind = SECTIONS[name].kind
        for entry in entries:
            if "id" in entry:
                kinds[entry["id"]] = kind
            for priority in entry.get("priorities", ()):
                kinds[priority["id"]] = "priority"
    return Facts(doc.get("dataset", {}), sections, kinds=kinds, used=used)
