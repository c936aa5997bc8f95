"""`make bench`: regiograph against the plain rdflib / PyYAML / networkx / pyvis path.

For each size (10k and 100k triples; 1M with ``BENCH_MAX=1000000``) it writes a
synthetic dataset (graph.synth, seed 1) and times, side by side, the same work done
both ways:

- YAML → validated facts (graph.loader.facts.load_facts, which reads large datasets in one
  process per CPU, and then again in one process) vs PyYAML ``safe_load`` and
  ``CSafeLoader`` (parsing only, in one process: no validation at all);
- facts → store: graph.rdf's quads into an in-memory store (what ``graph.load`` does)
  vs the same triples added to an rdflib in-memory Graph; into a store on disk (what
  ``regiograph build`` does), with no plain counterpart; and an N-Triples file →
  store both ways;
- each named check: the same SPARQL text on our store and on the rdflib Graph
  (rdflib's engine gives up after ``PLAIN_TIMEOUT`` seconds: "> 120 s"), and all
  checks with their findings built (graph.checks.run_checks);
- one actor lookup (ontology/queries/actor-tables.rq with ?actor bound);
- projection to networkx (graph.network.projection.to_networkx vs
  rdflib.extras.external_graph_libs.rdflib_to_networkx_multidigraph);
- broker measure (graph.network.analyses.brokers on actor_graph, sampled past 2 000 actors)
  vs exact networkx betweenness on the same actor graph;
- a map of up to 5 000 nodes (graph.present.maps.render + save) vs pyvis
  ``Network.from_nx`` + ``write_html``;
- once, whatever the size: who is who among 8 000 organisations of generated register
  rows (graph.importers.identity.resolve: merged by register id and normalised name, near
  names scored with rapidfuzz), with no plain counterpart;
- whole commands (issue 17), on the largest size: ``regiograph build`` (the store and every
  export), then ``info``, ``check``, ``report`` and ``query --name responsibilities
  --param actor=…`` on the built store, each a process of its own as a user runs it (time
  and the peak resident memory of its process tree), side by side with the plain path
  where there is one: rdflib parsing the N-Triples and serialising them as Turtle (build),
  counting them (info), running the same query with the actor bound (query); networkx's
  betweenness on the report's actor graph (the report's measures).

Every stage runs in its own subprocess: peak memory is the rise of that process's
``ru_maxrss`` (which sees Rust allocations too) over what it held once its input was
ready. Times are the median of several runs at 10k and 100k (one run at 1M).
The table goes to bench/results.md and stdout.

Run: ``make bench`` or ``.venv/bin/python bench/run.py`` (``BENCH_MAX=1000000`` for 1M;
``BENCH_SIZES=10000`` to pick sizes by hand; ``BENCH_RUNS`` and ``BENCH_PLAIN_TIMEOUT``
override the repeats and the plain path's time limit; ``BENCH_ONLY=commands`` runs the
whole commands alone). After the whole commands come bench/maps.py (``map`` commands on
the largest store and generated pages in headless Chromium; ``BENCH_BROWSER=0`` leaves
the browser out, ``BENCH_MAPS=0`` the maps) and bench/changes.py (``diff`` of two
generated datasets and ``check --as-of``; ``BENCH_CHANGES=0`` leaves it out) and
bench/push.py (``push`` of the largest store to Virtuoso 7, skipped with a line when it is
not installed; ``BENCH_PUSH=0`` leaves it out), each a table of its own.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# seconds one plain-path query or measure may take before we give up (the smoke test
# in tests/test_bench.py sets it low)
PLAIN_TIMEOUT = float(os.environ.get("BENCH_PLAIN_TIMEOUT", "120"))
OURS_TIMEOUT = 600  # a stage of ours that takes longer than this is reported as such
SIZES = (10_000, 100_000, 1_000_000)
#: projects in the dataset of the similar-projects stage, and its target (seconds)
SIMILAR_PROJECTS = int(os.environ.get("BENCH_SIMILAR_PROJECTS", "3000"))
SIMILAR_TARGET = 2.0
MAP_NODES = 5000


def repeats(size: int) -> int:
    if os.environ.get("BENCH_RUNS"):
        return int(os.environ["BENCH_RUNS"])
    return 5 if size <= 10_000 else 3 if size <= 100_000 else 1


def maxrss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux


class Peak:
    """The most memory a block added to this process, in kB.

    A thread samples the resident size every 2 ms (Rust allocations included); the
    process's ``ru_maxrss`` catches a peak the sampler missed while native code held
    the GIL, whenever that peak is the process's highest so far.
    """

    def __enter__(self) -> Peak:
        gc.collect()
        self.proc = psutil.Process()
        self.base = self.proc.memory_info().rss // 1024
        self.top = self.base
        self.high = maxrss_kb()
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self) -> None:
        while self.running:
            self.top = max(self.top, self.proc.memory_info().rss // 1024)
            time.sleep(0.002)

    def __exit__(self, *exc) -> None:
        self.running = False
        self.thread.join()
        self.top = max(self.top, self.proc.memory_info().rss // 1024)
        if maxrss_kb() > self.high:
            self.top = max(self.top, maxrss_kb())

    @property
    def kb(self) -> int:
        return self.top - self.base


# --------------------------------------------------------------------------- worker side


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


def timed(fn, runs: int, limit: float | None = None) -> dict:
    """Run ``fn`` ``runs`` times; the times, the first result and the memory it added.

    ``limit`` (seconds) interrupts pure-Python work through SIGALRM; a run past it
    stops the series and is reported as a timeout.
    """
    times, result, peak = [], None, 0
    for n in range(runs):
        if limit:
            signal.signal(signal.SIGALRM, _alarm)
            signal.setitimer(signal.ITIMER_REAL, limit)
        try:
            with Peak() as watch:  # the first run's memory: later runs reuse freed pages
                start = time.perf_counter()
                out = fn()
                times.append(time.perf_counter() - start)
        except Timeout:
            return {"timeout": limit, "peak_kb": watch.kb if n == 0 else peak}
        except Exception as exc:  # the plain path may fail where ours does not: say so
            return {"error": f"{type(exc).__name__}: {exc}"[:160]}
        finally:
            if limit:
                signal.setitimer(signal.ITIMER_REAL, 0)
        if n == 0:
            result, peak = out, watch.kb
        if limit and times[-1] * (runs - n - 1) > limit:  # slow: one run is enough
            break
    return {"times": times, "peak_kb": peak, "result": result}


def _files(folder: str) -> list[Path]:
    return sorted(Path(folder).rglob("*.yaml"))


def _our_store(nt: str):
    from pyoxigraph import RdfFormat, Store

    from graph.model.schema import ontology_file
    from graph.store.store import ONTOLOGY_GRAPH

    store = Store()
    store.bulk_load(path=nt, format=RdfFormat.N_TRIPLES)
    store.bulk_load(path=str(ontology_file("regiograph.ttl")), format=RdfFormat.TURTLE,
                    to_graph=ONTOLOGY_GRAPH)
    return store


def _rdflib_graph(nt: str):
    import rdflib

    g = rdflib.Graph()
    g.parse(nt, format="nt")
    return g


def _to_rdflib(term):
    import rdflib
    from pyoxigraph import Literal, NamedNode

    if isinstance(term, NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    return rdflib.BNode(term.value)


def _actors(nt: str, k: int = 50) -> list[str]:
    from graph.model.vocab import sparql_prologue

    store = _our_store(nt)
    rows = store.query(sparql_prologue() + "SELECT ?a WHERE { ?a a org:Organization } "
                       "ORDER BY ?a")
    found = [r["a"].value for r in rows]
    step = max(1, len(found) // k)
    return found[::step][:k]


def _map_graph(nt: str):
    """The projection's ``MAP_NODES`` best-connected nodes (ties by id), as a MultiDiGraph."""
    from graph.network.projection import to_networkx

    G = to_networkx(_our_store(nt))
    ranked = sorted(G.nodes, key=lambda n: (-G.degree(n), str(n)))[:MAP_NODES]
    return G.subgraph(ranked).copy()


