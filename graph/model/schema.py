"""The facts format as data: sections, their fields and the type of each field.

One table drives the loader (what to accept), the RDF writer and reader (how to map
each field) and the documentation, so the three cannot drift apart.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

FORMAT_VERSION = 1


def facts_document(**parts) -> dict:
    """A facts document: ``format: FORMAT_VERSION`` first, then ``parts`` in the order given.

    Every writer of facts files (export, the reference areas, synth) starts here.

    >>> facts_document(dataset={"id": "d"})
    {'format': 1, 'dataset': {'id': 'd'}}
    """
    return {"format": FORMAT_VERSION, **parts}

ROLES = ("lead", "coordinate", "fund", "implement", "monitor", "participate")
PROJECT_STATUS = ("idea", "planned", "running", "completed", "cancelled")
AREA_KINDS = ("country", "region", "sub-region", "municipality", "place", "cross-border-area")
STRATEGY_KINDS = ("strategy", "programme", "plan", "regional-model")
NETWORK_KINDS = ("cross-border-network", "working-group", "coordination-group", "partnership")
SOURCE_KINDS = ("presentation", "article", "report", "web-page", "dataset", "interview")
ACTIVITY_STATUS = ("done", "planned")


def ontology_dir() -> Path:
    """The folder of ontology data files, installed (graph/ontology) or in a checkout."""
    installed = Path(str(resources.files("graph"))) / "ontology"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / "ontology"


def ontology_file(name: str) -> Path:
    """A file of the ontology folder (see :func:`ontology_dir`): ``"shapes.ttl"``…"""
    return ontology_dir() / name


#: closed lists by scheme name (the scheme names are used in concept IRIs)
VOCABULARIES: dict[str, tuple[str, ...]] = {
    "role": ROLES,
    "project-status": PROJECT_STATUS,
    "area-kind": AREA_KINDS,
    "strategy-kind": STRATEGY_KINDS,
    "network-kind": NETWORK_KINDS,
    "source-kind": SOURCE_KINDS,
    "activity-status": ACTIVITY_STATUS,
    # "says": the checks and "other", read when asked (see vocabulary())
}

#: folders of checks of one's own, besides the package's (os.pathsep-separated)
CHECKS_PATH_VARIABLE = "REGIOGRAPH_CHECKS"


class CheckError(ValueError):
    """A check that cannot be used: a folder of REGIOGRAPH_CHECKS that is none, or a check
    file whose header or query is wrong (the message says which and why)."""


def check_files() -> list[Path]:
    """Every check file: ``ontology/checks/*.rq``, then those of the folders named in the
    environment variable REGIOGRAPH_CHECKS, each folder sorted by name. A check is its
    file; its name is the file's stem. Raises CheckError for a name that is no folder."""
    folders = [ontology_dir() / "checks"]
    for text in os.environ.get(CHECKS_PATH_VARIABLE, "").split(os.pathsep):
        if text:
            folder = Path(text)
            if not folder.is_dir():
                raise CheckError(f"{CHECKS_PATH_VARIABLE} names {text!r}, which is no folder "
                                 "(give folders of .rq check files, separated by "
                                 f"{os.pathsep!r})")
            folders.append(folder)
    # a folder's mtime changes when a file is added or removed: the cache follows it
    return list(_check_files(tuple((f, f.stat().st_mtime_ns) for f in folders)))


@functools.lru_cache(maxsize=8)  # the loader asks once per statement
def _check_files(folders: tuple[tuple[Path, int], ...]) -> tuple[Path, ...]:
    return tuple(f for folder, _ in folders for f in sorted(folder.glob("*.rq")))


def check_names() -> tuple[str, ...]:
    """The names of the checks (see :func:`check_files`), sorted."""
    return tuple(sorted({p.stem for p in check_files()}))


#: every closed list by scheme name (the scheme names are used in concept IRIs)
VOCABULARY_NAMES = (*VOCABULARIES, "says")


def vocabulary(name: str) -> tuple[str, ...]:
    """The values of a closed list; what a statement ``says`` follows the checks there are."""
    if name == "says":
        return (*check_names(), "other")
    return VOCABULARIES[name]


ACTORS = ("organisation", "person")
#: who may hold a responsibility: an actor, or a network (a coordination group that monitors)
RESPONSIBLE = (*ACTORS, "network")
TARGETS = ("strategy", "priority", "project", "network")
#: every kind of entry that has an id (what a statement may be about)
ENTITIES = ("source", "area", "organisation", "person", "strategy", "priority", "project",
            "network", "event")


@dataclass(frozen=True)
class Field:
    """One field of an entry.

    ``type`` is one of: id, names, text, ref, refs, date, period, when, enum,
    number, count, country, lang, codes, iri, author, list, map, uses, texts (a list
    of plain strings, kept sorted).
    ``targets`` are the entity kinds a ref/refs may point to; ``vocab`` names the
    closed list of an enum; ``sub`` is the schema of nested entries (list/map).
    """

    type: str
    required: bool = False
    targets: tuple[str, ...] = ()
    vocab: str = ""
    sub: Schema | None = None


@dataclass(frozen=True)
class Schema:
    """The fields of one kind of entry; ``kind`` names what it defines (if it has ids)."""

    kind: str
    fields: dict[str, Field] = field(default_factory=dict)
    provenance: bool = True  # accepts `source` and `note`
    source_required: bool = False  # a statement is only as good as its source


AREA = ("area",)

POST = Schema(
    "post",
    {
        "organisation": Field("ref", True, ("organisation",)),
        "title": Field("names"),
        "period": Field("period"),
    },
)
PRIORITY = Schema("priority", {"id": Field("id", True), "name": Field("names", True)})
FUNDING_SOURCE = Schema(
    "funding-source",
    {
        "funders": Field("refs", True, ACTORS),
        "amount": Field("number", True),
        "share": Field("number"),
    },
)
FUNDING = Schema(
    "funding",
    {
        "total": Field("number"),
        "currency": Field("currency"),
        "sources": Field("list", sub=FUNDING_SOURCE),
    },
)
ACTIVITY = Schema(
    "activity",
    {
        "name": Field("names", True),
        "by": Field("ref", targets=ACTORS),
        "for": Field("ref", targets=("priority", "strategy")),
        "status": Field("enum", vocab="activity-status"),
        "period": Field("period"),
    },
)

DATASET = Schema(
    "dataset",
    {
        "id": Field("id", True),
        "title": Field("names", True),
        "lang": Field("lang", True),
        "base": Field("iri"),
        "uses": Field("uses"),  # reference sets whose areas it may name (graph.loader.reference)
    },
    provenance=False,
)

SECTIONS: dict[str, Schema] = {
    "sources": Schema(
        "source",
        {
            "id": Field("id", True),
            "title": Field("names", True),
            "kind": Field("enum", vocab="source-kind"),
            "date": Field("date"),
            "author": Field("author", targets=ACTORS),
            "file": Field("text"),
            "url": Field("iri"),
        },
    ),
    "areas": Schema(
        "area",
        {
            "id": Field("id", True),
            "name": Field("names", True),
            "kind": Field("enum", True, vocab="area-kind"),
            "part_of": Field("refs", targets=AREA),
            "country": Field("country"),
            "codes": Field("codes"),
        },
    ),
    "organisations": Schema(
        "organisation",
        {
            "id": Field("id", True),
            "name": Field("names", True),
            "kind": Field("text", True),
            "area": Field("refs", targets=AREA),
            "part_of": Field("ref", targets=("organisation",)),
            "represents": Field("refs", targets=AREA),
            "codes": Field("codes"),  # register ids: y-tunnus, organisationsnummer…
            "alt_names": Field("texts"),  # other spellings met in sources and registers
        },
    ),
    "people": Schema(
        "person",
        {
            "id": Field("id", True),
            "name": Field("names", True),
            "posts": Field("list", sub=POST),
        },
    ),
    "strategies": Schema(
        "strategy",
        {
            "id": Field("id", True),
            "name": Field("names", True),
            "kind": Field("enum", True, vocab="strategy-kind"),
            "owner": Field("ref", targets=ACTORS),
            "area": Field("refs", targets=AREA),
            "period": Field("period"),
            "part_of": Field("ref", targets=("strategy",)),
            "key_actors": Field("refs", targets=ACTORS),
            "priorities": Field("list", sub=PRIORITY),
        },
    ),
    "projects": Schema(
        "project",
        {
            "id": Field("id", True),
            "name": Field("names", True),
            "description": Field("names"),
            "administrator": Field("ref", targets=("organisation",)),
            "partners": Field("refs", targets=("organisation",)),
            "areas": Field("refs", targets=AREA),
            "period": Field("period"),
            "status": Field("enum", True, vocab="project-status"),
            "implements": Field("refs", targets=("priority", "strategy")),
            "funding": Field("map", sub=FUNDING),
            "activities": Field("list", sub=ACTIVITY),
        },
    ),
    "responsibilities": Schema(
        "responsibility",
        {
            "actor": Field("ref", True, RESPONSIBLE),
            "role": Field("enum", True, vocab="role"),
            "for": Field("ref", True, TARGETS),
            "area": Field("refs", targets=AREA),
            "period": Field("period"),
        },
    ),
    "networks": Schema(
        "network",
        {
            "id": Field("id", True),
            "name": Field("names", True),
            "kind": Field("enum", True, vocab="network-kind"),
            "members": Field("refs", targets=("organisation", "person", "area")),
            "convener": Field("ref", targets=ACTORS),
            "for": Field("refs", targets=("strategy", "priority")),
            "area": Field("refs", targets=AREA),
            "period": Field("period"),
        },
    ),
    "events": Schema(
        "event",
        {
            "id": Field("id", True),
            "name": Field("names", True),
            "date": Field("when"),
            "place": Field("refs", targets=AREA),
            "organiser": Field("refs", targets=ACTORS),
            "participants": Field("refs", targets=ACTORS),
            "participant_count": Field("count"),
            "for": Field("refs", targets=TARGETS),
            "outcome": Field("text"),
        },
    ),
    "statements": Schema(
        "statement",
        {
            "about": Field("refs", True, ENTITIES),
            "says": Field("enum", True, vocab="says"),
            "quote": Field("text", True),
        },
        source_required=True,
    ),
}

#: entity kind -> the section that defines it
KIND_SECTION = {schema.kind: name for name, schema in SECTIONS.items()}
KIND_SECTION["priority"] = "strategies"

TOP_LEVEL = ("format", "dataset", *SECTIONS)


def article(kind: str) -> str:
    """'an organisation', 'a person': for messages."""
    return ("an " if kind[0] in "aeio" else "a ") + kind
