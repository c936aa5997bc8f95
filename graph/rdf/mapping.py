"""Facts -> RDF triples and RDF -> facts: the mapping, in one table, both ways.

Entities with ids become ``<base><id>``; nested facts (posts, funding, funding
shares, activities) hang under their entity's IRI (``<base><id>/post/1``);
responsibilities, which have no id, get ``<base>responsibility/<hash>`` from their
content, so IRIs are stable across runs and no blank nodes are used. Every node
carries ``dct:source`` (the sources written on it) and ``prov:wasDerivedFrom``
(the sources that cover it, inherited from the enclosing entry), so any fact can
be traced to its documents.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal

from pyoxigraph import Literal, NamedNode, Quad, Triple

from ..loader.facts import Facts, canonical_order
from ..loader.reference import REFERENCE_BASE
from ..model.schema import ACTORS, SECTIONS
from ..model.vocab import (
    CODE,
    DCAT,
    DCT,
    FOAF,
    ORG,
    PROV,
    RDF,
    RG,
    RGC,
    SCHEMA,
    SKOS,
    XSD,
    default_base,
)

# kind -> rdf:type
CLASSES: dict[str, NamedNode] = {
    "dataset": DCAT.Dataset,
    "source": RG.Source,
    "area": RG.Area,
    "organisation": ORG.Organization,
    "person": FOAF.Person,
    "post": ORG.Post,
    "strategy": RG.Strategy,
    "priority": RG.Priority,
    "project": RG.Project,
    "funding": RG.Funding,
    "funding-source": RG.FundingShare,
    "activity": RG.Activity,
    "responsibility": RG.Responsibility,
    "network": RG.Network,
    "event": RG.Event,
    "statement": RG.Statement,
}
KIND_OF_CLASS = {v.value: k for k, v in CLASSES.items()}

# (kind, field) -> predicate.  Fields not listed use the generic ones below.
PREDICATES: dict[tuple[str, str], NamedNode] = {
    ("dataset", "title"): DCT.title,
    ("dataset", "lang"): DCT.language,
    ("dataset", "base"): RG.base,
    ("dataset", "uses"): RG.uses,
    ("source", "title"): DCT.title,
    ("source", "kind"): RG.sourceKind,
    ("source", "date"): DCT.date,
    ("source", "author"): DCT.creator,
    ("source", "file"): RG.file,
    ("source", "url"): SCHEMA.url,
    ("area", "kind"): RG.areaKind,
    ("area", "part_of"): SCHEMA.containedInPlace,
    ("area", "country"): SCHEMA.addressCountry,
    ("area", "codes"): SKOS.notation,
    ("organisation", "kind"): RG.organisationKind,
    ("organisation", "part_of"): ORG.subOrganizationOf,
    ("organisation", "represents"): RG.represents,
    ("organisation", "codes"): ORG.identifier,
    ("organisation", "alt_names"): SKOS.altLabel,
    ("project", "description"): DCT.description,
    ("post", "organisation"): ORG.postIn,
    ("strategy", "kind"): RG.strategyKind,
    ("strategy", "owner"): RG.owner,
    ("strategy", "part_of"): DCT.isPartOf,
    ("strategy", "key_actors"): RG.keyActor,
    ("project", "administrator"): RG.administrator,
    ("project", "partners"): RG.partner,
    ("project", "status"): RG.status,
    ("project", "implements"): RG.implements,
    ("funding", "total"): RG.total,
    ("funding", "currency"): RG.currency,
    ("funding-source", "funders"): RG.funder,
    ("funding-source", "amount"): RG.amount,
    ("funding-source", "share"): RG.sharePercent,
    ("activity", "by"): PROV.wasAssociatedWith,
    ("activity", "for"): RG.serves,
    ("activity", "status"): RG.activityStatus,
    ("responsibility", "actor"): RG.actor,
    ("responsibility", "role"): RG.role,
    ("responsibility", "for"): RG.responsibleFor,
    ("network", "kind"): RG.networkKind,
    ("network", "members"): ORG.hasMember,
    ("network", "convener"): RG.convener,
    ("network", "for"): RG.serves,
    ("event", "place"): SCHEMA.location,
    ("event", "organiser"): SCHEMA.organizer,
    ("event", "participants"): RG.participant,
    ("event", "participant_count"): RG.participantCount,
    ("event", "for"): RG.serves,
    ("event", "outcome"): RG.outcome,
    ("statement", "about"): SCHEMA.about,
    ("statement", "says"): RG.says,
    ("statement", "quote"): RG.quote,
}
GENERIC: dict[str, NamedNode] = {
    "id": DCT.identifier,
    "name": SKOS.prefLabel,
    "title": SKOS.prefLabel,
    "area": DCT.spatial,
    "areas": DCT.spatial,
    "note": SKOS.note,
    "source": DCT.source,
}
# nested lists/maps: (kind, field) -> (child kind, IRI suffix, link child->parent)
NESTED: dict[tuple[str, str], tuple[str, str, NamedNode]] = {
    ("person", "posts"): ("post", "post", ORG.heldBy),
    ("strategy", "priorities"): ("priority", "", RG.priorityOf),
    ("project", "funding"): ("funding", "funding", RG.fundingOf),
    ("funding", "sources"): ("funding-source", "share", RG.shareOf),
    ("project", "activities"): ("activity", "activity", RG.activityOf),
}
START, END, POSITION = SCHEMA.startDate, SCHEMA.endDate, RG.position
DERIVED = PROV.wasDerivedFrom
QUOTED = PROV.wasQuotedFrom
_TYPE = RDF.type


def predicate(kind: str, name: str) -> NamedNode:
    """The predicate that carries field ``name`` of an entry of ``kind``."""
    return PREDICATES.get((kind, name)) or GENERIC[name]


def _schemas() -> dict:
    from ..model.schema import ACTIVITY, DATASET, FUNDING, FUNDING_SOURCE, POST, PRIORITY

    out = {schema.kind: schema for schema in SECTIONS.values()}
    for schema in (ACTIVITY, DATASET, FUNDING, FUNDING_SOURCE, POST, PRIORITY):
        out[schema.kind] = schema
    return out


SCHEMAS = _schemas()


@functools.lru_cache(maxsize=1024)  # a closed list has a handful of values
def concept(vocab: str, value: str) -> NamedNode:
    """The SKOS concept IRI of a closed-list value, e.g. ``rgc:role-lead``."""
    return RGC[f"{vocab}-{value}"]


def date_literal(text: str) -> Literal:
    """'2008' -> xsd:gYear, '2008-11' -> xsd:gYearMonth, '2008-11-06' -> xsd:date."""
    return _date_literal(text)


_DATE_TYPES = {4: XSD.gYear, 7: XSD.gYearMonth}
_XSD_DATE = XSD.date


@functools.lru_cache(maxsize=65536)  # dates repeat a lot across entries
def _date_literal(text: str) -> Literal:
    return Literal(text, datatype=_DATE_TYPES.get(len(text), _XSD_DATE))


def _number_literal(value) -> Literal:
    return Literal(format(Decimal(str(value)), "f"), datatype=_XSD_DECIMAL)


_XSD_DECIMAL = XSD.decimal


#: countries whose NUTS codes are NUTS proper (EU members, Eurostat's 'EL' for Greece);
#: Norway's codes are statistical regions, for which no IRI pattern was confirmed
NUTS_COUNTRIES = frozenset(
    "AT BE BG CY CZ DE DK EE EL ES FI FR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split())
NUTS_IRI = "http://data.europa.eu/nuts/code/"
#: the Finnish municipality code list of the Suomi.fi interoperability platform (JHS 156),
#: version 2023-01-01: the one version whose code IRIs were confirmed from a stored source
FI_MUNICIPALITY_IRI = "http://uri.suomi.fi/codelist/jhs/kunta_1_20230101/code/"
_NUTS_RE = re.compile(r"[A-Z]{2}[0-9A-Z]{0,3}\Z")


def code_links(entry: dict) -> list[NamedNode]:
    """Standard IRIs of an area's official codes (for ``skos:exactMatch``).

    NUTS codes of EU countries -> ``http://data.europa.eu/nuts/code/FI1D7``;
    a Finnish ``municipality`` code -> the Suomi.fi code list IRI. Other schemes have
    none. Derived from ``codes`` alone, so the reader ignores these links.

    >>> [n.value for n in code_links({"codes": {"nuts": "FI1D7", "region": "19"}})]
    ['http://data.europa.eu/nuts/code/FI1D7']
    """
    codes = entry.get("codes") or {}
    links = []
    nuts = codes.get("nuts", "")
    if _NUTS_RE.match(nuts) and nuts[:2] in NUTS_COUNTRIES:
        links.append(NamedNode(NUTS_IRI + nuts))
    municipality = codes.get("municipality", "")
    if entry.get("country") == "FI" and re.fullmatch(r"[0-9]{3}", municipality):
        links.append(NamedNode(FI_MUNICIPALITY_IRI + municipality))
    return links


class GraphWriter:
    """Turns canonical facts into triples."""

    def __init__(self, facts: Facts):
        self.facts = facts
        self.base = facts.dataset.get("base") or default_base(facts.id)
        self.actors = {i for i, k in facts.kinds.items() if k in ACTORS}
        # entries of used reference sets live under one base shared by every dataset
        self.used = {e["id"] for entries in facts.used.values() for e in entries}
        self._iris: dict[str, NamedNode] = {}

    def iri(self, ident: str) -> NamedNode:
        node = self._iris.get(ident)
        if node is None:  # an id is referenced ~5 times at 1M triples: build its node once
            base = REFERENCE_BASE if ident in self.used else self.base
            node = self._iris[ident] = NamedNode(base + ident)
        return node

    def triples(self) -> Iterator[Quad]:
        # each entry's quads are appended to one list, then yielded: cheaper than a
        # generator per nesting level (measured 5-10 % of the writer's time at 1M)
        facts = self.facts
        out: list[Quad] = []
        self.node(NamedNode(self.base), "dataset", facts.dataset, None, out)
        for section, entries in facts.used.items():
            for entry in entries:
                self.node(self.iri(entry["id"]), SECTIONS[section].kind, entry, None, out)
        yield from out
        seen: Counter[str] = Counter()
        for section, entries in facts.sections.items():
            schema = SECTIONS[section]
            kind = schema.kind
            named = "id" in schema.fields
            for n, entry in enumerate(entries, 1):
                if named:
                    subject = self.iri(entry["id"])
                else:  # IRIs from content: stable across runs, whatever else changes
                    key = responsibility_key(entry)
                    seen[key] += 1  # the same content stated twice: two nodes, -2 on the second
                    suffix = "" if seen[key] == 1 else f"-{seen[key]}"
                    subject = NamedNode(f"{self.base}{kind}/{key}{suffix}")
                out = []
                self.node(subject, kind, entry, None, out)
                if kind == "statement":
                    # a statement quotes its source (PROV), and keeps its place in the dataset
                    out.append(Quad(subject, POSITION, Literal(n)))
                    for src in entry["source"]:
                        out.append(Quad(subject, QUOTED, self.iri(src)))
                yield from out

    def node(self, subject: NamedNode, kind: str, entry: dict, inherited,
             out: list[Quad]) -> None:
        """Append the quads of one entry (and of the entries nested in it) to ``out``."""
        add = out.append
        add(Quad(subject, _TYPE, CLASSES[kind]))
        schema = SCHEMAS[kind]
        sources = entry.get("source") or inherited
        for src in sources or ():
            add(Quad(subject, DERIVED, self.iri(src)))
        for name, value in entry.items():
            spec = schema.fields.get(name)
            if name in ("source", "note"):
                pred = GENERIC[name]
                if name == "source":
                    for src in value:
                        add(Quad(subject, pred, self.iri(src)))
                else:
                    add(Quad(subject, pred, Literal(value)))
                continue
            if spec.type in ("list", "map"):
                child_kind, suffix, link = NESTED[(kind, name)]
                items = value if spec.type == "list" else [value]
                for n, item in enumerate(items, 1):
                    if child_kind == "priority":
                        child = self.iri(item["id"])
                    elif spec.type == "map":
                        child = NamedNode(f"{subject.value}/{suffix}")
                    else:
                        child = NamedNode(f"{subject.value}/{suffix}/{n}")
                    add(Quad(child, link, subject))
                    if spec.type == "list":
                        add(Quad(child, POSITION, Literal(n)))
                    self.node(child, child_kind, item, sources, out)
                continue
            self.field(subject, kind, name, spec, value, add)
        if kind == "area":
            for link in code_links(entry):
                add(Quad(subject, SKOS.exactMatch, link))

    def field(self, subject, kind, name, spec, value, add) -> None:
        """``add`` the quads of one plain field."""
        t = spec.type
        if t in ("period", "when"):
            period = {"from": value, "to": value} if isinstance(value, str) else value
            if "from" in period:
                add(Quad(subject, START, date_literal(period["from"])))
            if "to" in period:
                add(Quad(subject, END, date_literal(period["to"])))
            return
        pred = predicate(kind, name)
        if t == "names":
            for lang, text in value.items():
                add(Quad(subject, pred, Literal(text, language=lang)))
        elif t in ("ref", "refs"):
            for ident in [value] if t == "ref" else value:
                add(Quad(subject, pred, self.iri(ident)))
        elif t == "author":
            if value in self.actors:
                add(Quad(subject, pred, self.iri(value)))
            else:
                add(Quad(subject, pred, Literal(value)))
        elif t == "enum":
            add(Quad(subject, pred, concept(spec.vocab, value)))
        elif t == "date":
            add(Quad(subject, pred, date_literal(value)))
        elif t == "number":
            add(Quad(subject, pred, _number_literal(value)))
        elif t == "count":
            add(Quad(subject, pred, Literal(value)))
        elif t == "codes":
            for scheme, code in value.items():
                add(Quad(subject, pred, Literal(code, datatype=CODE[scheme])))
        elif t == "iri":
            add(Quad(subject, pred, Literal(value, datatype=XSD.anyURI)))
        elif t in ("uses", "texts"):
            for name in value:
                add(Quad(subject, pred, Literal(name)))
        else:  # id, text, lang, country, currency
            add(Quad(subject, pred, Literal(value)))


def responsibility_key(entry: dict) -> str:
    """A short stable hash of a responsibility's content (its IRI's last segment)."""
    text = json.dumps(entry, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def to_quads(facts: Facts) -> Iterator[Quad]:
    """Every statement of the dataset, in the default graph. Cost: O(facts).

    Quads, not triples, because the store takes them as they are: wrapping 1M triples
    into quads on the way in cost more than writing them.
    """
    return GraphWriter(facts).triples()


def to_triples(facts: Facts) -> Iterator[Triple]:
    """Every triple of the dataset (for rdflib, pySHACL and tests). Cost: O(facts)."""
    return (q.triple for q in GraphWriter(facts).triples())


# --------------------------------------------------------------------------- reading back


class GraphReader:
    """Rebuilds canonical facts from triples written by :class:`GraphWriter`."""

    def __init__(self, triples: Iterable[Triple]):
        self.out: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        self.inc: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        self.types: dict[str, str] = {}
        for t in triples:
            s, p, o = t.subject.value, t.predicate.value, t.object
            if p == _TYPE.value:
                self.types[s] = KIND_OF_CLASS.get(o.value, "")
            else:
                self.out[s][p].append(o)
                if isinstance(o, NamedNode):
                    self.inc[o.value][p].append(s)
        datasets = [s for s, k in self.types.items() if k == "dataset"]
        if len(datasets) != 1:
            raise ValueError(f"expected one dcat:Dataset in the graph, found {len(datasets)}")
        self.base = datasets[0]

    def prefix(self, value: str) -> str | None:
        """The longest of the dataset base and REFERENCE_BASE that ``value`` starts with."""
        found = [p for p in (self.base, REFERENCE_BASE) if value.startswith(p)]
        return max(found, key=len) if found else None

    def used(self, subject: str) -> bool:
        """True for an entry of a used reference set (not the dataset's own)."""
        return self.base != REFERENCE_BASE and self.prefix(subject) == REFERENCE_BASE

    def ident(self, term) -> str:
        value = term.value
        prefix = self.prefix(value)
        if prefix is None:
            raise ValueError(f"{value} is not under the dataset base {self.base}")
        return value[len(prefix):]

    def facts(self) -> dict:
        """Canonical facts (as :meth:`Facts.canonical` returns them)."""
        result: dict = {"dataset": self.entry(self.base, "dataset")}
        for section, schema in SECTIONS.items():
            # entries of used reference sets are not the dataset's own: `uses` brings them
            subjects = [s for s, k in self.types.items()
                        if k == schema.kind and not self.used(s)]
            if schema.kind == "statement":
                subjects.sort(key=self.position)
            entries = [self.entry(s, schema.kind) for s in subjects]
            result[section] = canonical_order(section, entries)
        return result

    def position(self, subject: str) -> int:
        return int(self.out[subject][POSITION.value][0].value)

    def entry(self, subject: str, kind: str, parent_sources=None) -> dict:
        schema = SCHEMAS[kind]
        props = self.out[subject]
        entry: dict = {}
        written = sorted(self.ident(o) for o in props.get(DCT.source.value, ()))
        for name, spec in schema.fields.items():
            value = self.field(subject, kind, name, spec, props, written or parent_sources)
            if value not in (None, [], {}):
                entry[name] = value
        if schema.provenance:
            if written:
                entry["source"] = written
            notes = props.get(SKOS.note.value)
            if notes:
                entry["note"] = notes[0].value
        return entry

    def field(self, subject, kind, name, spec, props, sources):
        t = spec.type
        if t in ("list", "map"):
            child_kind, _, link = NESTED[(kind, name)]
            children = self.inc[subject].get(link.value, [])
            if t == "map":
                return self.entry(children[0], child_kind, sources) if children else None

            return [self.entry(c, child_kind, sources)
                    for c in sorted(children, key=self.position)]
        if t in ("period", "when"):
            period = {}
            for key, pred in (("from", START), ("to", END)):
                found = props.get(pred.value)
                if found:
                    period[key] = found[0].value
            if t == "when" and period and period.get("from") == period.get("to"):
                return period["from"]
            return period or None
        found = props.get(predicate(kind, name).value, [])
        if not found:
            return None
        if t == "names":  # by language tag: the store's order of literals is its own
            return _by_tag((o.language, o.value) for o in found)
        if t == "ref":
            return self.ident(found[0])
        if t == "refs":
            return sorted(self.ident(o) for o in found)
        if t == "author":
            o = found[0]
            return self.ident(o) if isinstance(o, NamedNode) else o.value
        if t == "enum":
            return found[0].value[len(RGC) + len(spec.vocab) + 1:]
        if t == "number":
            value = Decimal(found[0].value)
            return int(value) if value == value.to_integral_value() else float(value)
        if t == "count":
            return int(found[0].value)
        if t == "codes":
            return _by_tag((o.datatype.value[len(CODE):], o.value) for o in found)
        if t in ("uses", "texts"):
            return sorted(o.value for o in found)
        return found[0].value


def _by_tag(pairs) -> dict:
    """Names by language tag, codes by scheme: the one order of both readings."""
    return dict(sorted(pairs))


def from_triples(triples: Iterable[Triple]) -> dict:
    """Canonical facts rebuilt from the triples of one dataset. Cost: O(triples)."""
    return GraphReader(triples).facts()


def in_reading_order(canonical: dict) -> dict:
    """Canonical facts (graph.loader.facts.Facts.canonical) with every mapping's keys in
    the order :func:`from_triples` gives them: an entry's fields in its schema's order,
    then ``source`` and ``note``; names and codes by tag (the loader has made the rest
    canonical already: lists sorted, periods ``from`` first, empty values left out). The
    facts of a dataset, read from YAML, then equal those rebuilt from its graph as JSON
    text too, so that ``build`` keeps them without reading the graph back (1M triples:
    1.1 s instead of 14 s). Cost: O(entries).

    >>> facts = {"dataset": {"lang": "fi", "id": "d", "title": {"sv": "T", "fi": "T"}}}
    >>> list(in_reading_order(facts)["dataset"]), list(in_reading_order(facts)["dataset"]["title"])
    (['id', 'title', 'lang'], ['fi', 'sv'])
    """
    out = {"dataset": _ordered("dataset", canonical["dataset"])}
    for section, schema in SECTIONS.items():
        if section in canonical:
            out[section] = [_ordered(schema.kind, e) for e in canonical[section]]
    return out


def _ordered(kind: str, entry: dict) -> dict:
    schema = SCHEMAS[kind]
    out: dict = {}
    for name, spec in schema.fields.items():
        if name not in entry:
            continue
        value, t = entry[name], spec.type
        if t in ("list", "map"):
            child = NESTED[(kind, name)][0]
            value = (_ordered(child, value) if t == "map" else
                     [_ordered(child, c) for c in value])
        elif t in ("names", "codes"):
            value = _by_tag(value.items())
        out[name] = value
    if schema.provenance:
        for name in ("source", "note"):
            if name in entry:
                out[name] = entry[name]
    return out