def _scratch(folder: str) -> Path:
    """A folder for a stage's output beside the dataset, inside the run's temporary folder
    (removed with it when the bench ends)."""
    return Path(tempfile.mkdtemp(prefix="out-", dir=Path(folder).parent))


def worker(stage: str, args) -> dict:
    """One stage in this process; returns what the parent records."""
    runs, nt, folder = args.runs, args.nt, args.dir
    if stage in ("yaml-ours", "yaml-ours-serial"):
        from graph.loader.facts import DatasetReader, load_facts, workers_for

        workers = 1 if stage == "yaml-ours-serial" else None
        r = timed(lambda: len(load_facts(folder, workers=workers).sections), runs)
        r["workers"] = workers or workers_for(DatasetReader(Path(folder), folder).files(), None)
        return r
    if stage in ("yaml-safe_load", "yaml-CSafeLoader"):
        import yaml

        loader = yaml.SafeLoader if stage == "yaml-safe_load" else yaml.CSafeLoader
        texts = [p.read_text("utf-8") for p in _files(folder)]
        return timed(lambda: [yaml.load(t, Loader=loader) for t in texts], runs)
    if stage in ("store-ours", "store-rdflib"):
        from graph.loader.facts import load_facts
        from graph.rdf.mapping import to_quads, to_triples

        facts = load_facts(folder)
        if stage == "store-ours":  # what graph.load does: an in-memory store
            from graph.store.store import memory_store

            return timed(lambda: len(memory_store(to_quads(facts))), runs)
        import rdflib

        def plain():
            g = rdflib.Graph()
            g.addN((_to_rdflib(t.subject), _to_rdflib(t.predicate), _to_rdflib(t.object), g)
                   for t in to_triples(facts))
            return len(g)
        return timed(plain, runs, PLAIN_TIMEOUT)
    if stage == "build-ours":  # what `regiograph build` does: a store on disk
        from graph.loader.facts import load_facts
        from graph.rdf.mapping import to_quads
        from graph.store.store import build_store, store_info

        facts = load_facts(folder)
        target = _scratch(folder) / "bench.store"
        return timed(lambda: store_info(build_store(to_quads(facts), target, {}))["triples"], runs)
    if stage == "nt-ours":
        return timed(lambda: len(_our_store(nt)), runs)
    if stage == "nt-rdflib":
        return timed(lambda: len(_rdflib_graph(nt)), runs, PLAIN_TIMEOUT)
    if stage == "check-ours":
        from graph.checks import check_queries

        text = check_queries()[args.check].text
        store = _our_store(nt)
        return timed(lambda: len(list(store.query(text))), runs)
    if stage == "checks-rdflib":  # one process, one Graph, each check under its own alarm
        from graph.checks import check_specs

        g = _rdflib_graph(nt)
        return {name: timed(lambda q=spec.query: len(list(g.query(q.text))), runs,
                            PLAIN_TIMEOUT)
                for name, spec in check_specs().items() if not spec.advisory}
    if stage == "run-checks-ours":
        from graph.checks import run_checks

        store = _our_store(nt)
        return timed(lambda: len(run_checks(store)), runs)
    if stage in ("lookup-ours", "lookup-rdflib"):
        from graph.model.vocab import sparql_prologue
        from graph.query.library import load_folder

        text = sparql_prologue() + load_folder("queries")["actor-tables"].text
        actors = _actors(nt)
        if stage == "lookup-ours":
            from pyoxigraph import NamedNode, Variable

            store = _our_store(nt)

            def one(a):
                return len(list(store.query(text, substitutions={Variable("actor"):
                                                                 NamedNode(a)})))
        else:
            import rdflib

            g = _rdflib_graph(nt)
            from rdflib.plugins.sparql import prepareQuery

            prepared = prepareQuery(text)

            def one(a):
                return len(list(g.query(prepared, initBindings={"actor": rdflib.URIRef(a)})))
        one(actors[0])  # warm up: parse/prepare once
        per = []
        with Peak() as watch:
            for a in actors:
                start = time.perf_counter()
                one(a)
                per.append(time.perf_counter() - start)
        return {"times": per, "peak_kb": watch.kb, "result": len(actors)}
    if stage == "project-ours":
        from graph.network.projection import to_networkx

        store = _our_store(nt)
        return timed(lambda: to_networkx(store).number_of_edges(), runs)
    if stage == "project-rdflib":
        from rdflib.extras.external_graph_libs import rdflib_to_networkx_multidigraph

        g = _rdflib_graph(nt)
        return timed(lambda: rdflib_to_networkx_multidigraph(g).number_of_edges(), runs,
                     PLAIN_TIMEOUT)
    if stage in ("brokers-ours", "brokers-networkx"):
        from graph.network.analyses import actor_graph, brokers
        from graph.network.projection import to_networkx

        G = to_networkx(_our_store(nt))
        if stage == "brokers-ours":
            return timed(lambda: brokers(actor_graph(G))["method"], runs)
        import networkx as nx

        A = actor_graph(G)
        return timed(lambda: len(nx.betweenness_centrality(A)), runs, PLAIN_TIMEOUT)
    if stage in ("map-ours", "map-pyvis"):
        H = _map_graph(nt)
        out = _scratch(folder) / "map.html"
        info = f"{H.number_of_nodes()} nodes, {H.number_of_edges()} edges"
        if stage == "map-ours":
            try:
                from graph.present.maps import render
            except ImportError:
                return {"missing": "not built yet"}
            r = timed(lambda: render(H, title="bench").save(out), runs)
        else:
            import networkx as nx
            from pyvis.network import Network

            # pyvis passes edge data as keyword arguments: a period's "to" collides with
            # add_edge's own `to`, so the plain path keeps the kind as the title only
            plain = nx.MultiDiGraph()
            plain.add_nodes_from((n, {"label": str(d.get("label") or n), "title": d.get("kind")})
                                 for n, d in H.nodes(data=True))
            plain.add_edges_from((u, v, {"title": d.get("kind")})
                                 for u, v, d in H.edges(data=True))

            def pyvis_map():
                net = Network(cdn_resources="in_line")
                net.from_nx(plain)
                net.write_html(str(out))
            r = timed(pyvis_map, runs, PLAIN_TIMEOUT)
        r["result"] = info
        return r
    if stage == "identity-ours":  # who is who among the organisations of register rows
        from graph.importers.identity import resolve

        mentions = organisation_mentions(IDENTITY_ORGANISATIONS)
        r = timed(lambda: resolve(mentions), runs)
        found = resolve(mentions)
        r["result"] = (f"{len(mentions)} mentions → {len(found.organisations)} organisations, "
                       f"{len(found.review)} pairs to review")
        return r
    if stage == "similar-ours":  # the advisory check on a register-like project list
        import graph
        from graph.checks import assess

        store = graph.load(folder).store
        result = timed(lambda: len(assess(store, ["overlap.similar-projects"]).findings), runs)
        result["triples"] = len(store)
        return result
    if stage in ("import-ours", "import-pandas"):  # a register file in (issue 16)
        register = next(Path(folder).glob("*.csv"))
        if stage == "import-pandas":
            import pandas as pd

            return timed(lambda: len(pd.read_csv(register, sep=";", dtype=str)), runs)
        from graph.importers.run import import_files

        out = Path(folder) / "out"
        r = timed(lambda: import_files("fi-structural-funds", [register], out).rows["imported"],
                  runs)
        return r
    if stage == "cmd-build-rdflib":  # whole processes: timed by the parent (commands_stage)
        g = _rdflib_graph(nt)
        g.serialize(str(_scratch(folder) / "plain.ttl"), format="turtle")
        return {"result": len(g)}
    if stage == "cmd-info-rdflib":
        from collections import Counter

        import rdflib

        g = _rdflib_graph(nt)
        langs = Counter(o.language for o in g.objects()
                        if isinstance(o, rdflib.Literal) and o.language)
        return {"result": f"{len(g)} triples, {len(langs)} languages"}
    if stage == "cmd-query-rdflib":
        import rdflib

        from graph.model.vocab import sparql_prologue
        from graph.query.library import load_folder

        g = _rdflib_graph(nt)
        text = sparql_prologue() + load_folder("queries")["responsibilities"].text
        rows = g.query(text, initBindings={"actor": rdflib.URIRef(args.check)})
        return {"result": len(list(rows))}
    if stage == "cmd-measures-networkx":
        import networkx as nx

        from graph.network.analyses import actor_graph
        from graph.network.projection import to_networkx
        from graph.store.store import open_store

        A = actor_graph(to_networkx(open_store(folder)))
        return {"result": len(nx.betweenness_centrality(A, k=min(500, len(A)), seed=0))}
    raise SystemExit(f"unknown stage {stage}")


