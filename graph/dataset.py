"""The facade that joins the stages: a loaded dataset, its store, its facts, and what can
be done with them.

``Dataset.open(path)`` takes either a facts folder (validated, then built into an
in-memory store) or a store folder written by ``regiograph build`` (reopened
read-only, no YAML parsed).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import RdfFormat, Store

from . import export
from .base.files import (
    atomic_path,
    folder_lock,
    published_together,
    remove_generations,
    remove_leftovers,
    write_atomic,
)
from .base.gcpause import paused_gc
from .base.progress import progress
from .loader.facts import Facts, load_facts
from .model.schema import CheckError
from .rdf.mapping import from_triples, in_reading_order, to_quads
from .store.store import (
    OutdatedStore,
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
EXPORT_FORMATS = (*RDF_FORMATS, "graphml", "gexf", "csv", "yaml", "xlsx")


@dataclass
class Dataset:
    """One dataset's graph; ``facts`` is set when it was read from YAML."""

    id: str
    store: Store
    #: the facts folder or store folder; None for a remote store (:meth:`remote`)
    path: Path | None
    facts: Facts | None = None
    _canonical: dict | None = field(default=None, init=False, repr=False)
    _info: dict | None = field(default=None, init=False, repr=False)
    _kept_key: str | None = field(default=None, init=False, repr=False)
    #: a store being built: nothing is kept yet (its public path is still the old store's)
    _building: bool = field(default=False, repr=False)
    #: a store being built: its canonical facts, written already (see :func:`building`)
    _facts_file: Path | None = field(default=None, repr=False)

    @classmethod
    def open(cls, path: str | os.PathLike) -> Dataset:
        """Open a facts folder (validating it) or a built store folder."""
        path = Path(path)
        if is_store(path):
            # the build this name points to now: a later build publishes a new one under
            # the same name, and what is kept must be read from the store that is open
            real = path.resolve()
            try:
                store = open_store(real)
            except OutdatedStore as exc:  # said with the name the user gave
                raise OutdatedStore(str(exc).replace(os.fspath(real), os.fspath(path), 1)) \
                    from None
            return cls(store_info(real)["dataset"], store, real)
        facts = load_facts(path, display=os.fspath(path))
        return cls(facts.id, memory_store(to_quads(facts)), path, facts)

    @classmethod
    def remote(cls, url: str, graph: str | None = None, *, login=None,
               timeout: float = 300.0) -> Dataset:
        """The dataset that ``regiograph push`` wrote to a shared store: its graph ``graph``
        (None: the endpoint's default graph) read through the SPARQL 1.1 query endpoint
        ``url`` (:class:`graph.query.remote.RemoteStore`), with ``login`` (see
        :func:`graph.query.connection.login_for`). Checks, report, maps, info and queries
        run unchanged on it, each query sent to the store; nothing is kept.

        Raises graph.query.sparql.QueryError (EndpointError: exit 6) when the endpoint
        cannot be read or holds no dataset in that graph.
        """
        from .query.remote import RemoteStore
        from .query.sparql import EndpointError

        store = RemoteStore(url, graph, login=login, timeout=timeout)
        found = list(store.query(
            "SELECT ?id WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> ; "
            "<http://purl.org/dc/terms/identifier> ?id }"))
        if len(found) != 1:
            where = f"graph <{graph}>" if graph else "its default graph"
            what = "no dataset" if not found else f"{len(found)} datasets"
            raise EndpointError(
                f"{url} holds {what} in {where}; give the --graph that "
                "`regiograph push` wrote (it says it: by default the dataset's base IRI)")
        # the checks read the derived graph: one pushed by an earlier regiograph (or none)
        # would make them report false gaps or miss overlaps
        from .store.derive import DERIVED_BY, DERIVED_FACTS, DERIVED_GRAPH, DERIVED_VERSION

        if not store.query(f"ASK {{ GRAPH <{DERIVED_GRAPH.value}> {{ <{DERIVED_FACTS.value}> "
                           f"<{DERIVED_BY.value}> ?v FILTER (?v >= {DERIVED_VERSION}) }} }}"):
            raise EndpointError(
                f"{url} holds the dataset but not the facts this regiograph derives from it "
                "(who sits at which table, countries, nested areas, names): push it again "
                "with this version's `regiograph push`")
        return cls(found[0][0].value, store, None)

    # -- facts ---------------------------------------------------------------
    def canonical(self) -> dict:
        """The canonical facts, rebuilt from the graph (what the RDF holds).

        Computed once per Dataset: the store is not changed through this object. A store
        written by ``build`` keeps them (:data:`KEPT_PARTS`), computed at build from the
        same graph.
        """
        if self._canonical is None and self._facts_file is not None:
            with paused_gc():
                self._canonical = json.loads(self._facts_file.read_bytes())["value"]
        if self._canonical is None:
            # a built store keeps them (1M triples: 0.2 s to read, 15 s to rebuild)
            self._canonical = self._kept("facts")
        if self._canonical is None:
            triples = (self.store.query("CONSTRUCT WHERE { ?s ?p ?o }")  # its data graph
                       if self.path is None else data_triples(self.store))
            self._canonical = from_triples(triples)
        return self._canonical

    def counts(self) -> dict[str, int]:
        """Entries per section (responsibilities included)."""
        facts = self.canonical()
        return {k: len(v) for k, v in facts.items() if k != "dataset"}

    def info(self) -> dict:
        """Counts, sources, languages and triples: what `regiograph info` shows.

        A store written by ``build`` keeps it (see :data:`KEPT_DIR`: computed once at
        build from the same graph), so reopening it reads that file instead of rebuilding
        every fact from the RDF; a store without it (or built by another version) is
        counted here.
        """
        if self._info is None:
            self._info = self._kept("info")
            if self._info is None:
                self._info = self._count()
        return self._info

    def _count(self) -> dict:
        facts = self.canonical()
        # counted by the engine, not triple by triple in Python (1M triples: 7 s -> 1 s)
        triples = int(next(iter(self.store.query(
            "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))[0].value)
        langs = {row[0].value: int(row[1].value) for row in self.store.query(
            "SELECT ?lang (COUNT(*) AS ?n) WHERE { ?s ?p ?o BIND (LANG(?o) AS ?lang) "
            'FILTER (?lang != "") } GROUP BY ?lang')}
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

    # -- kept at build -------------------------------------------------------
    def _kept(self, part: str):
        """What ``build`` computed once and kept in the store folder for ``part`` (one of
        :data:`KEPT_PARTS`), or None: a facts folder, a store built without it, or one
        whose key (:func:`kept_key`: the store's files and the code and check files that
        compute it) is not this one's, so that a stale answer is never read.

        Cost: a directory listing, hashing the package's source (~15 ms, once per
        Dataset) and reading one JSON file.
        """
        if self.facts is not None or self._building or self.path is None:
            return None
        if self._kept_key is None:
            try:
                self._kept_key = kept_key(self.path)
            except (OSError, CheckError):  # no store files; REGIOGRAPH_CHECKS broken
                return None
        return read_kept(self.path, part, self._kept_key)

    def _assessment(self, names=None):
        """The named checks (all by default, see graph.checks.select) weighed against the
        statements: a :class:`graph.checks.Assessment`.

        On a store written by ``build`` the assessment of every check is read from what
        the build kept, then narrowed to ``names`` (:func:`graph.checks.narrow`: the
        same findings and statuses as running only those); otherwise the checks run.
        """
        from .checks import Assessment, assess, narrow
        from .checks import names as check_names

        every = list(check_names())
        wanted = every if names is None else list(names)
        kept = self._kept("assessment")
        if kept is None:
            return assess(self.store, wanted)
        full = Assessment.from_dict(kept)
        return full if wanted == every else narrow(full, wanted)

    def measures(self) -> dict:
        """The network measures of the report (:func:`graph.network.analyses.measures` on
        the projection), read from what ``build`` kept when it can be."""
        kept = self._kept("measures")
        if kept is not None:
            return kept
        from .network.analyses import measures

        return measures(self.to_networkx())

    def overview_picture(self) -> str:
        """The report's overview map picture (:func:`graph.present.maps.overview_svg`: an
        ``<svg>`` element, or why there is none), names in the dataset's language (one
        picture, kept by ``build``, whatever language the report is read in)."""
        kept = self._kept("overview")
        if kept is not None:
            return kept
        from .present.maps import overview_svg

        return overview_svg(self)

    def timeline(self) -> dict:
        """Findings and ties per year (:func:`graph.timeline.timeline`), read from what
        ``build`` kept when it can be."""
        kept = self._kept("timeline")
        if kept is not None:
            return kept
        from .timeline import timeline

        return timeline(self)

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
        if fmt in RDF_FORMATS:  # streamed to a temporary file by the engine, then renamed
            with atomic_path(path) as tmp:
                serialize(self.store, RDF_FORMATS[fmt][0], output=tmp)
            return [path]
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
        from .checks import select
        from .present.frames import Findings

        result = self._assessment(select(only, skip))
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

        kept = self._kept("names")
        if kept is not None:
            return Labels.of(kept["names"], kept["dataset_lang"], lang)
        return Labels(self.store, lang)

    def notes(self) -> dict[str, str]:
        """Every entity's note by id (see :func:`graph.present.labels.notes`)."""
        kept = self._kept("notes")
        if kept is not None:
            return kept
        from .present.labels import notes

        return notes(self.store)

    def map_facts(self, G=None) -> dict:
        """What the maps show besides the projection and that no language changes
        (:func:`graph.present.maps.context_facts`), read from what ``build`` kept when
        it can be; ``G``: the projection, if made already."""
        kept = self._kept("map")
        if kept is not None:
            return kept
        from .present.maps import context_facts

        return context_facts(self.store, G if G is not None else self.to_networkx())

    def actors_layout(self) -> dict | None:
        """The positions of the actors view (node -> (x, y), graph.present.layout.place
        of :func:`graph.present.maps.select_view` "actors"), as ``build`` kept them, or
        None (not a built store: the map computes them)."""
        kept = self._kept("layout")
        return None if kept is None else {n: tuple(p) for n, p in kept.items()}

    def to_networkx(self, kinds=None, lang: str | None = None):
        """The networkx projection (see :func:`graph.network.projection.to_networkx`).

        A store written by ``build`` keeps it (every kind; 1M triples: ~2 s to read
        instead of ~17 s of queries), read back by
        :func:`graph.network.projection.from_state` with its labels in ``lang``."""
        from .network.projection import from_state, to_networkx

        if kinds is None:
            kept = self._kept("projection")
            if kept is not None:
                return from_state(kept, lang)
        return to_networkx(self.store, kinds=kinds, lang=lang)

    def map(self, view: str = "actors", **options):
        """An interactive network map of one view (see :func:`graph.present.maps.dataset_map`:
        ``id``, ``depth``, ``lang``, ``color``, ``size``); a MapPage with ``.html``,
        ``.save(path)`` and inline display in Jupyter."""
        from .present.maps import dataset_map

        return dataset_map(self, view, **options)

    def document(self) -> tuple[dict, dict[str, list[dict]] | None]:
        """The facts as one document (``dataset`` and a list per section: in the order
        the files hold them when read from YAML, else the canonical facts rebuilt from the
        store's RDF) and the entries of the reference sets it uses (None: read again from
        its ``uses`` when needed)."""
        if self.facts is not None:
            return {"dataset": self.facts.dataset, **self.facts.sections}, self.facts.used
        return self.canonical(), None

    def facts_as_of(self, date: str):
        """The facts of this dataset as of ``date`` (``2008``, ``2008-11``,
        ``2008-11-06``; graph.loader.asof): a :class:`graph.loader.facts.Facts` of the
        facts whose period overlaps the date, those without a period (taken on trust) and
        what depends on nothing left out, and the :class:`graph.loader.asof.AsOf` that
        says what was left out and taken on trust. Raises graph.loader.asof.AsOfError.
        Cost: :meth:`document`, then one pass over the facts."""
        from .loader.asof import facts_as_of, facts_of

        doc, used = self.document()
        result = facts_as_of(doc, date)
        return facts_of(result.facts, used), result

    def as_of(self, date: str):
        """This dataset as of ``date`` (:meth:`facts_as_of`): a new Dataset in memory, on
        which checks, maps and queries run unchanged, and the
        :class:`graph.loader.asof.AsOf`. Cost: :meth:`facts_as_of` and an in-memory
        store of what is kept."""
        facts, result = self.facts_as_of(date)
        return Dataset(self.id, memory_store(to_quads(facts)), self.path, facts), result

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
            # the facts are in the store now: kept as the graph gives them back (the same
            # JSON text, graph.rdf.mapping.in_reading_order: 1M triples 1 s, not 10 s to
            # read the graph back), then what follows reads the store (and ~0.4 KB per
            # triple of Python objects is freed for it)
            facts_file = store_path / KEPT_DIR / "facts.json"
            write_kept(facts_file, kept_key(store_path), in_reading_order(facts.canonical()))
            del facts
            ds = Dataset(name, open_store(gen / f"{name}.store"), out / f"{name}.store",
                         _building=True, _facts_file=facts_file)
            written: dict[str, list[Path]] = {"store": [out / f"{name}.store"]}
            measured = None
            # the RDF serialisations run in the engine, which lets go of Python's lock:
            # one thread writes them while this one does the Python work (2 cores: the
            # three take ~20 s at 1M triples)
            with ThreadPoolExecutor(1, thread_name_prefix="rdf-export") as pool:
                rdf = {fmt: pool.submit(ds.export, fmt, gen / target)
                       for fmt, target in exports if fmt in RDF_FORMATS}
                done: dict[str, list[Path]] = {}
                python_first = sorted(exports, key=lambda e: e[0] in RDF_FORMATS)
                try:
                    for fmt, target in progress(python_first, "export", unit="format"):
                        if fmt in RDF_FORMATS:
                            done[fmt] = rdf[fmt].result()
                        elif fmt == "graphml":  # the projection, made once: kept
                            measured, done[fmt] = _graphml_and_measures(
                                ds, gen / target, store_path)
                        else:
                            done[fmt] = ds.export(fmt, gen / target, csv_raw=csv_raw)
                except BaseException:  # the serialisations not begun are not begun
                    for future in rdf.values():
                        future.cancel()
                    raise
            for fmt, _ in exports:
                written[fmt] = [out / p.relative_to(gen) for p in done[fmt]]
            keep(ds, store_path, measured, projected=True)
        ds._building = False  # published: the kept files are the store's from here on
        yield ds, written


def _graphml_and_measures(ds: Dataset, path: Path, store: Path) -> tuple[dict, list[Path]]:
    """The projection written as GraphML, its measures, and the kept parts made from it
    (:func:`projected_parts`) written into ``store``'s kept folder now, while the
    projection is in memory anyway."""
    from .network.analyses import measures
    from .network.projection import to_networkx, write_graphml

    G = to_networkx(ds.store)
    write_graphml(G, path)
    key = kept_key(store)
    for part, value in projected_parts(ds, G).items():
        write_kept(store / KEPT_DIR / f"{part}.json", key, value)
    return measures(G), [path]


def projected_parts(ds: Dataset, G) -> dict:
    """The kept parts made from the projection ``G`` of ``ds`` (made without a language):
    the projection itself, the maps' facts that no language changes, and the positions
    of the actors view."""
    from .network.projection import to_state
    from .present.layout import place
    from .present.maps import context_facts, select_view

    return {"projection": to_state(G, G.graph["lang"] or None),  # "lang": the dataset's
            "map": context_facts(ds.store, G),
            "layout": place(select_view(G, "actors"))}


# --------------------------------------------------------------------------- kept


#: the folder in a built store that keeps what the commands read instead of computing it
#: again (one JSON file per part, each with the key it was computed under)
KEPT_DIR = "kept"
#: what is kept: `info`'s counts, every check's findings weighed against the statements,
#: every entity's names, the notes, the report's network measures, its timeline and its
#: overview picture, the canonical facts rebuilt from the graph (what `diff`, `export`
#: and `--as-of` read), what the maps read: the projection, the facts no language
#: changes, and the actors view's positions; and the package's named queries as the
#: guard read them (graph.query.sparql.Prepared)
KEPT_PARTS = ("info", "assessment", "names", "notes", "measures", "timeline", "overview",
              "facts", "projection", "map", "layout", "queries")
#: raised when what is kept changes shape: older keeps are then never read
KEPT_FORMAT = 1
#: libraries whose versions can change what is computed (SPARQL, measures, similarity,
#: layouts and communities, the query guard's parse)
_KEPT_LIBRARIES = ("pyoxigraph", "networkx", "numpy", "scipy", "scikit-learn", "igraph",
                   "rdflib")


def read_kept(store: str | os.PathLike, part: str, key: str | None = None):
    """The value of kept ``part`` of the built ``store`` if it was kept under ``key``
    (default: :func:`kept_key` of the store now), else None. Cost: reading one JSON file,
    and ~15 ms for the key when not given."""
    store = Path(store)
    try:
        with paused_gc(freeze=True):  # a heap of small dicts, kept until the end
            doc = json.loads((store / KEPT_DIR / f"{part}.json").read_bytes())
        key = key if key is not None else kept_key(store)
    except (OSError, ValueError, CheckError):  # none, unreadable; REGIOGRAPH_CHECKS broken
        return None
    if not isinstance(doc, dict) or doc.get("key") != key:
        return None
    return doc.get("value")


def kept_key(store: str | os.PathLike) -> str:
    """The key under which what is kept for ``store`` is valid: a hash of the store's
    database files (names, sizes, modification times: any write to the store changes
    them), its ``regiograph.json``, and :func:`code_key`.

    A store copied without its times, changed after build, or read by another
    regiograph (other code, other check files in REGIOGRAPH_CHECKS, other library
    versions) has another key: its kept files are then not read but computed again.
    """
    from .store.store import MARKER

    store = Path(store)
    h = hashlib.sha256(f"regiograph kept {KEPT_FORMAT}\n".encode())
    for entry in sorted(os.scandir(store / "db"), key=lambda e: e.name):
        if entry.name.startswith("LOG"):  # the engine's own log, written on opening
            continue
        st = entry.stat()
        h.update(f"{entry.name} {st.st_size} {st.st_mtime_ns}\n".encode())
    h.update((store / MARKER).read_bytes())
    h.update(code_key().encode())
    return h.hexdigest()


#: the package's modules that compute the kept parts from a store (the loader, importers,
#: exports and maps do not: what they change reaches the kept parts through the store)
_KEPT_CODE = ("dataset.py", "checks", "network", "store", "rdf", "model", "query/library.py",
              "query/sparql.py",
              "present/labels.py", "timeline.py", "loader/asof.py", "loader/facts.py",
              "loader/reference.py", "present/maps.py", "present/layout.py",
              "present/picture.py")


def code_key() -> str:
    """A hash of what computes the kept parts: the modules of :data:`_KEPT_CODE`, the
    ontology folder (checks, projection, derived facts), every check file
    (REGIOGRAPH_CHECKS included) and the versions of :data:`_KEPT_LIBRARIES`.
    Cost: ~10 ms.

    >>> len(code_key())
    64
    """
    from importlib.metadata import PackageNotFoundError, version

    from .model.schema import check_files, ontology_dir

    h = hashlib.sha256()
    package = Path(__file__).resolve().parent
    sources = [package / part for part in _KEPT_CODE]
    sources = sorted(p for s in sources for p in ([s] if s.is_file() else s.rglob("*.py")))
    files = [(p.relative_to(package).as_posix(), p) for p in sources]
    ontology = ontology_dir()
    files += [("ontology/" + p.relative_to(ontology).as_posix(), p)
              for p in sorted(ontology.rglob("*")) if p.is_file()]
    files += [(os.fspath(p), p) for p in check_files()]
    for name, path in files:
        data = path.read_bytes()
        h.update(f"{name} {len(data)}\n".encode())
        h.update(data)
    for lib in _KEPT_LIBRARIES:
        try:
            h.update(f"{lib} {version(lib)}\n".encode())
        except PackageNotFoundError:
            h.update(f"{lib} -\n".encode())
    return h.hexdigest()


def keep(ds: Dataset, store: str | os.PathLike, measures: dict | None = None,
         projected: bool = False) -> Path:
    """Compute every part of :data:`KEPT_PARTS` for ``ds`` (whose store is at ``store``,
    closed for writing) and write them into ``store/kept``; ``measures`` if already
    computed, and the :func:`projected_parts` unless ``projected`` (written already).
    Cost at 1M triples: the checks (~10 s), the names, the measures and the
    projection's parts; the canonical facts (~19 MB of JSON) 0.4 s.
    ``build`` calls it; the files are published with the store.

    >>> keep(ds, "out/lapland.store")  # doctest: +SKIP
    PosixPath('out/lapland.store/kept')
    """
    from .checks import assess
    from .present.labels import Labels, notes
    from .present.maps import overview_svg
    from .timeline import timeline

    store = Path(store)
    key = kept_key(store)
    folder = store / KEPT_DIR
    if measures is None or not projected:
        from .network.analyses import measures as measure

        G = ds.to_networkx()
        measures = measure(G) if measures is None else measures
        if not projected:
            for part, value in projected_parts(ds, G).items():
                write_kept(folder / f"{part}.json", key, value)
        del G
    labels = Labels(ds.store)
    info = ds.info()
    # written now (unless build wrote them from the facts it read), then let go: the rest
    # reads the store (1M triples: ~0.3 GB freed)
    if ds._facts_file is None:
        write_kept(folder / "facts.json", key, ds.canonical())
    ds._canonical = ds._facts_file = None
    parts = {
        "info": info,
        "assessment": assess(ds.store).to_state(),
        "names": {"names": labels.names, "dataset_lang": labels.dataset_lang},
        "notes": notes(ds.store),
        "measures": measures,
        "timeline": timeline(ds),  # after info: it reads the triple count
        "overview": overview_svg(ds),  # names in the dataset's language
        "queries": _prepared_queries(),
    }
    for part, value in parts.items():
        write_kept(folder / f"{part}.json", key, value)
    return folder


def _prepared_queries() -> dict:
    """The package's named queries as the guard reads them (graph.query.sparql.prepare),
    by name: what `query --name` on a built store reads instead of parsing them."""
    from .query.library import load_folder
    from .query.sparql import prepare

    return {name: prepare(query.text).to_state()
            for name, query in load_folder("queries").items()}


#: a list or dict longer than this is written a slice at a time (:func:`write_kept`)
_SLICE = 2000


def write_kept(path: str | os.PathLike, key: str, value) -> Path:
    """Write one kept part, ``{"key": key, "value": value}``, to ``path`` atomically.

    The value's dicts and lists (two levels deep) go a slice of :data:`_SLICE` members
    at a time through the C encoder: never the whole text in memory (1M triples: the
    projection's 47 MB of JSON), and as fast as one ``json.dumps``.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "part.json"
    >>> value = {"a": list(range(5000)), "b": {str(i): [i] for i in range(4500)}, "c": 1}
    >>> json.loads(write_kept(path, "k", value).read_text()) == {"key": "k", "value": value}
    True
    """
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8") as out:
        out.write(f'{{"key": {json.dumps(key)}, "value": ')
        _write_json(out, value, 2)
        out.write("}")
    return Path(path)


def _write_json(out, value, depth: int) -> None:
    if depth and isinstance(value, dict):
        # json.dumps would turn other keys into text in a slice, but not one at a time
        other = next((k for k in value if not isinstance(k, str)), None)
        if other is not None or (value and None in value):
            raise TypeError(f"the keys of a kept part are text, not {other!r}")
    if depth and isinstance(value, dict) and len(value) > _SLICE:
        items = list(value.items())
        out.write("{")
        for i in range(0, len(items), _SLICE):
            out.write(("" if i == 0 else ", ") +
                      json.dumps(dict(items[i:i + _SLICE]), ensure_ascii=False)[1:-1])
        out.write("}")
    elif depth and isinstance(value, dict):
        out.write("{")
        for i, (k, v) in enumerate(value.items()):
            out.write(("" if i == 0 else ", ") + json.dumps(k, ensure_ascii=False) + ": ")
            _write_json(out, v, depth - 1)
        out.write("}")
    elif depth and isinstance(value, list) and len(value) > _SLICE:
        out.write("[")
        for i in range(0, len(value), _SLICE):
            out.write(("" if i == 0 else ", ") +
                      json.dumps(value[i:i + _SLICE], ensure_ascii=False)[1:-1])
        out.write("]")
    else:
        out.write(json.dumps(value, ensure_ascii=False))


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
