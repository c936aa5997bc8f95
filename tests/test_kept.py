"""What `build` keeps in the store (issue 17): `check`, `report` and `info` on a built store
read it instead of computing it again, and print exactly what computing it afresh prints.

Each command's output on the built store is compared with its output on the facts folder
(which computes everything), on the seed and on generated data, for every output format
and the options that change results (--only, --skip, --basis, --lang). A store whose files
changed after build, a kept file of another store, and a store built without the kept
files are computed afresh.
"""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

import graph.checks
import graph.dataset
from cli import main
from graph.checks import assess, names, narrow
from graph.dataset import KEPT_DIR, KEPT_PARTS, Dataset, kept_key
from tests.conftest import SEED


def run(*args, ok=(0,)):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False,
                                prog_name="regiograph")
    assert result.exit_code in ok, result.output
    return result.output


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory):
    out = tmp_path_factory.mktemp("kept-seed")
    run("build", SEED, "-o", out)
    return SEED, out / "lapland.store"


@pytest.fixture(scope="module")
def synth_store(tmp_path_factory):
    from graph.synth.generator import write

    base = tmp_path_factory.mktemp("kept-synth")
    write(base / "facts", 20_000, 3)
    run("build", base / "facts", "-o", base / "out")
    return base / "facts", next((base / "out").glob("*.store"))


@pytest.fixture(params=["seed", "synth"])
def pair(request, seed_store, synth_store):
    return seed_store if request.param == "seed" else synth_store


@pytest.fixture()
def no_computing(monkeypatch):
    """Make computing the checks, the names or the measures fail: only reading works."""
    def refuse(*args, **kwargs):
        raise AssertionError("computed instead of read from what build kept")

    monkeypatch.setattr(graph.checks, "assess", refuse)
    monkeypatch.setattr(graph.dataset.Dataset, "canonical", refuse)
    monkeypatch.setattr(graph.dataset.Dataset, "to_networkx", refuse)
    monkeypatch.setattr("graph.present.labels.Labels.__init__", refuse)
    monkeypatch.setattr("graph.present.labels.notes", refuse)


def test_build_keeps_every_part_under_the_store_key(seed_store):
    _, store = seed_store
    key = kept_key(store)
    for part in KEPT_PARTS:
        doc = json.loads((store / KEPT_DIR / f"{part}.json").read_text("utf-8"))
        assert doc["key"] == key


CHECK_OPTIONS = [
    ["--format", "table"],
    ["--format", "json"],
    ["--format", "markdown"],
    ["--format", "html", "--lang", "sv"],
    ["--lang", "en"],
    ["--only", "gap.unmonitored", "--format", "json"],
    ["--only", "overlap.responsibility,gap.key-actors-apart"],
    ["--only", "overlap.similar-projects", "--format", "json"],
    ["--skip", "overlap.responsibility", "--format", "json"],
    ["--basis", "unrecorded", "--format", "json"],
    ["--basis", "stated,recorded"],
]


@pytest.mark.parametrize("options", CHECK_OPTIONS, ids=" ".join)
def test_check_on_the_store_prints_what_the_facts_give(pair, options, request):
    facts, store = pair
    fresh = run("check", facts, *options)
    request.getfixturevalue("no_computing")
    assert run("check", store, *options) == fresh


def test_check_strict_exits_alike(seed_store, request):
    """The same --strict exit status from the kept assessment as from the facts."""
    facts, store = seed_store
    options = [["--strict"], ["--strict", "--only", "overlap.similar-projects"],
               ["--strict", "--basis", "stated"], ["--strict", "--only", "gap.unmonitored"]]

    def status(dataset, words):
        return CliRunner().invoke(main, ["check", str(dataset), *words]).exit_code
    fresh = [status(facts, words) for words in options]
    assert set(fresh) <= {0, 3} and 3 in fresh
    request.getfixturevalue("no_computing")
    assert [status(store, words) for words in options] == fresh