IMPORT_ROWS = tuple(int(n) for n in os.environ.get("BENCH_IMPORT_ROWS", "10000,40000")
                    .split(",") if n)
IMPORT_TARGET = 20_000  # rows per second (issue 16)
IDENTITY_ORGANISATIONS = 8000
IDENTITY_TARGET = 2.0  # seconds (issue 16)


def organisation_mentions(n: int, seed: int = 1) -> list:
    """Register rows naming ``n`` organisations (graph.importers.identity.Mention): names
    made of syllables with a legal form or kind, a fifth with a valid Y-tunnus, and a
    second spelling for one in ten (upper case, a full stop, or the id in another file),
    a one-letter variant for one in a hundred."""
    import random

    from graph.importers.identity import Mention
    from graph.model.registers import check_register_id

    rng = random.Random(seed)
    syllables = ["ka", "la", "mi", "no", "pu", "ri", "sa", "te", "vo", "ul", "ro", "jä",
                 "ke", "lo", "ni", "ty", "hä", "ös", "be", "du"]
    kinds = ["Oy", "kunta", "ry", "AB", "kommun", "AS", "säätiö", "liitto", "kaupunki"]
    names: set[str] = set()
    while len(names) < n:
        words = ["".join(rng.choice(syllables) for _ in range(rng.randint(3, 5)))
                 for _ in range(rng.randint(1, 2))]
        names.add(" ".join(w.capitalize() for w in words) + " " + rng.choice(kinds))

    def ytunnus() -> str:
        while True:
            body = f"{rng.randrange(10**7):07d}"
            for digit in "0123456789":
                try:
                    return check_register_id("y-tunnus", f"{body}-{digit}")
                except ValueError:
                    pass

    out = []
    for row, name in enumerate(sorted(names), 2):
        codes = {"y-tunnus": ytunnus()} if rng.random() < 0.2 else {}
        out.append(Mention(name, codes, "FI", "register.csv", row))
        if rng.random() < 0.1:
            other = name.upper() + "." if not codes else name.replace(" ", ", ", 1)
            out.append(Mention(other, codes, "FI", "other.csv", row))
        if rng.random() < 0.01 and len(name) > 12:
            out.append(Mention(name[:4] + "x" + name[5:], {}, "FI", "near.csv", row))
    return out


