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
import json
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import QueryBoolean

from cli import main
from graph.query import sparql
from graph.store.store import open_store
from tests.conftest import SEED


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
