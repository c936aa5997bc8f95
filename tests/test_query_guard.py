"""What is checked is what runs (issue 15, F1): the guard of graph.query.sparql (rdflib)
and the engine it protects (oxigraph) read the same text the same way.

A seeded generator writes many queries that mix \\u escapes, comments (ended by LF,
CRLF or a lone CR), strings, long strings, IRIs and prefixed names with ``#`` and
escapes, BASE/PREFIX redefinitions, nested groups, and a ``SERVICE`` pointing at a local
listener in various positions and spellings. Every query goes through the real code
path (``prepare`` then the engine, in process, in the worker of ``regiograph query``,
through ``run_remote``, and a sample through the CLI). Whenever the guard accepts, the
engine runs it; the listener must receive nothing in the whole module. A second
listener (the canary) receives the same queries run *without* the guard, to show that
the generator does write queries that reach the network.
"""

from __future__ import annotations

import http.server
import itertools
import json
import random
import re
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import NamedNode, QueryBoolean, Store

from cli import main
from graph.model.vocab import PREFIXES
from graph.query import remote, sparql
from graph.query.push import push
from graph.query.remote import RemoteStore
from graph.store.store import open_store
from tests.conftest import SEED
from tests.stores import serving


class _Listener(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's name
        length = int(self.headers.get("Content-Length") or 0)
        self.server.seen.append((self.command, self.path, self.rfile.read(length)))
        body = b'{"head":{"vars":[]},"results":{"bindings":[{}]}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST  # noqa: N815

    def log_message(self, *args):
        pass


def _listen():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Listener)
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture(scope="module")
def listener():
    """The URL SERVICE points at in every guarded run; nothing may ever reach it."""
    server, thread = _listen()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()
    assert server.seen == [], f"the guarded runs reached the network: {server.seen[:3]}"


@pytest.fixture(scope="module")
def canary():
    """The same queries without the guard point here: proof the generator bites."""
    server, thread = _listen()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory) -> Path:
    return sparql.built_store(SEED, tmp_path_factory.mktemp("guard"))


@pytest.fixture(scope="module")
def store(seed_store):
    return open_store(seed_store)


ATTACK = ('SELECT * WHERE { BIND("x\\u0022 AS ?a) #" AS ?b) SERVICE '
          '<http://127.0.0.1:PORT/x> { ?s ?p ?o }\n}\n')


def fill(text: str, server) -> str:
    return text.replace("PORT", str(server.server_address[1]))


def _run(store, prepared) -> None:
    """Run on the engine and read every answer (SERVICE is called while reading)."""
    result = sparql.query_store(store, prepared, {})
    if not isinstance(result, QueryBoolean):
        list(result)


# -- one reading -------------------------------------------------------------------