# --------------------------------------------------------------------------- parent side


def run_stage(stage: str, size: int, data: dict, check: str | None = None,
              limit: float = OURS_TIMEOUT) -> dict:
    """Run one stage in a fresh interpreter; its JSON result, or a timeout/error note."""
    cmd = [sys.executable, __file__, "--worker", stage, "--dir", data["dir"], "--nt", data["nt"],
           "--runs", str(repeats(size))]
    if check:
        cmd += ["--check", check]
    start = time.perf_counter()
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=limit, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"timeout": limit}
    finally:
        print(f"   [{stage}{' ' + check if check else ''}: {time.perf_counter() - start:.1f} s]",
              file=sys.stderr, flush=True)
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1][:200]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def prepare(size: int, workdir: Path) -> dict:
    """Write the synthetic dataset and its N-Triples; sizes and counts."""
    from pyoxigraph import RdfFormat

    from graph.loader.facts import load_facts
    from graph.rdf.mapping import to_quads
    from graph.store.store import memory_store, serialize
    from graph.synth.generator import write

    folder = workdir / f"synth-{size}"
    write(folder, size, seed=1)
    store = memory_store(to_quads(load_facts(folder)))
    nt = workdir / f"synth-{size}.nt"
    nt.write_bytes(serialize(store, RdfFormat.N_TRIPLES))
    triples = sum(1 for _ in nt.open("rb"))
    planted = json.loads((folder / "planted.json").read_text("utf-8"))["findings"]
    yaml_bytes = sum(p.stat().st_size for p in _files(str(folder)))
    return {"dir": str(folder), "nt": str(nt), "triples": triples, "yaml_bytes": yaml_bytes,
            "files": len(_files(str(folder))), "planted": len(planted)}


def _median(r: dict) -> float | None:
    return statistics.median(r["times"]) if r.get("times") else None


def fmt_time(r: dict | None) -> str:
    if r is None:
        return "—"
    if "missing" in r:
        return r["missing"]
    if "timeout" in r:
        return f"> {r['timeout']:.0f} s"
    if "error" in r:
        return "error: " + r["error"]
    t = _median(r)
    return f"{t * 1000:.1f} ms" if t < 1 else f"{t:.2f} s"


def fmt_mem(r: dict | None) -> str:
    if not r or "peak_kb" not in r:
        return "—"
    return f"{max(r['peak_kb'], 0) / 1024:.0f} MB"


def ratio(ours: dict, plain: dict | None) -> str:
    if not plain or _median(ours) is None:
        return "—"
    if "timeout" in plain:
        return f"> {plain['timeout'] / _median(ours):.0f}×"
    if _median(plain) is None:
        return "—"
    return f"{_median(plain) / _median(ours):.1f}×"


def rate(r: dict, triples: int) -> str:
    t = _median(r) if r else None
    return f"{triples / t:,.0f}".replace(",", " ") if t else "—"


