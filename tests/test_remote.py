"""check, report, map, info and query on a shared store (graph.query.remote, issue 19):
the same findings, report, maps and answers from the embedded store, the oxigraph server
and Virtuoso 7, on the seed and on generated data; logins; the stores' differences.

The stores are real (tests/stores.py: started on 127.0.0.1, stopped after); the data
gets there by `regiograph push`.
"""

from __future__ import annotations

import base64
import json
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from graph.dataset import Dataset
from graph.model.vocab import sparql_prologue
from graph.query import sparql
from graph.query.remote import RemoteStore, in_graph, normalise
from tests.conftest import SEED
from tests.stores import oxigraph_store, serving, virtuoso_store  # noqa: F401 - fixtures

STORES = ["oxigraph", "virtuoso"]
GRAPH = "https://example.org/remote-test/lapland/"
SYNTH_GRAPH = "https://example.org/remote-test/synth/"


def run(*args, env: dict | None = None, code: int = 0) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args], env=env)
    if result.exit_code != code:
        pytest.fail(f"{' '.join(map(str, args))}\nexit {result.exit_code}:\n{result.output}",
                    pytrace=False)
    return result.output


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """The seed and a generated dataset, each built into a store."""
    out = tmp_path_factory.mktemp("remote")
    run("synth", "--triples", "30000", "-o", out / "synth", "--seed", "3")
    run("build", SEED, "-o", out / "seed-out")
    run("build", out / "synth", "-o", out / "synth-out")
    return {"seed": out / "seed-out" / "lapland.store",
            "synth": next((out / "synth-out").glob("*.store"))}


@pytest.fixture(scope="module", params=STORES)
def pushed(request, built):
    """A store (oxigraph server, Virtuoso) holding the seed in GRAPH and the generated
    dataset in SYNTH_GRAPH: (the Running store, the options that read the seed)."""
    store = request.getfixturevalue(f"{request.param}_store")
    for dataset, graph in ((built["seed"], GRAPH), (built["synth"], SYNTH_GRAPH)):
        run("push", dataset, "--endpoint", store.graph_store, "--graph", graph,
            *store.login_args(), env=store.env())
    return store


def remote_args(store, graph: str = GRAPH) -> list[str]:
    return ["--endpoint", store.query, "--graph", graph]


# -- every query of the package: the same answers ------------------------------------


def package_queries() -> list[Path]:
    root = Path(__file__).parent.parent / "ontology"
    return sorted(p for folder in ("checks", "queries", "projection", "derived")
                  for p in (root / folder).glob("*.rq"))


def answers(result, prepared: sparql.Prepared):
    """A store's answer as a comparable value: a bool, or the multiset of rows (each
    GROUP_CONCAT's items sorted and an empty one unbound, as `query` and the projection
    read them)."""
    if isinstance(result, bool) or not hasattr(result, "__iter__"):
        return bool(result)
    if not hasattr(result, "variables"):
        return Counter(str(t) for t in result)
    columns = [v.value for v in result.variables]
    lists = dict(prepared.concatenated)
    rows = Counter()
    for row in result:
        cells = []
        for column in columns:
            term = row[column]
            if term is not None and column in lists:
                cells.append(sparql.sorted_items(term.value, lists[column]))
            else:
                cells.append(None if term is None else str(term))
        rows[tuple(cells)] += 1
    return rows