@pytest.mark.parametrize("lang", [None, "sv", "en"])
def test_report_on_the_store_is_the_report_of_the_facts(pair, lang, tmp_path, request):
    facts, store = pair
    options = ["--lang", lang] if lang else []
    run("report", facts, "-o", tmp_path / "fresh.html", *options)
    request.getfixturevalue("no_computing")
    run("report", store, "-o", tmp_path / "kept.html", *options)
    for ext in ("html", "md"):
        assert (tmp_path / f"kept.{ext}").read_bytes() == \
            (tmp_path / f"fresh.{ext}").read_bytes()


def test_info_on_the_store_is_the_info_of_the_facts(pair, request):
    """The counts of the facts folder (counted there by the engine) are what is kept."""
    facts, store = pair
    fresh = json.loads(run("info", facts, "--format", "json"))
    request.getfixturevalue("no_computing")
    assert json.loads(run("info", store, "--format", "json")) == fresh


def test_the_measures_do_not_depend_on_the_language_of_the_projection(seed_store):
    """The report once measured a projection labelled in --lang; what is kept is measured
    on the default one: the report shows names through --lang, never those labels."""
    from graph.network.analyses import measures
    from graph.present.report import report_html, report_markdown

    ds = Dataset.open(seed_store[0])
    a = ds._assessment()
    for lang in ("sv", "en", "fi"):
        name = ds.labels(lang)
        args = (ds.info(), a.findings)
        ours, theirs = measures(ds.to_networkx()), measures(ds.to_networkx(lang=lang))
        assert report_html(*args, ours, name, lang, a.statements, ds.notes()) == \
            report_html(*args, theirs, name, lang, a.statements, ds.notes())
        assert report_markdown(*args, ours, name, a.statements) == \
            report_markdown(*args, theirs, name, a.statements)


@pytest.mark.parametrize("which", ["seed", "synth"])
def test_narrow_is_running_only_those_checks(which, seed_store, synth_store):
    facts, _ = seed_store if which == "seed" else synth_store
    ds = Dataset.open(facts)
    full = assess(ds.store)
    every = list(names())
    subsets = [[n] for n in every] + [every[::2], every[1::2], every[::-1], []]
    for subset in subsets:
        assert narrow(full, subset).to_state() == assess(ds.store, subset).to_state(), subset


def test_a_store_changed_after_build_is_computed_afresh(seed_store, tmp_path):
    from pyoxigraph import Literal, NamedNode, Quad, Store

    facts, store = seed_store
    copy = tmp_path / "lapland.store"
    shutil.copytree(store, copy, symlinks=True, copy_function=shutil.copy)
    assert Dataset.open(copy)._kept("assessment") is None  # a copy without its times
    shutil.rmtree(copy)
    shutil.copytree(store, copy, symlinks=True, copy_function=shutil.copy2)
    assert Dataset.open(copy)._kept("assessment") is not None
    writable = Store(str(copy / "db"))
    writable.add(Quad(NamedNode("https://example.org/x"), NamedNode("https://example.org/p"),
                      Literal("changed")))
    writable.flush()
    del writable
    ds = Dataset.open(copy)
    assert ds._kept("assessment") is None and ds._kept("info") is None
    assert ds.info()["triples"] == Dataset.open(store).info()["triples"] + 1


def test_a_kept_file_of_another_store_is_not_read(seed_store, synth_store, tmp_path):
    _, seed = seed_store
    facts, synth = synth_store
    copy = tmp_path / "synth.store"
    shutil.copytree(synth, copy, symlinks=True, copy_function=shutil.copy2)
    shutil.copy2(seed / KEPT_DIR / "assessment.json", copy / KEPT_DIR / "assessment.json")
    ds = Dataset.open(copy)
    assert ds._kept("assessment") is None
    assert ds._assessment().to_state() == Dataset.open(facts)._assessment().to_state()


def test_other_check_files_are_another_key(seed_store, tmp_path, monkeypatch):
    """A check of one's own (REGIOGRAPH_CHECKS) changes what check finds: the kept
    findings are then not read."""
    _, store = seed_store
    assert Dataset.open(store)._kept("assessment") is not None
    mine = tmp_path / "checks"
    mine.mkdir()
    source = graph.checks.check_specs()["gap.unmonitored"].query.path
    (mine / "gap.mine.rq").write_text(source.read_text("utf-8"), "utf-8")
    monkeypatch.setenv("REGIOGRAPH_CHECKS", str(mine))
    ds = Dataset.open(store)
    assert ds._kept("assessment") is None
    assert "gap.mine" in {f.check for f in ds._assessment().findings}