def bench_size(size: int, workdir: Path, log) -> tuple[dict, list[list[str]], dict]:
    """One size: its dataset, its table rows, and the raw results by stage."""
    from graph.checks import CHECKS, check_specs

    data = prepare(size, workdir)
    log(f"== {size} triples requested: {data['triples']} written, {data['files']} files, "
        f"{data['yaml_bytes'] / 1e6:.1f} MB of YAML, {data['planted']} planted findings")
    n = data["triples"]
    rows: list[list[str]] = []
    raw: dict[str, tuple[dict, dict | None]] = {}

    def row(stage, ours, plain_name, plain, note=""):
        raw.setdefault(stage, (ours, plain))
        rows.append([stage, f"{n:,}".replace(",", " "), fmt_time(ours), fmt_mem(ours),
                     rate(ours, n), plain_name, fmt_time(plain), fmt_mem(plain),
                     ratio(ours, plain), note])
        log(" | ".join(rows[-1]))

    def mbs(r: dict) -> str:
        return f"{data['yaml_bytes'] / 1e6 / _median(r):.2f} MB/s" if _median(r) else ""

    def per_triple(r: dict) -> str:
        return f"{r['peak_kb'] / n:.2f} KB/triple" if "peak_kb" in r else ""

    ours = run_stage("yaml-ours", size, data)
    workers = ours.get("workers", 1)
    safe = run_stage("yaml-safe_load", size, data, limit=PLAIN_TIMEOUT * 3)
    csafe = run_stage("yaml-CSafeLoader", size, data, limit=PLAIN_TIMEOUT * 3)
    shown = f"ours {mbs(ours)}" + (f" ({workers} processes)" if workers > 1 else "")
    row("YAML → validated facts", ours, "PyYAML safe_load", safe, shown)
    row("YAML → validated facts", ours, "PyYAML CSafeLoader", csafe,
        f"CSafeLoader {mbs(csafe)}")
    if workers > 1:  # the same work in one process, against the same plain path
        serial = run_stage("yaml-ours-serial", size, data)
        row("YAML → validated facts, 1 process", serial, "PyYAML CSafeLoader", csafe,
            f"ours {mbs(serial)}")
    ours = run_stage("store-ours", size, data)
    plain = run_stage("store-rdflib", size, data, limit=PLAIN_TIMEOUT * 4)
    row("facts → store (memory)", ours, "rdflib Graph.addN", plain, per_triple(ours))
    ours = run_stage("build-ours", size, data)
    row("facts → store (disk, build)", ours, "", None, per_triple(ours))
    row("N-Triples file → store", run_stage("nt-ours", size, data), "rdflib Graph.parse",
        run_stage("nt-rdflib", size, data, limit=PLAIN_TIMEOUT * 4))
    plain_checks = run_stage("checks-rdflib", size, data, limit=PLAIN_TIMEOUT * 9)
    for name in CHECKS:
        if check_specs()[name].advisory:  # its SPARQL lists facts: see similar_stage
            continue
        ours = run_stage("check-ours", size, data, check=name)
        plain = plain_checks.get(name) if isinstance(plain_checks, dict) and \
            name in plain_checks else plain_checks
        note = ""
        if ours.get("result") is not None and plain and plain.get("result") is not None \
                and ours["result"] != plain["result"]:
            note = f"rows differ: ours {ours['result']}, rdflib {plain['result']}"
        elif ours.get("result") is not None:
            note = f"{ours['result']} rows"
        row(f"check {name}", ours, "rdflib SPARQL", plain, note)
    row("all checks, findings built", run_stage("run-checks-ours", size, data), "", None,
        "graph.checks.run_checks")
    ours = run_stage("lookup-ours", size, data)
    row("actor lookup (actor-tables.rq)", ours, "rdflib SPARQL (prepared)",
        run_stage("lookup-rdflib", size, data, limit=PLAIN_TIMEOUT * 4),
        f"median of {len(ours.get('times', []))} actors")
    row("projection → networkx", run_stage("project-ours", size, data),
        "rdflib_to_networkx_multidigraph",
        run_stage("project-rdflib", size, data, limit=PLAIN_TIMEOUT * 4))
    ours = run_stage("brokers-ours", size, data)
    row("broker measure", ours, "nx.betweenness_centrality (exact)",
        run_stage("brokers-networkx", size, data, limit=PLAIN_TIMEOUT * 4),
        f"ours {ours.get('result', '')}; actor_graph included")
    ours = run_stage("map-ours", size, data)
    row("map (up to 5 000 nodes)", ours, "pyvis from_nx + write_html",
        run_stage("map-pyvis", size, data, limit=PLAIN_TIMEOUT * 4), ours.get("result", ""))
    return data, rows, raw


def similar_stage(workdir: Path, log) -> tuple[list[str], str]:
    """The similar-projects check on SIMILAR_PROJECTS projects: its table row and its
    target line. The median run is what counts (the first run also imports scikit-learn
    and SciPy; the note gives it)."""
    from graph.synth.projects import facts_yaml

    folder = workdir / f"similar-{SIMILAR_PROJECTS}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "facts.yaml").write_text(facts_yaml(SIMILAR_PROJECTS, seed=1), "utf-8")
    data = {"dir": str(folder), "nt": ""}
    ours = run_stage("similar-ours", 10_000, data)  # 10_000: the small sizes' repeats
    n = ours.get("triples", 0)
    t = _median(ours)
    first = f"; first run {ours['times'][0]:.2f} s (imports)" if ours.get("times") else ""
    projects = f"{SIMILAR_PROJECTS:,}".replace(",", " ")
    row = [f"overlap.similar-projects, {projects} projects", f"{n:,}".replace(",", " "),
           fmt_time(ours), fmt_mem(ours), "—", "", "—", "—", "—",
           f"{ours.get('result', '')} findings{first}"]
    log(" | ".join(row))
    goal = (f"| overlap.similar-projects on {projects} projects ≤ "
            f"{SIMILAR_TARGET:g} s | {fmt_time(ours)} | "
            f"{'—' if t is None else 'yes' if t <= SIMILAR_TARGET else 'no'} |")
    return row, goal