@pytest.mark.parametrize("path", package_queries(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_package_query_answers_alike(pushed, built, path):
    """Each check, named query, projection and derivation gives the same rows on the store
    as on the embedded one; a query that a store cannot run (Virtuoso 7 refused three of
    them: an aggregate's name in ORDER BY, NOT IN inside MINUS, a filter in an OPTIONAL
    reading an outer variable) fails here."""
    text = sparql_prologue() + path.read_text("utf-8")
    prepared = sparql.prepare(text)
    local = Dataset.open(built["seed"]).store.query(text)
    remote = RemoteStore(pushed.query, GRAPH).query(text)
    assert answers(remote, prepared) == answers(local, prepared)


# -- the commands: the same output --------------------------------------------------


@pytest.mark.parametrize("which", ["seed", "synth"])
def test_check_info_and_maps_are_the_same(pushed, built, tmp_path, which):
    graph = GRAPH if which == "seed" else SYNTH_GRAPH
    here, there = [str(built[which])], remote_args(pushed, graph)
    for args in (["check", "--format", "json"], ["info", "--format", "json"],
                 ["check", "--format", "markdown", "--lang", "en"]):
        assert run(*args, *there) == run(*args, *here), args
    views = [["--view", "actors"], ["--view", "findings"], ["--view", "cross-border"],
             ["--view", "overview", "--group", "area"]]
    if which == "seed":
        views += [["--view", "ego", "--id", "lapin-liitto", "--depth", "2"],
                  ["--view", "strategy", "--id", "amo-2008-programme"]]
    for i, view in enumerate(views):
        for suffix in ("html", "svg"):
            mine, theirs = tmp_path / f"l{i}.{suffix}", tmp_path / f"r{i}.{suffix}"
            run("map", *here, *view, "-o", mine)
            run("map", *there, *view, "-o", theirs)
            assert theirs.read_bytes() == mine.read_bytes(), (view, suffix)


def test_report_is_the_same(pushed, built, tmp_path):
    run("report", built["seed"], "-o", tmp_path / "local.html")
    run("report", *remote_args(pushed), "-o", tmp_path / "remote.html")
    for suffix in (".html", ".md"):
        assert (tmp_path / f"remote{suffix}").read_bytes() == \
            (tmp_path / f"local{suffix}").read_bytes()


def test_as_of_on_a_store(pushed, built):
    args = ["check", "--format", "json", "--as-of", "2008"]
    assert run(*args, *remote_args(pushed)) == run(*args, built["seed"])


def test_named_queries_give_one_answer(pushed, built):
    """The issue's example: cross-border-ties gave an empty table name on Virtuoso."""
    for name in ("cross-border-ties", "responsibilities", "people-posts", "funding-by-funder",
                 "areas"):
        mine = run("query", built["seed"], "--name", name, "--limit", "0")
        theirs = run("query", *remote_args(pushed), "--name", name, "--limit", "0")
        assert theirs == mine, name
    table = run("query", *remote_args(pushed), "--name", "cross-border-ties")
    assert "Kotisatama" in table


def test_ask_is_a_boolean_on_every_store(pushed):
    assert run("query", *remote_args(pushed), "ASK { ?s a rg:Project }").split()[:3] == \
        ["answer", "------", "true"]
    data = json.loads(run("query", *remote_args(pushed), "--format", "json",
                          "ASK { ?s a rg:NoSuchClass }"))
    assert data["boolean"] is False


def test_a_dataset_that_is_not_there(pushed):
    out = run("check", "--endpoint", pushed.query, "--graph", "https://example.org/none/",
              code=6)
    assert "holds no dataset in graph <https://example.org/none/>" in out


# -- logins --------------------------------------------------------------------------


def test_login_on_virtuoso(virtuoso_store, built, tmp_path):  # noqa: F811 - the fixture
    """Virtuoso's /sparql-auth asks for HTTP digest: --user with REGIOGRAPH_PASSWORD, a
    netrc file, and clear refusals that never print the password."""
    store = virtuoso_store
    run("push", built["seed"], "--endpoint", store.graph_store, "--graph", GRAPH,
        *store.login_args(), env=store.env())
    secured = store.update  # the query endpoint behind digest auth
    args = ["info", "--format", "json", "--endpoint", secured, "--graph", GRAPH]
    expected = run("info", "--format", "json", built["seed"])
    assert run(*args, "--user", store.user, env=store.env()) == expected

    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login {store.user} password {store.password}\n")
    netrc.chmod(0o600)
    assert run(*args, "--netrc", netrc) == expected

    wrong = run(*args, "--user", store.user, env={"REGIOGRAPH_PASSWORD": "not-it"}, code=6)
    assert "was not accepted" in wrong and "not-it" not in wrong
    assert "Traceback" not in wrong
    anonymous = run(*args, env={"NETRC": str(tmp_path / "none")}, code=6)
    assert "asks for a login" in anonymous
    missing = run(*args, "--user", store.user, env={"REGIOGRAPH_PASSWORD": ""}, code=2)
    assert "REGIOGRAPH_PASSWORD" in missing


def test_options_go_together():
    out = run("check", SEED, "--graph", GRAPH, code=2)
    assert "go with --endpoint" in out
    out = run("check", SEED, "--endpoint", "http://127.0.0.1:9/sparql", code=2)
    assert "not both" in out


# -- the differences, one by one ------------------------------------------------------


def test_the_derived_graph_is_the_datasets_own():
    text = "SELECT * { GRAPH <https://w3id.org/regiograph/derived> { ?s ?p ?o } }"
    assert "derived?of=https%3A%2F%2Fexample.org%2Fa%2F" in in_graph(text, "https://example.org/a/")
    assert in_graph(text, None) == text
    quoted = 'SELECT * { ?s ?p "<https://w3id.org/regiograph/derived>" }'
    assert in_graph(quoted, "https://example.org/a/") == quoted


def test_virtuoso_ask_table_is_read_as_the_boolean():
    table = (b'{"head": {"vars": ["__ask_retval"]}, "results": {"bindings": '
             b'[{"__ask_retval": {"type": "typed-literal", "datatype": '
             b'"http://www.w3.org/2001/XMLSchema#integer", "value": "0"}}]}}')
    assert json.loads(normalise("ask", table)) == {"head": {}, "boolean": False}
    assert normalise("select", table) == table


def test_where_a_password_comes_from(tmp_path, monkeypatch):
    """--user: REGIOGRAPH_PASSWORD first, then a prompt (at a terminal), else a clear
    error; without --user, the host's netrc entry (NETRC or ~/.netrc), else no login."""
    from graph.query.connection import PASSWORD_ENV, LoginError, login_for

    asked = []
    login = login_for("http://127.0.0.1:8890/sparql", "dba",
                      ask=lambda prompt: asked.append(prompt) or "typed", environ={})
    assert (login.password, login.origin) == ("typed", "the prompt")
    assert asked == ["Password for dba at http://127.0.0.1:8890"]
    login = login_for("http://127.0.0.1:8890/sparql", "dba", ask=lambda p: "typed",
                      environ={PASSWORD_ENV: "from-env"})
    assert login.password == "from-env" and "from-env" not in repr(login) + str(login)
    with pytest.raises(LoginError, match="REGIOGRAPH_PASSWORD"):
        login_for("http://127.0.0.1:8890/sparql", "dba", environ={})
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login alice password s3cret\n")
    monkeypatch.setenv("NETRC", str(netrc))
    login = login_for("http://127.0.0.1:8890/sparql", environ={})
    assert (login.user, login.password) == ("alice", "s3cret")
    assert login_for("http://other.example/sparql", environ={}) is None
    monkeypatch.setenv("NETRC", str(tmp_path / "none"))
    assert login_for("http://127.0.0.1:8890/sparql", environ={}) is None




def _send(handler, status: int, body: bytes, headers: dict[str, str]) -> None:
    handler.send_response(status)
    for name, value in {**headers, "Content-Length": str(len(body))}.items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def _basic_auth_proxy(target: str, seen: list[str]):
    """A reverse proxy that asks for HTTP basic auth (user ``ana``, password ``pw``)
    before it passes a query on to ``target``: a store behind a login of the other kind
    than Virtuoso's digest. ``seen`` gets each Authorization header."""
    expected = "Basic " + base64.b64encode(b"ana:pw").decode()

    def do_post(handler, body):
        given = handler.headers.get("Authorization")
        seen.append(given or "")
        if given != expected:
            _send(handler, 401, b"", {"WWW-Authenticate": 'Basic realm="store"'})
            return
        request = urllib.request.Request(target, data=body, method="POST", headers={
            "Content-Type": handler.headers["Content-Type"],
            "Accept": handler.headers["Accept"]})
        with urllib.request.urlopen(request, timeout=60) as answer:
            _send(handler, 200, answer.read(), {"Content-Type": answer.headers["Content-Type"]})
    return serving(do_post)


def test_basic_auth(oxigraph_store, built):  # noqa: F811 - the fixture
    run("push", built["seed"], "--endpoint", oxigraph_store.graph_store, "--graph", GRAPH)
    seen: list[str] = []
    with _basic_auth_proxy(oxigraph_store.query, seen) as url:
        args = ["info", "--format", "json", "--endpoint", url, "--graph", GRAPH]
        expected = run("info", "--format", "json", built["seed"])
        assert run(*args, "--user", "ana", env={"REGIOGRAPH_PASSWORD": "pw"}) == expected
        wrong = run(*args, "--user", "ana", env={"REGIOGRAPH_PASSWORD": "nope"}, code=6)
        assert "was not accepted" in wrong and "nope" not in wrong
        assert any(s.startswith("Basic ") for s in seen)


def _answering(status: int, body: bytes):
    """A store that answers every query with ``status`` and ``body``: one that answers
    wrongly."""
    return serving(lambda handler, _: _send(handler, status, body,
                                             {"Content-Type": "application/json"}))


@pytest.mark.parametrize("status, body", [
    (200, b"<html><body>not a store</body></html>"),
    (200, b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal",'
          b'"value":"a\x1bb"}}]}}'),
    (200, b"5"),
    (200, b'{"results": []}'),
    (500, b"boom \x1b]0;pwned\x07\nsecond line"),
], ids=["html", "control-in-json", "a-number", "results-a-list", "error-with-controls"])
def test_a_store_that_answers_wrongly_gets_a_sentence(status, body):
    """Whatever a store answers, the commands end with exit 6 and one line that a terminal
    acts on nothing of: no traceback."""
    with _answering(status, body) as url:
        for args in (["info", "--endpoint", url],
                     ["check", "--endpoint", url, "--graph", GRAPH],
                     ["query", "--endpoint", url, "ASK { ?s ?p ?o }"],
                     ["query", "--endpoint", url, "SELECT * { ?s ?p ?o }"]):
            result = CliRunner().invoke(main, args)
            assert result.exit_code == 6, (args, result.output)
            assert "Traceback" not in result.output
            assert "\x1b" not in result.output and "\x07" not in result.output
            assert result.output.count("\n") == 1, result.output


@pytest.mark.parametrize("url", ["http://[::1/x", "http://127.0.0.1:abc/x",
                                 "http://bob:s3cret@127.0.0.1:9/x"])
def test_a_bad_endpoint_url_is_a_usage_error(url):
    out = run("info", "--endpoint", url, code=2)
    assert "s3cret" not in out and "Traceback" not in out


def test_a_graph_without_this_versions_derived_facts_is_refused(oxigraph_store, built):  # noqa: F811
    """Data pushed by hand, without the derived graph the checks read: refused, not
    checked into false findings."""
    import urllib.request

    data = Dataset.open(built["seed"]).rdf_bytes("ntriples")
    request = urllib.request.Request(
        f"{oxigraph_store.graph_store}?graph=https%3A%2F%2Fexample.org%2Fnoderived%2F",
        data=data, method="PUT", headers={"Content-Type": "application/n-triples"})
    urllib.request.urlopen(request, timeout=60).close()
    out = run("check", "--endpoint", oxigraph_store.query, "--graph",
              "https://example.org/noderived/", code=6)
    assert "push it again" in out


def test_a_parameter_on_a_store(pushed, built):
    """--param travels as VALUES at the start of the outermost group: the same rows as on
    the embedded store; a variable bound only in a subquery is refused, not answered
    wrongly."""
    args = ["--name", "responsibilities", "--param", "actor=lapin-liitto", "--limit", "0"]
    assert run("query", *remote_args(pushed), *args) == run("query", built["seed"], *args)
    inner = "SELECT ?x WHERE { { SELECT ?x WHERE { ?x a rg:Area } LIMIT 1 } }"
    out = run("query", *remote_args(pushed), inner, "--param", "x=tornio", code=2)
    assert "bound by a triple pattern of that group" in out


def test_a_concatenation_without_a_separator():
    from graph.query.sparql import prepare

    assert prepare("SELECT (GROUP_CONCAT(?n) AS ?l) { ?s ?p ?n }").concatenated == (("l", " "),)