def test_the_attack_of_issue_15_is_harmless(seed_store, store, listener, tmp_path):
    text = fill(ATTACK, listener)
    prepared = sparql.prepare(text)
    # the escape is expanded before the check, and that expanded text is what runs:
    # the SERVICE is in a comment for both readers
    assert '"x" AS ?a) #' in prepared.text and "\\u" not in prepared.text
    _run(store, prepared)
    answer = sparql.run_local(seed_store, prepared, timeout=30)
    assert json.loads(answer.data)["results"]["bindings"] == [{"a": {
        "type": "literal", "value": "x"}}]
    path = tmp_path / "attack.rq"
    path.write_text(text, "utf-8")
    result = CliRunner().invoke(main, ["query", str(seed_store), "-f", str(path),
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    assert listener.seen == []


def test_a_lone_carriage_return_is_refused(listener):
    """oxigraph ends a comment at CR, rdflib only at LF: the SERVICE after it would be
    read by one and not the other."""
    text = fill("SELECT * WHERE { # c\rSERVICE <http://127.0.0.1:PORT/x> { ?s ?p ?o }\n}",
                listener)
    with pytest.raises(sparql.Refused, match="carriage return"):
        sparql.prepare(text)
    sparql.prepare("SELECT * WHERE {\r\n  # CRLF line ends are fine\r\n  ?s ?p ?o\r\n}")


@pytest.mark.parametrize("text,message", [
    ('SELECT * WHERE { BIND("\\U00110000" AS ?a) }', "no Unicode character"),
    ('SELECT * WHERE { BIND("\\uD800" AS ?a) }', "U\\+D800"),
    ('SELECT * WHERE { BIND("\\u0001" AS ?a) }', "U\\+0001"),
    ('SELECT * WHERE { BIND("\\u000D" AS ?a) }', "carriage return"),
    ('SELECT * WHERE { BIND("a\\u005Cu0022" AS ?a) }', "backslash followed by u"),
])
def test_escapes_that_two_readers_could_take_apart_are_refused(text, message):
    with pytest.raises(sparql.Refused, match=message):
        sparql.prepare(text)


def test_escapes_are_expanded_once_as_the_grammar_says(store):
    # anywhere, whatever goes before (19.2): \\u0022 is a backslash and a quote, which
    # oxigraph alone would read as an escaped backslash and "u0022"
    assert sparql.one_reading('ASK { BIND("\\\\u0022" AS ?a) }') == 'ASK { BIND("\\"" AS ?a) }'
    prepared = sparql.prepare('SELECT ?x WHERE { BIND("caf\\u00E9 \\U0001F600" AS ?x) }')
    assert "café 😀" in prepared.text
    rows = sparql.query_rows(store, 'SELECT ?x WHERE { BIND("caf\\u00e9" AS ?x) }', {})
    assert rows == [{"x": "café"}]


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { SERVICE:x { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o . ?o.SERVICE <http://x/> { } }",
    "SELECT * WHERE { ?s ?p 1SERVICE<http://x/>{ } }",
])
def test_the_lexical_look_refuses_glued_keywords(text):
    """oxigraph's parser reads a keyword glued to what follows (SERVICE:x is SERVICE :x);
    whatever rdflib makes of these, they are refused."""
    with pytest.raises(sparql.QueryError):
        sparql.prepare(text)


@pytest.mark.parametrize("text", [
    "SELECT ?from ?service WHERE { ?service ?load ?from ; ex:from ?x ; ex:a-from ?y ; "
    "from-x:z ?w . FILTER(?x = \"SERVICE\"@en-from) } # FROM",
    "SELECT * WHERE { ?s <http://example.org/service/from> _:from }",
])
def test_the_lexical_look_leaves_names_alone(text):
    prologue = "PREFIX ex: <http://example.org/>\nPREFIX from-x: <http://example.org/>\n"
    sparql.prepare(prologue + text)


# -- the generator ------------------------------------------------------------------

# ways to write the service call (PORT filled in later; "s:" and ":" are declared, BASE
# points at the listener)
SERVICES = [
    "SERVICE <http://127.0.0.1:PORT/x> { ?s ?p ?o }",
    "service silent <http://127.0.0.1:PORT/y> { ?s ?p ?o }",
    "SERVICE s:z { ?s ?p ?o }",
    "SERVICE <svc> { ?s ?p ?o }",
    "SERVICE:w{?s ?p ?o}",
    "\\u0053ERVICE <http://127.0.0.1:PORT/\\u0078> { ?s ?p ?o }",
    "SERVICE <http://127.0.0.1:PORT/a#b> { ?s ?p ?o }",
    "?s ?p ?o.SERVICE<http://127.0.0.1:PORT/dot>{?s ?p ?o}",
    "{ SERVICE <http://127.0.0.1:PORT/nested> { ?s ?p ?o } }",
    "OPTIONAL { SERVICE <http://127.0.0.1:PORT/opt> { ?s ?p ?o } }",
    "{ } UNION { SERVICE <http://127.0.0.1:PORT/union> { ?s ?p ?o } }",
    "FILTER EXISTS { SERVICE <http://127.0.0.1:PORT/exists> { ?s ?p ?o } }",
    "{ SELECT * WHERE { SERVICE <http://127.0.0.1:PORT/sub> { ?s ?p ?o } } LIMIT 1 }",
]
# things that may hide what follows from one reader and not the other
HIDERS = [
    'BIND("x\\u0022 AS ?a0) #" AS ?b0) ',
    'BIND("x\\U00000022 AS ?a1) #" AS ?b1) ',
    'BIND("\\\\u0022 AS ?a2) #" AS ?b2) ',
    'BIND("x\\u+022 AS ?a3) #" AS ?b3) ',
    "# a comment\r",
    "# a comment\u2028",
    "# a comment\x0b",
    "# \\u000A ",
    "# \\u000D ",
    "BIND('''a ' '' \\u0027''' AS ?a4) ",
    'BIND("""x " "" \\u0022""" AS ?a5) ',
    "?s ?p ex:a\\#b . ",
    "?s ?p ex:a\\-b . ",
    "?s ?p <http://example.org/#",
    'FILTER(?s != "#") ',
    "BIND(\"}\" AS ?a6) ",
]
# plain, harmless pieces that keep the text SPARQL
FILLERS = [
    "?s ?p ?o .",
    "?s a rg:Project .",
    "OPTIONAL { ?s rg:areaKind ?k }",
    "{ ?s ?p ?o } UNION { ?s a rg:Area }",
    "FILTER(?o != \"SERVICE <http://127.0.0.1:PORT/str>\")",
    "# SERVICE <http://127.0.0.1:PORT/comment> { }\n",
    'BIND("""a\n# SERVICE\n""" AS ?long)',
    "?s ?p <http://example.org/a#SERVICE> .",
    "MINUS { ?s ex:x ?o }",
    "BIND(\"caf\\u00E9\" AS ?cafe)",
]
PROLOGUES = [
    "",
    "PREFIX ex: <http://example.org/>\nPREFIX s: <http://127.0.0.1:PORT/>\n"
    "PREFIX : <http://127.0.0.1:PORT/>\n",
    "BASE <http://127.0.0.1:PORT/>\nPREFIX ex: <http://example.org/>\n"
    "PREFIX s: <http://127.0.0.1:PORT/>\nPREFIX : <http://127.0.0.1:PORT/>\n",
    "PREFIX ex: <http://127.0.0.1:PORT/>\nPREFIX ex: <http://example.org/>\n"
    "PREFIX s: <http://127.0.0.1:PORT/>\nPREFIX : <http://127.0.0.1:PORT/>\n"
    "BASE <http://example.org/>\nBASE <http://127.0.0.1:PORT/>\n",
]
SEPARATORS = [" ", "\n", "\r\n", "\t", "\n# ¤\n", " #\n"]


def generate(n: int, seed: int = 15) -> list[str]:
    rng = random.Random(seed)
    count = itertools.count()
    queries = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(1, 4)):
            roll = rng.random()
            if roll < 0.35:
                parts.append(rng.choice(HIDERS) + rng.choice(SERVICES))
            elif roll < 0.6:
                parts.append(rng.choice(SERVICES))
            else:
                parts.append(rng.choice(FILLERS))
        body = "".join(p + rng.choice(SEPARATORS) for p in parts)
        # BIND may not bind a variable twice (oxigraph says so, rdflib does not check)
        body = re.sub(r"AS \?(\w+)\)", lambda m: f"AS ?{m.group(1)}_{next(count)})", body)
        for _ in range(rng.randint(0, 3)):  # nesting
            body = rng.choice(["{ %s }", "OPTIONAL { %s }", "{ %s } UNION { }",
                               "{ SELECT * WHERE { %s } }"]) % body
        head = rng.choice(["SELECT *", "select *", "ASK", "SELECT ?s"])
        tail = rng.choice(["", " LIMIT 3", "\n", "# end"])
        queries.append(f"{rng.choice(PROLOGUES)}{head} WHERE {{ {body}\n}}{tail}")
    return queries


QUERIES = [ATTACK, *generate(600)]


RAW_PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


# -- the differential test ----------------------------------------------------------


def test_whatever_the_guard_accepts_runs_and_stays_off_the_network(store, listener,
                                                                     canary):
    accepted = refused = bitten = 0
    for template in QUERIES:
        text = fill(template, listener)
        # without the guard (the raw text, pointed at the canary): does it reach out?
        before = len(canary.seen)
        try:
            _run(store, sparql.Prepared(RAW_PROLOGUE + fill(template, canary), "select", 0))
        except Exception:  # noqa: BLE001, S110 - only the canary's count matters here
            pass
        bitten += len(canary.seen) > before
        try:
            prepared = sparql.prepare(text)
        except sparql.QueryError:
            refused += 1
            continue
        accepted += 1
        # one reading: what runs has no escape left for either parser, nor a lone CR
        assert "\\u" not in prepared.text.lower() and "\r" not in prepared.text.replace(
            "\r\n", ""), text
        _run(store, prepared)  # the engine runs what the guard accepted
        assert listener.seen == [], f"reached the network: {text!r}"
    # the generator is worth something: many would have gone out, some are accepted
    assert bitten > 100, bitten
    assert accepted > 20 and refused > 100, (accepted, refused)


def test_the_worker_and_the_endpoint_get_the_checked_text(seed_store, store, listener,
                                                          monkeypatch):
    """A sample of the accepted queries through the worker of `regiograph query` and
    through run_remote (its HTTP post replaced by the same store): what is sent is the
    prepared text, and nothing reaches the listener."""
    accepted = []
    for template in QUERIES[:200]:
        try:
            accepted.append(sparql.prepare(fill(template, listener)))
        except sparql.QueryError:
            pass
    sent = []

    def send(self, text, form=None):
        sent.append(text)
        result = store.query(text)
        if hasattr(result, "serialize"):
            return result.serialize(format=sparql.QueryResultsFormat.JSON)
        return sparql.serialize(result, format=sparql.RdfFormat.N_TRIPLES)

    monkeypatch.setattr(RemoteStore, "send", send)
    for prepared in accepted[:40]:
        remote.run_remote("http://127.0.0.1:9/sparql", prepared, {}, 10)
        assert sent[-2] == prepared.text
    for prepared in accepted[:6]:
        sparql.run_local(seed_store, prepared, timeout=30)
    assert listener.seen == []


def test_a_sample_through_the_cli(seed_store, listener, tmp_path):
    rng = random.Random(7)
    for i, template in enumerate(rng.sample(QUERIES, 12)):
        path = tmp_path / f"q{i}.rq"
        path.write_bytes(fill(template, listener).encode("utf-8"))
        result = CliRunner().invoke(main, ["query", str(seed_store), "-f", str(path),
                                           "--timeout", "20"])
        assert result.exit_code in (0, 2), result.output
        assert "Traceback" not in result.output
    assert listener.seen == []


# -- the smaller items of issue 15 ----------------------------------------------------


@pytest.mark.parametrize("value", ["inf", "nan", "1e308", "-inf", "0"])
def test_a_timeout_out_of_range_is_a_usage_error(seed_store, value):
    result = CliRunner().invoke(main, ["query", str(seed_store), "--timeout", value,
                                       "ASK { ?s ?p ?o }"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # a message, not a crash
    if value in ("inf", "nan", "1e308"):  # below 0.1, click's own range says so
        assert "give a number of seconds from 0.1 to 86400" in result.output


def test_timeout_range_in_the_functions(seed_store):
    for bad in (float("inf"), float("nan"), 1e308, 0):
        with pytest.raises(sparql.QueryError, match="from 0.1 to 86400"):
            sparql.run_local(seed_store, sparql.prepare("ASK {}"), timeout=bad)
        with pytest.raises(sparql.QueryError, match="from 0.1 to 86400"):
            remote.run_remote("http://127.0.0.1:9/q", sparql.prepare("ASK {}"), timeout=bad)
    with pytest.raises(sparql.QueryError, match="from 1 to 86400"):
        sparql.server_command(seed_store, "127.0.0.1", 7878, float("inf"))


def test_deep_nesting_is_refused_clearly(seed_store):
    text = "SELECT * WHERE " + "{" * 20_000 + "}" * 20_000
    result = CliRunner().invoke(main, ["query", str(seed_store), text])
    assert result.exit_code == 2, result.output
    assert "nested too deeply" in result.output and "Traceback" not in result.output
    for deep in ("SELECT * WHERE { FILTER(" + "(" * 40 + "1" + ")" * 40 + ") }",
                 "SELECT * WHERE { ?s ?p " + "[ ?p " * 40 + "1" + "]" * 40 + " }"):
        with pytest.raises(sparql.Refused, match="nested too deeply"):
            sparql.prepare(deep)
    sparql.prepare("SELECT * WHERE " + "{" * sparql.MAX_NESTING + "}" * sparql.MAX_NESTING)
    # brackets in strings, IRIs and comments are no nesting
    sparql.prepare('SELECT * WHERE { BIND("' + "{" * 100 + '" AS ?x) } # ' + "(" * 100)


def test_a_huge_query_is_refused_before_the_slow_parse(seed_store, monkeypatch):
    """Over the size limit, the query is refused before rdflib's parser (the slow part,
    seconds at the limit: measured in bench, not here) ever sees it."""
    import rdflib.plugins.sparql.parser as parser

    seen = []
    monkeypatch.setattr(parser, "parseQuery", lambda text: seen.append(text) or 1 / 0)
    text = "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 5000) + " }"
    result = CliRunner().invoke(main, ["query", str(seed_store), "--timeout", "3", text])
    assert result.exit_code == 2 and f"at most {sparql.MAX_QUERY_CHARS}" in result.output
    assert seen == []
    monkeypatch.undo()
    # the worst shape found at the size limit is still parsed, and accepted
    worst = "SELECT * WHERE { FILTER(" + " || ".join(["?a = ?b"] * 2000) + ") }"
    worst = worst[:sparql.MAX_QUERY_CHARS - 20].rsplit(" ||", 1)[0] + ") }"
    assert len(worst) <= sparql.MAX_QUERY_CHARS
    sparql.prepare(worst)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "/etc/passwd",
                                 "http:///nohost", "gopher://127.0.0.1:70/"])