def test_a_store_built_without_kept_files_still_answers(seed_store, tmp_path):
    facts, store = seed_store
    copy = tmp_path / "lapland.store"
    shutil.copytree(store, copy, symlinks=True, copy_function=shutil.copy2)
    shutil.rmtree(copy / KEPT_DIR)
    for options in (["--format", "json"], ["--only", "gap.unmonitored"]):
        assert run("check", copy, *options) == run("check", facts, *options)
    assert json.loads(run("info", copy, "--format", "json")) == \
        json.loads(run("info", facts, "--format", "json"))
    run("report", copy, "-o", tmp_path / "r.html")
    run("report", facts, "-o", tmp_path / "f.html")
    assert (tmp_path / "r.md").read_text("utf-8") == (tmp_path / "f.md").read_text("utf-8")


def test_the_kept_facts_are_the_facts_rebuilt_from_the_graph(pair, monkeypatch):
    """canonical() of a built store reads the kept facts (no triple is read), and they
    are what rebuilding them from the store's RDF gives; diff, export and --as-of read
    them."""
    import graph.rdf.mapping
    from graph.store.store import data_triples, open_store

    _, store = pair
    rebuilt = graph.rdf.mapping.from_triples(data_triples(open_store(store)))

    def refuse(*args, **kwargs):
        raise AssertionError("rebuilt instead of read from what build kept")

    monkeypatch.setattr(graph.dataset, "from_triples", refuse)
    assert Dataset.open(store).canonical() == rebuilt
    doc = json.loads((store / KEPT_DIR / "facts.json").read_text("utf-8"))
    assert doc["value"] == rebuilt
    # kept from the facts build read, key order included (the exports follow it)
    assert json.dumps(doc["value"], ensure_ascii=False) == json.dumps(rebuilt, ensure_ascii=False)


def _same_graph(a, b) -> None:
    """Equal as graphs, and in the same order with the same attributes (the pages and
    the measures follow the order)."""
    assert a.graph == b.graph
    assert list(a.nodes(data=True)) == list(b.nodes(data=True))
    assert list(a.edges(keys=True, data=True)) == list(b.edges(keys=True, data=True))


@pytest.mark.parametrize("lang", [None, "fi", "sv", "en", "se", "de"])
def test_the_kept_projection_is_the_projection_of_the_store(pair, lang, monkeypatch):
    """The projection a built store keeps, read back with its labels in ``lang``, is the
    one made by the projection's queries on the store in that language."""
    import graph.network.projection as projection

    _, store = pair
    made = projection.to_networkx(Dataset.open(store).store, lang=lang)

    def refuse(*args, **kwargs):
        raise AssertionError("the projection was made instead of read from what build kept")

    monkeypatch.setattr(projection, "_to_networkx", refuse)
    _same_graph(Dataset.open(store).to_networkx(lang=lang), made)


def test_the_kept_map_facts_and_layout_are_those_computed(pair):
    from graph.present.layout import place
    from graph.present.maps import context_facts, select_view

    _, store = pair
    ds = Dataset.open(store)
    G = ds.to_networkx()
    assert ds.map_facts() == json.loads(json.dumps(context_facts(ds.store, G)))
    assert ds.actors_layout() == place(select_view(G, "actors"))


MAP_CASES = [("actors", {}), ("actors", {"lang": "sv"}), ("findings", {}),
             ("cross-border", {"lang": "en"}), ("overview", {"group": "area"}),
             ("overview", {"group": "strategy"}), ("overview", {"group": "community"}),
             ("actors", {"format": "svg"}), ("findings", {"color": "country"})]
SEED_MAP_CASES = [("strategy", {"id": "lapland-s3"}), ("ego", {"id": "lapin-liitto"}),
                  ("ego", {"id": "lapin-liitto", "depth": 2, "lang": "sv"})]


@pytest.mark.parametrize("case", MAP_CASES + SEED_MAP_CASES,
                         ids=lambda c: c[0] + "".join(f"-{v}" for v in c[1].values()))