def identity_stage(data: dict) -> tuple[list[str], str]:
    """Who is who among IDENTITY_ORGANISATIONS organisations (once: it does not depend on
    the size): its table row and its target line."""
    who = run_stage("identity-ours", 10_000, data)  # 10_000: the small sizes' repeats
    t = _median(who)
    n = f"{IDENTITY_ORGANISATIONS:,}".replace(",", " ")
    row = [f"who is who, {n} organisations", "—", fmt_time(who), fmt_mem(who), "—", "", "—",
           "—", "—", str(who.get("result", "graph.importers.identity.resolve"))]
    met = "—" if t is None else "yes" if t <= IDENTITY_TARGET else "no"
    goal = (f"| who is who, {n} organisations (near names included) ≤ {IDENTITY_TARGET:g} s "
            f"| {fmt_time(who)} | {met} |")
    return row, goal


def import_stage(workdir: Path, log) -> tuple[list[list[str]], list[str]]:
    """``regiograph import fi-structural-funds`` of generated registers (IMPORT_ROWS rows),
    side by side with pandas reading the same file: table rows and target lines."""
    from graph.synth.registers import write

    rows, goals = [], []
    for n in IMPORT_ROWS:
        folder = workdir / f"register-{n}"
        folder.mkdir(parents=True, exist_ok=True)
        write(folder / "register.csv", n)
        data = {"dir": str(folder), "nt": ""}
        ours = run_stage("import-ours", 100_000, data)  # 100_000: one run of each
        plain = run_stage("import-pandas", 100_000, data)
        t = _median(ours)
        per_row = f"{ours['peak_kb'] / n:.1f} KB/row" if "peak_kb" in ours else ""
        shown = f"{n:,}".replace(",", " ")
        row = [f"import fi-structural-funds, {shown} rows", "—", fmt_time(ours),
               fmt_mem(ours), f"{n / t:,.0f} rows/s".replace(",", " ") if t else "—",
               "pandas read_csv (no validation, no facts)", fmt_time(plain), fmt_mem(plain),
               ratio(ours, plain), per_row]
        if t and _median(plain):  # far below 1: say how many times slower ours is
            row[8] = f"1/{t / _median(plain):.0f}"
        log(" | ".join(row))
        rows.append(row)
        met = "—" if not t else "yes" if n / t >= IMPORT_TARGET else "no"
        goals.append(f"| import ≥ {IMPORT_TARGET:,} rows/s ({shown} rows) | "
                     f"{n / t:,.0f} rows/s | {met} |".replace(",", " ") if t else
                     f"| import ≥ {IMPORT_TARGET} rows/s ({shown} rows) | {fmt_time(ours)} | — |")
    return rows, goals


#: the whole-command targets of issue 17 (seconds; build also ≤ 1 GB)
COMMAND_TARGETS = {"build": 30.0, "info": 0.5, "check": 2.0, "report": 10.0, "query": 0.5}
BUILD_MEMORY_TARGET_KB = 1024 * 1024


#: GNU time, whose %M is the peak resident memory of the command alone: a child's own
#: ``ru_maxrss`` would start at its parent's size (it is counted from before the exec)
GNU_TIME = "/usr/bin/time"