def test_only_http_endpoints(url):
    result = CliRunner().invoke(main, ["query", "--endpoint", url, "ASK { ?s ?p ?o }"])
    assert result.exit_code == 2, result.output
    assert "only http:// and https://" in result.output
    assert "root:" not in result.output
    with pytest.raises(sparql.QueryError, match="only http"):
        push(Store(), url, None)
    with pytest.raises(sparql.QueryError, match="--update .* only http"):
        push(Store(), "http://127.0.0.1:9/store", None, update=url)


def test_a_redirect_to_another_scheme_is_not_followed(monkeypatch):
    def redirect(handler, _body):
        handler.send_response(302)
        handler.send_header("Location", "ftp://127.0.0.1:9/x")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    with serving(redirect) as url:
        with pytest.raises(sparql.EndpointError, match="only http:// and https:// are"):
            remote.run_remote(url, sparql.prepare("ASK {}"), timeout=5)


@pytest.mark.parametrize("value", ['"C:\\users"', '"x\\u0022 } SERVICE"', '"a\x01b"'])
def test_a_param_that_would_be_read_as_an_escape_is_not_sent(value, monkeypatch):
    """The text sent to an endpoint goes through one_reading: a value whose serialised
    form holds a backslash-u would change on the way, so it is refused, not sent."""
    sent = []
    monkeypatch.setattr(RemoteStore, "send", lambda *args: sent.append(args))
    prepared = sparql.prepare("SELECT ?x WHERE { ?x ?p ?o }")
    with pytest.raises(sparql.QueryError, match="--param x: a value with a backslash"):
        remote.run_remote("http://127.0.0.1:9/q", prepared, {"x": value}, timeout=5)
    assert sent == []


