"""The facade that joins the stages: a loaded dataset, its store, its facts, and what can
be done with them.

``Dataset.open(path)`` takes either a facts folder (validated, then built into an
in-memory store) or a store folder written by ``regiograph build`` (reopened
read-only, no YAML parsed).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import RdfFormat, Store

from . import export
from .base.files import (
    folder_lock,
    published_together,
    remove_generations,
    remove_leftovers,
    write_atomic,
)
from .base.progress import progress
from .loader.facts import Facts, load_facts
from .rdf.mapping import from_triples, to_quads
from .store.store import (
    build_store,
    data_triples,
    is_store,
    memory_store,
    open_store,
    serialize,
    store_info,
)

RDF_FORMATS = {
    "turtle": (RdfFormat.TURTLE, "ttl"),
    "ntriples": (RdfFormat.N_TRIPLES, "nt"),
    "jsonld": (RdfFormat.JSON_LD, "jsonld"),
}
#: what `export` writes; `build` writes all but xlsx (the planner's workbook is asked for)
#: the file in a built store that keeps what `regiograph info` shows
INFO_FILE = "info.json"
EXPORT_FORMATS = (*RDF_FORMATS, "graphml", "gexf", "csv", "yaml", "xlsx")


@dataclass
class Dataset:
    """One dataset's graph; ``facts`` is set when it was read from YAML."""

    id: str
    store: Store
    path: Path
    facts: Facts | None = None
    _canonical: dict | None = field(default=None, init=False, repr=False)
    _info: dict | None = field(default=None, init=False, repr=False)

    @classmethod
    def open(cls, path: str | os.PathLike) -> Dataset:
        """Open a facts folder (validating it) or a built store folder."""
        path = Path(path)
        if is_store(path):
            info = store_info(path)
            return cls(info["dataset"], open_store(path), path)
        facts = load_facts(path, display=os.fspath(path))
        return cls(facts.id, memory_store(to_quads(facts)), path, facts)

    # -- facts ---------------------------------------------------------------
    def canonical(self) -> dict:
        """The canonical facts, rebuilt from the graph (what the RDF holds).

        Computed once per Dataset: the store is not changed through this object.
        """
        if self._canonical is None:
            self._canonical = from_triples(data_triples(self.store))
        return self._canonical

    def counts(self) -> dict[str, int]:
        """Entries per section (responsibilities included)."""
        facts = self.canonical()
        return {k: len(v) for k, v in facts.items() if k != "dataset"}

    def info(self) -> dict:
        """Counts, sources, languages and triples: what `regiograph info` shows.

        A store written by ``build`` keeps it (``INFO_FILE``, computed once at build from
        the same graph), so reopening it reads that file instead of rebuilding every fact
        from the RDF; a store without one is counted here.
        """
        if self._info is None:
            kept = self.path / INFO_FILE if self.facts is None else None
            if kept is not None and kept.is_file():
                self._info = json.loads(kept.read_text("utf-8"))
            else:
                self._info = self._count()
        return self._info

    def _count(self) -> dict:
        facts = self.canonical()
        langs: Counter[str] = Counter()
        triples = 0
        for triple in data_triples(self.store):
            triples += 1
            lang = getattr(triple.object, "language", None)
            if lang:
                langs[lang] += 1
        sources = [
            {"id": s["id"], "title": _first(s["title"], facts["dataset"]["lang"]),
             "kind": s.get("kind", ""), "date": s.get("date", "")}
            for s in facts["sources"]
        ]
        return {
            "dataset": facts["dataset"]["id"],
            "title": _first(facts["dataset"]["title"], facts["dataset"]["lang"]),
            "lang": facts["dataset"]["lang"],
            "base": facts["dataset"]["base"],
            "triples": triples,
            "counts": {k: len(v) for k, v in facts.items() if k != "dataset"},
            "languages": dict(sorted(langs.items())),
            "sources": sources,
        }

    # -- output --------------------------------------------------------------
    def rdf_bytes(self, fmt: str, derived: bool = False) -> bytes:
        """The data graph (or, with ``derived``, the graph of derived facts) as ``fmt``."""
        return serialize(self.store, RDF_FORMATS[fmt][0], derived)

    def export(self, fmt: str, path: str | os.PathLike, *,
               csv_raw: bool = False) -> list[Path]:
        """Write the dataset as ``fmt`` (see EXPORT_FORMATS) to ``path``, atomically.

        ``csv`` writes a folder of tables, a cell that a spreadsheet would evaluate
        (``=…``, ``+…``, ``-…``, ``@…``) with a ``'`` in front unless ``csv_raw``; every
        other format one file; ``xlsx`` the planner's workbook (one sheet per table,
        which :func:`graph.importers.workbook.import_workbook` reads back).
        """
        path = Path(path)
        if fmt in RDF_FORMATS:
            return [write_atomic(path, self.rdf_bytes(fmt))]
        if fmt == "yaml":
            return [write_atomic(path, export.to_yaml(self.canonical()))]
        if fmt == "csv":
            return export.write_tables(self.canonical(), path, raw=csv_raw)
        if fmt == "xlsx":
            return [write_atomic(path, export.to_workbook(self.canonical()))]
        if fmt == "graphml":
            from .network.projection import to_networkx, write_graphml

            write_graphml(to_networkx(self.store), path)
            return [path]
        if fmt == "gexf":
            from .network.projection import to_networkx
            from .present.maps import write_gexf

            return [write_gexf(to_networkx(self.store), path)]
        raise ValueError(f"unknown export format {fmt!r}; choose one of {EXPORT_FORMATS}")

    def check(self, only=(), skip=()) -> list:
        """Run the named checks (all by default: the seven of CHECKS.md, then the advisory
        overlap.similar-projects); a list of Finding."""
        return self.assess(only, skip).findings

    def assess(self, only=(), skip=()):
        """The checks (all by default) weighed against the dataset's statements: an
        :class:`graph.checks.Assessment` with ``findings`` (each with its basis) and
        ``statements`` (each with its status), as ``regiograph check --format json``."""
        from .checks import assess, select
        from .present.frames import Findings

        result = assess(self.store, select(only, skip))
        result.findings = Findings(result.findings)
        return result

    def entities(self, kind: str):
        """A DataFrame of one kind of entity: 'organisations' or 'organisation', 'projects'…

        Columns follow the CSV export: ``name.fi``, ``period.from``, id lists joined by
        spaces. Nested lists (posts, priorities, activities, funding shares) are their
        own kinds: ``people.posts``, ``strategies.priorities``, ``projects.activities``,
        ``projects.funding.sources``.
        """
        from .export import to_tables
        from .model.schema import KIND_SECTION
        from .present.frames import entities_frame

        tables = to_tables(self.canonical())
        section = KIND_SECTION.get(kind, kind)
        if section not in tables and kind not in KIND_SECTION.values():
            known = ", ".join(sorted(tables))
            raise ValueError(f"unknown kind {kind!r}; choose one of: {known}")
        return entities_frame(tables, section)

    def query(self, text: str, **params):
        """Run a SPARQL query of your own, checked like `regiograph query` (no SERVICE,
        FROM or updates; package prefixes predeclared), ``params`` bound as variables.

        SELECT gives a list of dicts (with ``.columns`` and ``.to_frame()``), ASK a
        bool, CONSTRUCT a list of triples. Raises graph.query.sparql.QueryError.

        >>> ds.query("SELECT ?actor ?role WHERE { ?r rg:actor ?actor ; rg:role ?role }",
        ...          actor="lapin-liitto")  # doctest: +SKIP
        """
        from .query.sparql import query_rows

        return query_rows(self.store, text, params)

    def labels(self, lang: str | None = None):
        """A function id -> name in ``lang`` (with the fallback of graph.model.names)."""
        from .present.labels import Labels

        return Labels(self.store, lang)

    def notes(self) -> dict[str, str]:
        """Every entity's note by id (see :func:`graph.present.labels.notes`)."""
        from .present.labels import notes

        return notes(self.store)

    def to_networkx(self, **kwargs):
        """The networkx projection (see :func:`graph.network.projection.to_networkx`)."""
        from .network.projection import to_networkx

        return to_networkx(self.store, **kwargs)

    def map(self, view: str = "actors", **options):
        """An interactive network map of one view (see :func:`graph.present.maps.dataset_map`:
        ``id``, ``depth``, ``lang``, ``color``, ``size``); a MapPage with ``.html``,
        ``.save(path)`` and inline display in Jupyter."""
        from .present.maps import dataset_map

        return dataset_map(self, view, **options)