def test_a_map_of_the_store_is_the_map_of_the_facts(pair, case, request, monkeypatch):
    """Every view read from what build kept (the projection, the maps' facts, the actors
    view's positions) is the page or picture computed from the facts, byte for byte;
    the store is not queried for the projection or the maps' facts."""
    import graph.network.projection as projection
    import graph.present.maps as maps

    facts, store = pair
    view, options = case
    if "id" in options and request.node.callspec.params["pair"] != "seed":
        pytest.skip("the ids are the seed's")
    fresh = Dataset.open(facts).map(view, **options)
    ds = Dataset.open(store)
    made, place = projection._to_networkx, maps.place

    def only_in_memory(store, *args):  # the slider's years are in-memory datasets
        assert store is not ds.store, "the projection was made from the built store"
        return made(store, *args)

    calls = []

    def not_the_actors(G, fixed=None, **kwargs):  # the first call places the view
        calls.append(G)
        assert view not in ("actors", "overview") or len(calls) > 1 or \
            all(n in (fixed or {}) for n in G), "the actors view was laid out again"
        return place(G, fixed, **kwargs)

    monkeypatch.setattr(projection, "_to_networkx", only_in_memory)
    monkeypatch.setattr(maps, "context_facts", None)  # any call fails
    monkeypatch.setattr(maps, "place", not_the_actors)
    kept = ds.map(view, **options)
    assert (kept.html if hasattr(kept, "html") else kept.data) == \
        (fresh.html if hasattr(fresh, "html") else fresh.data)


def test_a_kept_part_with_keys_that_are_not_text_is_refused(tmp_path):
    """JSON keys are text: a part with others would be written one way in a slice and
    another one at a time, and never read back; refused, nothing written."""
    from graph.dataset import write_kept

    for value in ({"a": {1: "x"}}, {"a": {None: 1}}, {2: "y"}):
        with pytest.raises(TypeError):
            write_kept(tmp_path / "part.json", "k", value)
        assert not (tmp_path / "part.json").exists()


def test_an_endpoint_added_bare_keeps_no_label_in_any_language():
    """to_networkx adds an IRI without an id as a bare node; read back in a language it
    stays bare, as to_networkx leaves it."""
    import networkx as nx

    from graph.network.projection import from_state, to_state

    G = nx.MultiDiGraph(dataset="d", lang="fi")
    G.add_node("a", kind="organisation", label="A", names={"fi": "A", "sv": "Å"},
               countries=[], iri="http://x/a")
    G.add_edge("a", "http://x/bare", key="member", kind="member", sources=[])
    H = from_state(json.loads(json.dumps(to_state(G, "fi"))), "sv")
    assert H.nodes["http://x/bare"] == {} and H.nodes["a"]["label"] == "Å"


def test_a_named_query_on_the_store_is_read_as_build_checked_it(seed_store, monkeypatch):
    """`query --name` on a built store reads the guard's reading of the package query
    that build kept (no rdflib parse) and answers as on the facts folder; a text that is
    not the one kept is checked afresh."""
    import graph.query.sparql as sparql
    from graph.query.library import load_folder

    facts, store = seed_store
    args = ["--name", "responsibilities", "--param", "actor=lapin-liitto", "--format", "csv"]
    fresh = run("query", facts, *args)
    kept = json.loads((store / KEPT_DIR / "queries.json").read_text("utf-8"))["value"]
    assert set(kept) == set(load_folder("queries"))
    for name, query in load_folder("queries").items():
        assert sparql.Prepared.from_state(kept[name]) == sparql.prepare(query.text), name
    parse = sparql._parse

    def refuse(text):
        raise AssertionError("parsed again instead of read from what build kept")

    monkeypatch.setattr(sparql, "_parse", refuse)
    assert run("query", store, *args) == fresh
    mine = kept["responsibilities"]["user_text"] + "\n# another text"
    with pytest.raises(AssertionError, match="parsed again"):
        sparql.prepare_as_kept(mine, kept["responsibilities"])
    monkeypatch.setattr(sparql, "_parse", parse)
    assert sparql.prepare_as_kept(mine, kept["responsibilities"]).user_text == mine