def run_command(args: list[str], limit: float) -> dict:
    """Run one command as a process of its own (under GNU time); its time, the peak
    resident memory of its process tree (the command, or a worker it waited for) and its
    exit code, or a timeout."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        measured = Path(tmp) / "time"
        wrap = [GNU_TIME, "-f", "%M", "-o", str(measured)] if Path(GNU_TIME).exists() else []
        with open(Path(tmp) / "err", "w+b") as err:
            # a session of its own: a timeout stops the command and what it started (GNU
            # time's child, a query's worker), not only the first process
            proc = subprocess.Popen([*wrap, *args], stdout=subprocess.DEVNULL, stderr=err,
                                    cwd=ROOT, start_new_session=True)
            try:
                proc.wait(timeout=limit)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                print(f"   [{' '.join(Path(a).name if '/' in a else a for a in args[1:4])}: "
                      f"stopped after {limit:g} s]", file=sys.stderr, flush=True)
                return {"timeout": limit}
            elapsed = time.perf_counter() - start
            err.seek(0)
            tail = err.read().decode("utf-8", "replace").strip().splitlines()
        peak = measured.read_text().split()[-1] if measured.exists() else ""
    print(f"   [{' '.join(Path(a).name if '/' in a else a for a in args[1:4])}: "
          f"{elapsed:.1f} s]", file=sys.stderr, flush=True)
    tail = [line for line in tail if not line.startswith("Command exited with")]
    if proc.returncode not in (0, 3):  # check exits 3 only under --strict
        return {"error": (tail or [f"exit {proc.returncode}"])[-1][:200]}
    result = {"times": [elapsed]}
    if peak.isdigit():
        result["peak_kb"] = int(peak)
    return result


def _plain(stage: str, data: dict, limit: float, extra: str = "") -> dict:
    cmd = [sys.executable, __file__, "--worker", stage, "--dir", data["dir"], "--nt",
           data["nt"], "--runs", "1"] + (["--check", extra] if extra else [])
    return run_command(cmd, limit)


def commands_stage(data: dict, workdir: Path, log) -> tuple[list[list[str]], list[str], dict]:
    """Issue 17: each command run as a user runs it, on the dataset of ``data``, in the
    order build, info, check, report, query; the plain path beside each where there is
    one. Table rows, target lines and the raw results by command."""
    regiograph = [sys.executable, str(ROOT / "cli.py")]
    out = Path(tempfile.mkdtemp(prefix="commands-", dir=workdir))
    n = data["triples"]
    ours: dict[str, dict] = {}
    ours["build"] = run_command([*regiograph, "build", data["dir"], "-o", str(out)],
                                OURS_TIMEOUT)
    store = next(out.glob("*.store"), None)
    actor = ""
    if store is not None:
        from graph.model.vocab import sparql_prologue
        from graph.store.store import open_store

        found = list(open_store(store).query(sparql_prologue() + """
            SELECT ?a ?i WHERE { ?r rg:actor ?a . ?a dct:identifier ?i } ORDER BY ?i
            LIMIT 1"""))
        actor = found[0][1].value if found else ""
        actor_iri = found[0][0].value if found else ""
        runs = {
            "info": ["info", str(store)],
            "check": ["check", str(store)],
            "report": ["report", str(store), "-o", str(out / "report.html")],
            "query": ["query", str(store), "--name", "responsibilities", "--param",
                      f"actor={actor}"],
        }
        for command, words in runs.items():
            ours[command] = run_command([*regiograph, *words], OURS_TIMEOUT)
    plain_limit = PLAIN_TIMEOUT * 4
    plain = {
        "build": ("rdflib parse N-Triples + serialize Turtle",
                  _plain("cmd-build-rdflib", data, plain_limit)),
        "info": ("rdflib parse N-Triples + count", _plain("cmd-info-rdflib", data,
                                                          plain_limit)),
        "check": ("", None),
        "report": ("networkx betweenness (report's measures)",
                   _plain("cmd-measures-networkx", {**data, "dir": str(store)}, plain_limit)
                   if store is not None else None),
        "query": ("rdflib parse N-Triples + same query",
                  _plain("cmd-query-rdflib", data, plain_limit, actor_iri)
                  if store is not None else None),
    }
    notes = {"build": "the store and every export (Turtle, N-Triples, JSON-LD, GraphML, CSV, "
                      "YAML), and what is kept",
             "info": "", "check": "all checks, table", "report": "HTML and Markdown",
             "query": f"--name responsibilities --param actor={actor}"}
    rows, goals = [], [f"| target (whole command) | measured at {n:,} triples | met? |",
                       "|---|---|---|"]
    for command in COMMAND_TARGETS:
        mine = ours.get(command, {"error": "no store was built"})
        name, theirs = plain[command]
        row = [f"`regiograph {command}` (whole command)", f"{n:,}".replace(",", " "),
               fmt_time(mine), fmt_mem(mine), "—", name, fmt_time(theirs), fmt_mem(theirs),
               ratio(mine, theirs), notes[command]]
        log(" | ".join(row))
        rows.append(row)
        t = _median(mine)
        met = None if t is None else t <= COMMAND_TARGETS[command]
        goals.append(f"| `{command}` ≤ {COMMAND_TARGETS[command]:g} s | {fmt_time(mine)} | "
                     f"{'—' if met is None else 'yes' if met else 'no'} |")
    mine = ours["build"]
    kb = mine.get("peak_kb")
    goals.append(f"| `build` ≤ 1 GB | {fmt_mem(mine)} | "
                 f"{'—' if kb is None else 'yes' if kb <= BUILD_MEMORY_TARGET_KB else 'no'} |")
    return rows, goals, ours


def targets(data: dict, raw: dict) -> list[str]:
    """The issue's targets, each against what this run measured at one size."""
    n = data["triples"]
    out = [f"| target | measured at {n:,} triples | met? |", "|---|---|---|"]

    def line(target: str, shown: str, met: bool | None) -> None:
        out.append(f"| {target} | {shown} | {'—' if met is None else 'yes' if met else 'no'} |")

    ours = raw["YAML → validated facts"][0]
    t = _median(ours)
    line("validated load ≥ 3 MB/s", f"{data['yaml_bytes'] / 1e6 / t:.2f} MB/s"
         f" ({ours.get('workers', 1)} process(es))" if t else fmt_time(ours),
         bool(t) and data["yaml_bytes"] / 1e6 / t >= 3)
    ours = raw["facts → store (memory)"][0]
    t = _median(ours)
    line("facts → store ≤ 5 s", fmt_time(ours), bool(t) and t <= 5)
    kb = ours.get("peak_kb")
    line("facts → store ≤ 0.5 KB per triple", f"{kb / n:.2f} KB" if kb else "—",
         bool(kb) and kb / n <= 0.5)
    for stage, (ours, plain) in raw.items():
        if not stage.startswith("check "):
            continue
        t = _median(ours)
        line(f"{stage} ≤ 1 s", fmt_time(ours), bool(t) and t <= 1)
        if plain and "timeout" in plain and t:
            line(f"{stage} ≥ 20× rdflib", ratio(ours, plain), plain["timeout"] / t >= 20)
        elif plain and _median(plain) and t:
            line(f"{stage} ≥ 20× rdflib", ratio(ours, plain), _median(plain) / t >= 20)
        else:
            line(f"{stage} ≥ 20× rdflib", "—", None)
    ours = raw["actor lookup (actor-tables.rq)"][0]
    t = _median(ours)
    line("actor lookup ≤ 5 ms", fmt_time(ours), bool(t) and t <= 0.005)
    ours = raw["map (up to 5 000 nodes)"][0]
    t = _median(ours)
    line("5 000-node map written ≤ 1 s", f"{fmt_time(ours)} ({ours.get('result', '')})",
         bool(t) and t <= 1)
    return out


HEAD = ["stage", "triples", "ours", "ours peak", "ours triples/s", "plain path", "plain",
        "plain peak", "plain ÷ ours", "note"]


def _commit() -> str:
    """The commit measured (short hash), and whether the working tree held more."""
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], capture_output=True, text=True, cwd=ROOT,
                                  timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return f"{head} (and uncommitted changes)" if dirty else head