# -- FROM: the engine's own answer says whether it read a dataset clause -------------

G = "http://127.0.0.1:9/g"
FROM_HIDERS = ['("x\\u0022 AS ?a) #" AS ?b) ', '("x\\U00000022 AS ?a) #" AS ?b) ',
               '("\\\\u0022 AS ?a) #" AS ?b) ', '("x\\u+022 AS ?a) #" AS ?b) ', "# c\r",
               "# c\u2028", '("#" AS ?c) ', '("""\n#""" AS ?d) ', ""]
FROMS = [f"FROM <{G}>", f"from <{G}>", f"FROM NAMED <{G}>", "FROM:g", f"\\u0046ROM <{G}>",
         f"FROM<{G}>", "FROM g:", "FROM <g>", f"FROM <{G}> FROM NAMED <{G}>",
         f"FROM\t<{G}>", "FROM\r\n<g>"]
WHERES = ["WHERE { ?s ?p ?o }", "{ ?s ?p ?o }", "WHERE {\n?s ?p ?o\n}"]


def test_whatever_the_guard_accepts_reads_the_store_s_own_dataset():
    """A store whose default graph holds one triple and the named graph G another:
    a FROM <G> the engine honours shows the other triple, a FROM NAMED shows none."""
    from pyoxigraph import Quad, Store

    store = Store()
    default, marked = NamedNode("http://example.org/default"), NamedNode(G + "#m")
    store.add(Quad(default, default, default))
    store.add(Quad(marked, marked, marked, NamedNode(G)))
    prologue = (f"PREFIX : <{G[:-1]}>\nPREFIX g: <{G}>\nBASE <http://127.0.0.1:9/>\n")
    rng = random.Random(151)
    accepted = honoured = 0
    for _ in range(300):
        text = (f"{prologue}SELECT ?s {rng.choice(FROM_HIDERS)}{rng.choice(FROMS)}"
                f"{rng.choice([' ', chr(10), ' # x' + chr(10)])}{rng.choice(WHERES)}")
        raw = {str(r["s"]) for r in store.query(text)} if _parses(store, text) else None
        honoured += raw is not None and raw != {str(default)}
        try:
            prepared = sparql.prepare(text)
        except sparql.QueryError:
            continue
        accepted += 1
        rows = {str(r["s"]) for r in sparql.query_store(store, prepared, {})}
        assert rows == {str(default)}, f"the engine read a dataset clause: {text!r}"
    assert honoured > 100 and accepted > 10, (honoured, accepted)


def _parses(store, text: str) -> bool:
    try:
        store.query(text)
    except SyntaxError:
        return False
    return True