def build(facts_path: str | os.PathLike, out: str | os.PathLike, *,
          csv_raw: bool = False) -> tuple[Dataset, dict[str, list[Path]]]:
    """Validate a facts folder, write its store and every export under ``out``.

    Returns the dataset (on the new store) and what was written by kind. Nothing is
    written if the facts are invalid (``InvalidDataset`` is raised before the first file).
    ``csv_raw``: the tables' cells as they are (see :meth:`Dataset.export`). One build
    at a time writes into ``out``: another one going on raises
    :class:`graph.base.files.FolderBusy` (an OSError naming the folder and its pid).
    """
    with building(facts_path, out, csv_raw=csv_raw) as done:
        return done


@contextmanager
def building(facts_path: str | os.PathLike, out: str | os.PathLike, *,
             csv_raw: bool = False) -> Iterator[tuple[Dataset, dict[str, list[Path]]]]:
    """:func:`build`, with ``out`` still locked in the block: no other build replaces
    the store that the dataset reads while the block reads it. The temporary files and
    folders of an earlier build of this dataset into ``out`` that was killed are
    removed first.

    The store and the exports are published together (see
    :func:`graph.base.files.published_together`): each public name in ``out`` is a
    link into the current build's hidden folder, so a reader sees the whole old set or
    the whole new set, never a new store beside old exports."""
    _apart(facts_path, out)  # before anything is read or written
    facts = load_facts(facts_path, display=os.fspath(facts_path))
    out = Path(out)
    name = facts.id
    _apart(facts_path, out, [out / f"{name}.store", out / f"{name}-tables"])
    exports = [(fmt, f"{name}.{ext}") for fmt, (_, ext) in RDF_FORMATS.items()]
    exports += [("graphml", f"{name}.graphml"), ("csv", f"{name}-tables"),
                ("yaml", f"{name}.facts.yaml")]
    targets = [f"{name}.store"] + [target for _, target in exports]
    with folder_lock(out):
        remove_generations(out, name)  # of a build killed here: no other is at work
        for target in targets:
            remove_leftovers(out / target)
        with published_together(out, name, targets) as gen:
            store_path = build_store(
                progress(to_quads(facts), "build", unit="triple"), gen / f"{name}.store",
                {"dataset": name, "facts": os.fspath(facts_path), "files": facts.files},
            )
            ds = Dataset(name, open_store(gen / f"{name}.store"), out / f"{name}.store",
                         facts)
            written: dict[str, list[Path]] = {"store": [out / f"{name}.store"]}
            for fmt, target in progress(exports, "export", unit="format"):
                written[fmt] = [out / p.relative_to(gen)
                                for p in ds.export(fmt, gen / target, csv_raw=csv_raw)]
            # what `info` shows, counted once here: reopening the store reads it
            write_atomic(store_path / INFO_FILE, json.dumps(ds.info(), indent=2,
                                                            ensure_ascii=False))
        yield ds, written


class OutputInDataset(ValueError):
    """``build``'s output folder inside the facts folder (its YAML would be read as part
    of the dataset from then on), or the facts inside a folder that build replaces."""


def _apart(facts_path: str | os.PathLike, out: str | os.PathLike,
           replaced: list[Path] = ()) -> None:
    """Raise OutputInDataset unless ``out`` lies outside the facts folder and the facts
    outside every folder in ``replaced``."""
    facts, target = Path(facts_path).resolve(), Path(out).resolve()
    if facts.is_dir() and (target == facts or facts in target.parents):
        raise OutputInDataset(f"the output folder {out} is inside the dataset {facts_path}: "
                              "what build writes would be read as part of the dataset; "
                              "choose -o outside it")
    for folder in replaced:
        folder = folder.resolve()
        if facts == folder or folder in facts.parents:
            raise OutputInDataset(f"the dataset {facts_path} is inside {folder}, which "
                                  "build replaces; move it or choose another -o")


def _first(names: dict, lang: str) -> str:
    return names.get(lang) or next(iter(names.values()), "")
