"""Maps at a country's scale (issue 17): whole `regiograph map` commands and the pages
in headless Chromium, against the plain pyvis path with physics.

Rows (each function returns a list of dicts with the keys of :data:`COLUMNS`):

- :func:`write_rows`: ``regiograph map STORE --view V`` as a whole command (``python
  cli.py``, a process of its own, to its exit) for each view (strategy and ego with the
  ids of :data:`IDS`), its time and peak memory (``ru_maxrss`` of the process); the
  same view written by pyvis with its
  default physics (``Network.from_nx`` + ``write_html``) in a fresh process; and a
  refusal (the limit lowered to 5 000 nodes in that process, since no view of the 1M
  dataset is over 60 000) to time how soon a view too large is refused;
- :func:`browser_rows`: generated views of 5 000 and 30 000 nodes written by
  graph.present.maps.render, opened in headless Chromium (/usr/bin/chromium): the time
  from navigation to the first frame drawn (``__mapTimes.drawn``), and how long search
  takes to focus a node until the frame that shows it is drawn (median of 5; see
  :data:`FOCUS`); the pyvis page with physics of the 5 000-node view, given at most
  ``PYVIS_LIMIT`` seconds to stabilise. ``--compare-js FILE`` measures the same pages
  with another map.js too (before and after ours, in the same browser), e.g. to compare
  with an older commit's: ``git show COMMIT:graph/present/assets/map.js > old.js``.

Run alone: ``.venv/bin/python bench/maps.py STORE`` (a store built by ``regiograph
build``, e.g. of ``regiograph synth --triples 990000``); ``--no-browser`` or
``--no-write`` (then no STORE is needed) skip a part, ``--no-pyvis`` the pyvis page.
It prints a Markdown table. bench/run.py can call :func:`rows`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COLUMNS = ("what", "ours", "plain", "target")
#: seconds the pyvis page with physics is given to stabilise in the browser
PYVIS_LIMIT = 120
VIEWS = (("actors", []), ("findings", []), ("cross-border", []),
         ("overview", ["--group", "community"]), ("overview", ["--group", "area"]),
         ("strategy", ["--id", "{strategy}"]), ("ego", ["--id", "{hub}"]),
         ("ego", ["--id", "{hub}", "--depth", "2"]))

#: ids for the views that need one: the first strategy, and the organisation with the
#: most ties (the largest neighbourhood)
IDS = """
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?kind ?id WHERE {
  { SELECT ("strategy" AS ?kind) (MIN(STR(?i)) AS ?id)
    WHERE { ?s a <%(strategy)s> ; dct:identifier ?i } }
  UNION
  { SELECT ("hub" AS ?kind) ?id WHERE {
      { SELECT ?id (COUNT(?x) AS ?n) WHERE { ?o a <%(organisation)s> ; dct:identifier ?id .
                                             ?x ?p ?o } GROUP BY ?id }
    } ORDER BY DESC(?n) ?id LIMIT 1 }
}
"""

#: runs one regiograph command in this process and prints its time and peak memory
RUN_CLI = """
import resource, sys, time
t = time.perf_counter()
limit = sys.argv[1]
if limit != "-":
    import graph.present.maps as maps
    maps.MAX_NODES = int(limit)
from cli import main
try:
    main(sys.argv[2:], standalone_mode=False)
except Exception as exc:
    print(type(exc).__name__, str(exc)[:200], file=sys.stderr)