def markdown(sizes: list[int], datasets: list[dict], rows: list[list[str]], goals: list[str],
             seconds: float, command_goals: list[str] = ()) -> str:
    import pyoxigraph
    import rdflib
    import yaml

    lines = [
        "# regiograph benchmark",
        "",
        f"Commit {_commit()}, {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC.",
        f"Written by `make bench` (bench/run.py) in {seconds / 60:.1f} min on "
        f"{platform.machine()}, {os.cpu_count()} CPU(s), Python {platform.python_version()}, "
        f"pyoxigraph {pyoxigraph.__version__}, rdflib {rdflib.__version__}, "
        f"PyYAML {yaml.__version__} (libyaml: {'yes' if hasattr(yaml, 'CSafeLoader') else 'no'}).",
        f"Sizes: {', '.join(f'{s:,}' for s in sizes)} triples requested (graph.synth, seed 1). "
        f"Times are medians of {', '.join(str(repeats(s)) for s in sizes)} run(s); "
        "peak is the most resident memory the timed work added to its own process "
        "(sampled every 2 ms, and max RSS);"
        f" the plain path gives up after {PLAIN_TIMEOUT:g} s per query or measure.",
        "",
    ]
    for d in datasets:
        lines.append(f"- {d['triples']:,} triples: {d['files']} YAML files, "
                     f"{d['yaml_bytes'] / 1e6:.1f} MB, {d['planted']} planted findings")
    lines += ["", "| " + " | ".join(HEAD) + " |", "|" + "---|" * len(HEAD)]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
    lines += ["", "Targets of issue 8 (set for 1M triples on a 2-core machine), against the "
              "largest size of this run:", ""] + goals + [""]
    if command_goals:
        lines += ["Targets of issue 17: whole commands as a user runs them (a process each; "
                  "peak is the most resident memory of its process tree), on the largest "
                  "size of this run:", ""] + list(command_goals) + [""]
    return "\n".join(lines)


def _bench_module(name: str):
    """bench/NAME.py, loaded by its path (bench is a folder of scripts, not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worker")
    parser.add_argument("--dir")
    parser.add_argument("--nt")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--check")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.md"))
    args = parser.parse_args()
    if args.worker:
        result = worker(args.worker, args)
        if isinstance(result, dict) and "result" in result and not isinstance(
                result["result"], (int, str, type(None))):
            result["result"] = str(result["result"])
        print(json.dumps(result))
        return
    limit = int(os.environ.get("BENCH_MAX", "100000"))
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "").split(",") if s] or \
        [s for s in SIZES if s <= limit]
    start = time.perf_counter()
    datasets, rows, goals = [], [], []
    log = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    only_commands = os.environ.get("BENCH_ONLY") == "commands"
    with tempfile.TemporaryDirectory(prefix="regiograph-bench-") as tmp:
        for size in sizes:
            if only_commands:  # the whole commands alone: no stage inside one process
                datasets.append(prepare(size, Path(tmp)))
                continue
            data, found, raw = bench_size(size, Path(tmp), log)
            datasets.append(data)
            rows += found
            goals = targets(data, raw)
        if not only_commands:
            row, goal = similar_stage(Path(tmp), log)
            rows.append(row)
            goals.append(goal)
            row, goal = identity_stage(datasets[-1])
            rows.append(row)
            goals.append(goal)
            found, lines = import_stage(Path(tmp), log)
            rows += found
            goals += lines
        largest = max(datasets, key=lambda d: d["triples"])
        log(f"== whole commands on {largest['triples']} triples")
        found, command_goals, _ = commands_stage(largest, Path(tmp), log)
        rows += found
        tables = []
        store = next(Path(tmp).glob("commands-*/*.store"), None)
        if store is not None and os.environ.get("BENCH_MAPS", "1") != "0":
            log("== maps (bench/maps.py)")
            maps = _bench_module("maps")
            browser = os.environ.get("BENCH_BROWSER", "1") != "0" and shutil.which("chromium")
            tables.append(("Maps (issue 17, bench/maps.py): whole `map` commands on the "
                           "store of the largest size beside pyvis with physics, and "
                           "generated views in headless Chromium" if browser else
                           "Maps (issue 17, bench/maps.py): whole `map` commands on the "
                           "store of the largest size beside pyvis with physics (no "
                           "browser in this run)", maps.table(maps.rows(store,
                                                                        bool(browser)))))
        if os.environ.get("BENCH_CHANGES", "1") != "0":
            log("== time and change (bench/changes.py)")
            changes = _bench_module("changes")
            folder = Path(tempfile.mkdtemp(prefix="changes-", dir=tmp))
            tables.append((f"Time and change (issue 18, bench/changes.py): two generated "
                           f"datasets of about {largest['triples']:,} triples (seeds 1 and 2)",
                           changes.table(changes.rows(folder, largest["triples"]))))
        if store is not None and os.environ.get("BENCH_PUSH", "1") != "0":
            log("== push to Virtuoso (bench/push.py)")
            push = _bench_module("push")
            why = push.skipped()
            heading = (f"Push (issue 19, bench/push.py): whole `push` commands of the store "
                       f"of the largest size ({largest['triples']:,} triples) to Virtuoso 7 "
                       f"on 127.0.0.1 (digest login)")
            tables.append((heading, f"Skipped: {why}" if why else
                           push.table(push.rows(store, Path(tmp)))))
    text = markdown(sizes, datasets, rows, goals, time.perf_counter() - start, command_goals)
    for heading, table in tables:
        text += f"\n{heading}:\n\n{table}\n"
    from graph.base.files import write_atomic

    write_atomic(args.out, text)
    print(text)


if __name__ == "__main__":
    main()