import json
print(json.dumps({"s": time.perf_counter() - t,
                  "mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

#: the plain path: the same view written by pyvis, physics on (its default)
RUN_PYVIS = """
import json, resource, sys, time
t = time.perf_counter()
from graph.dataset import Dataset
from graph.present.maps import select_view
import networkx as nx
from pyvis.network import Network
ds = Dataset.open(sys.argv[1])
G = ds.to_networkx()
H = select_view(G, sys.argv[2], findings=ds.check() if sys.argv[2] == "findings" else ())
simple = nx.Graph()
simple.add_nodes_from((n, {"label": str(d.get("label") or n), "title": str(n)})
                      for n, d in H.nodes(data=True))
simple.add_edges_from(H.edges())
net = Network(height="900px", width="100%", cdn_resources="in_line")
net.from_nx(simple)
net.write_html(sys.argv[3], notebook=False)
print(json.dumps({"s": time.perf_counter() - t, "n": H.number_of_nodes(),
                  "mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


#: GNU time, whose %M is the peak resident memory of the command alone (a child's own
#: ``ru_maxrss`` starts at the size of the process that forked it: bench/run.py's)
GNU_TIME = "/usr/bin/time"


def run_command(*args) -> dict:
    """``regiograph ARGS`` as a user runs it (``python cli.py``, a process of its own):
    its wall time to exit and its peak resident memory (GNU time's %M)."""
    with tempfile.TemporaryDirectory() as tmp:
        measured = Path(tmp) / "time"
        start = time.perf_counter()
        done = subprocess.run([GNU_TIME, "-f", "%M", "-o", str(measured), sys.executable,
                               str(ROOT / "cli.py"), *map(str, args)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=3600)
        took = time.perf_counter() - start
        if done.returncode != 0:
            raise RuntimeError(done.stderr.decode("utf-8", "replace")[-2000:])
        peak = measured.read_text().split()[-1]
    return {"s": took, "mb": int(peak) / 1024}


def view_ids(store) -> dict:
    """{"strategy": id, "hub": id} of ``store`` (see :data:`IDS`)."""
    from pyoxigraph import Store

    from graph.rdf import CLASSES

    text = IDS % {kind: CLASSES[kind].value for kind in ("strategy", "organisation")}
    return {row["kind"].value: row["id"].value
            for row in Store.read_only(str(Path(store) / "db")).query(text)}


def run_code(code: str, *args) -> dict:
    """Run ``code`` with ``args`` in a fresh interpreter; the JSON it prints last (its
    ``mb`` the process's peak by GNU time, see :data:`GNU_TIME`), and its stderr."""
    with tempfile.TemporaryDirectory() as tmp:
        measured = Path(tmp) / "time"
        done = subprocess.run([GNU_TIME, "-f", "%M", "-o", str(measured), sys.executable,
                               "-c", code, *map(str, args)], cwd=ROOT,
                              capture_output=True, text=True, timeout=3600)
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-2000:])
        peak = measured.read_text().split()[-1]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["mb"] = int(peak) / 1024
    result["stderr"] = done.stderr.strip()
    return result


def fmt_run(result: dict) -> str:
    return f"{result['s']:.1f} s, {result['mb']:.0f} MB"


def write_rows(store: str | os.PathLike, folder: Path, pyvis: bool = True) -> list[dict]:
    """Whole `map` commands on ``store``, each view against pyvis with physics. Cost: a
    fresh process per row (about a minute each at 1M triples)."""
    rows = []
    ids = view_ids(store)
    for view, extra in VIEWS:
        extra = [word.format(**ids) for word in extra]
        out = folder / f"{view}.html"
        ours = run_command("map", store, "-o", out, "--view", view, *extra)
        plain = "—"
        if pyvis and view in ("actors", "findings", "cross-border"):
            p = run_code(RUN_PYVIS, store, view, folder / f"{view}-pyvis.html")
            plain = f"{fmt_run(p)} ({p['n']} nodes, physics in the browser)"
        rows.append({"what": f"`map --view {view} {' '.join(extra)}`".replace(" `", "`"),
                     "ours": fmt_run(ours), "plain": plain, "target": "≤ 5 s"})
    picture = run_command("map", store, "-o", folder / "actors.png")
    rows.append({"what": "`map --view actors -o actors.png` (picture)", "ours": fmt_run(picture),
                 "plain": "—", "target": "≤ 5 s"})
    refused = run_code(RUN_CLI, "5000", "map", store, "-o", folder / "refused.html")
    said = "refused" if "MapTooLarge" in refused["stderr"] or "UsageError" in refused[
        "stderr"] else f"not refused: {refused['stderr'][:80]}"
    rows.append({"what": "`map --view actors` refused (limit lowered to 5 000 for the measure)",
                 "ours": f"{fmt_run(refused)} ({said})", "plain": "40 s, then refused (issue 17)",
                 "target": "≤ 1 s"})
    return rows


def generated(n: int):
    """A scale-free projection-like graph of ``n`` nodes (as tests/test_maps_large.py)."""
    import networkx as nx

    kinds = ("organisation", "person", "project", "network")
    B = nx.barabasi_albert_graph(n, 1, seed=1)
    G = nx.MultiDiGraph()
    for i in B:
        G.add_node(f"n{i}", kind=kinds[i % 4], label=f"Node {i}", countries=["FI"])
    for u, v in B.edges():
        G.add_edge(f"n{u}", f"n{v}", kind="member")
    return G


FOCUS = """(async () => {
  const frame = () => new Promise(r => requestAnimationFrame(r));
  const times = [];
  for (const id of %s) {
    await frame(); await frame();  // the frame of the previous focus is on the screen
    const t = performance.now();
    window.mapFocus(id);
    // the renderer issues its drawing in the next frame's callbacks (queued before this
    // one), but software WebGL rasterises it after them: the frame after is begun only
    // once that drawing is done, so the node is on the screen when it starts
    await frame(); await frame();
    times.push(performance.now() - t);
  }
  return times; })()"""


def measure_page(browser, path: Path, n: int) -> tuple[float, str, float]:
    """Seconds from navigation to the first frame, the renderer, and the median ms of
    search focusing five nodes (to the frame that shows each) of the page at ``path``."""
    browser.open(path)
    drawn = browser.js("window.__mapTimes.drawn") / 1000
    renderer = browser.js("mapView.renderer")
    ids = [f"n{i}" for i in range(7, n, n // 5)][:5]
    return drawn, renderer, statistics.median(browser.js(FOCUS % json.dumps(ids)))


def browser_rows(folder: Path, sizes=(5000, 30000), pyvis: bool = True,
                 compare_js: Path | None = None) -> list[dict]:
    """Generated views drawn in headless Chromium: first frame after navigation, search
    focus; and the pyvis page (physics) of the smallest size. ``compare_js``: another
    map.js (e.g. an older commit's), measured on the same pages in the same browser, in
    turn with ours, its figures in the "plain" column. Cost: ~1 min (twice that with
    ``compare_js``)."""
    import networkx as nx
    from pyvis.network import Network

    from graph.present import assets
    from graph.present.maps import render
    from tests.test_maps import Chromium

    rows = []
    browser = Chromium(Path(tempfile.mkdtemp(prefix="bench-chromium-")) / "profile")
    try:
        for n in sizes:
            G = generated(n)
            t = time.perf_counter()
            page = render(G, title=f"{n} nodes")
            written = time.perf_counter() - t
            path = page.save(folder / f"generated-{n}.html")
            other = None
            if compare_js is not None:
                mine = assets.read("map.js")
                assert page.html.count(mine) == 1, "map.js is not inlined verbatim"
                other = folder / f"generated-{n}-{Path(compare_js).stem}.html"
                other.write_text(page.html.replace(mine, Path(compare_js).read_text("utf-8")),
                                 "utf-8")
                then = measure_page(browser, other, n)
            drawn, renderer, focus = measure_page(browser, path, n)
            if other is not None:
                again = measure_page(browser, other, n)  # before and after ours: load drifts
                then_drawn = f"{then[0]:.2f} s, {again[0]:.2f} s with {compare_js}"
                then_focus = f"{then[2]:.0f} ms, {again[2]:.0f} ms with {compare_js}"
            rows.append({"what": f"{n} generated nodes drawn ({renderer}; page written in "
                                 f"{written:.1f} s, {len(page.html) / 1e6:.0f} MB)",
                         "ours": f"{drawn:.2f} s from navigation to the first frame",
                         "plain": then_drawn if other else "—",
                         "target": "≤ 2 s" if n <= 5000 else "≤ 10 s"})
            rows.append({"what": f"search focuses a node ({n} nodes, median of 5, to the "
                                 "frame that shows it)",
                         "ours": f"{focus:.0f} ms", "plain": then_focus if other else "—",
                         "target": "≤ 200 ms"})
    finally:
        browser.close()
    if pyvis:  # last, in a browser of its own: its physics keeps the CPU busy
        n = min(sizes)
        browser = Chromium(Path(tempfile.mkdtemp(prefix="bench-chromium-")) / "profile")
        try:
            simple = nx.Graph(generated(n))
            net = Network(height="900px", width="100%", cdn_resources="in_line")
            net.from_nx(simple)
            plain = folder / f"generated-{n}-pyvis.html"
            net.write_html(str(plain), notebook=False)
            browser.events.clear()
            browser.call("Page.navigate", url=plain.resolve().as_uri())
            browser.wait("typeof network !== 'undefined'", 60)
            browser.js("window.__done = false; network.once('stabilized', () => "
                       "{ window.__done = performance.now(); }); 0")
            end = time.monotonic() + PYVIS_LIMIT
            stable = None
            while time.monotonic() < end:
                stable = browser.js("window.__done")
                if stable:
                    break
                time.sleep(0.5)
            said = (f"pyvis, physics: stable after {stable / 1000:.1f} s" if stable else
                    f"pyvis, physics: not stable after {PYVIS_LIMIT} s")
            rows[0]["plain"] = said if rows[0]["plain"] == "—" else f"{rows[0]['plain']}; {said}"
        finally:
            browser.close()
    return rows


def rows(store, browser: bool = True, write: bool = True) -> list[dict]:
    """Every row: the whole commands on ``store`` and the browser's."""
    folder = Path(tempfile.mkdtemp(prefix="bench-maps-"))
    out = []
    if write:
        out += write_rows(store, folder)
    if browser:
        out += browser_rows(folder)
    return out


def table(found: list[dict]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(str(r[c]) for c in COLUMNS) + " |" for r in found]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", nargs="?",
                        help="a store built by `regiograph build` (not with --no-write)")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--no-pyvis", action="store_true",
                        help="skip the pyvis page with physics in the browser (minutes)")
    parser.add_argument("--compare-js", type=Path, metavar="FILE",
                        help="also measure the browser pages with this map.js instead of "
                             "ours (e.g. `git show COMMIT:graph/present/assets/map.js`)")
    args = parser.parse_args()
    if not args.no_write and not args.store:
        parser.error("give a STORE to time the map commands on, or --no-write")
    folder = Path(tempfile.mkdtemp(prefix="bench-maps-"))
    if not args.no_write:  # printed as soon as measured: the browser part is long
        print(table(write_rows(args.store, folder)), flush=True)
    if not args.no_browser:
        print(table(browser_rows(folder, pyvis=not args.no_pyvis,
                                 compare_js=args.compare_js)), flush=True)


if __name__ == "__main__":
    main()
