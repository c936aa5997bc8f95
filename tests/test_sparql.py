"""User SPARQL: the named query library, the safety checks, parameters, the timeout
and the output formats (graph.query.sparql and `regiograph query` / `queries`)."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Triple, parse

from cli import main
from graph import checks
from graph.dataset import Dataset
from graph.query import sparql
from graph.query.library import load_folder
from graph.store.store import build_store
from tests.conftest import SEED

REGIOGRAPH = Path(sys.executable).parent / "regiograph"
NAMED = load_folder("queries")


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory) -> Path:
    return sparql.built_store(SEED, tmp_path_factory.mktemp("seed"))


@pytest.fixture(scope="module")
def seed(seed_store) -> Dataset:
    return Dataset.open(seed_store)


def example(doc: str) -> str:
    m = re.search(r"\(example: ([^)]+)\)", doc)
    assert m, f"a parameter's documentation gives no example: {doc!r}"
    return m.group(1)


# -- the named query library ----------------------------------------------------------


def test_the_library_has_the_queries_the_issue_names():
    assert {"responsibilities", "actor-tables", "strategy-priorities", "funding-by-funder",
            "cross-border-ties", "people-posts", "areas"} <= set(NAMED)


@pytest.mark.parametrize("name", sorted(NAMED))
def test_every_named_query_is_documented_and_answers_on_the_seed(seed, name):
    q = NAMED[name]
    assert q.title and q.description and q.columns, f"{name}: header incomplete"
    params = {p: example(doc) for p, doc in q.params.items()}
    rows = seed.query(q.text, **params)
    assert len(rows) > 0, f"{name} with {params} found nothing on the seed dataset"
    for param, value in params.items():  # the parameter really narrowed the rows
        assert all(r[param] == value or r[param].endswith("/" + value) for r in rows)
    columns = [c.split(" — ")[0].strip() for c in re.split(r";\s*", q.columns)]
    assert set(rows.columns) >= {c for c in columns if " " not in c and "," not in c}


@pytest.mark.parametrize("name", list(checks.CHECKS))
def test_every_check_query_is_documented_and_runs(seed, name):
    q = checks.check_queries()[name]
    assert q.title and q.description
    assert isinstance(seed.query(q.text), list)


def test_named_query_through_the_cli_on_a_facts_folder():
    result = CliRunner().invoke(main, ["query", str(SEED), "--name", "responsibilities",
                                       "--param", "actor=lapin-liitto"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["actor", "actorName", "role"]
    assert all(line.startswith("lapin-liitto ") for line in lines[2:])
    assert len(lines) > 2


def test_a_required_parameter_is_asked_for():
    result = CliRunner().invoke(main, ["query", str(SEED), "--name", "actor-tables"])
    assert result.exit_code == 2
    assert "needs --param actor" in result.output


def test_queries_lists_named_queries_and_checks():
    result = CliRunner().invoke(main, ["queries", "--format", "json"])
    assert result.exit_code == 0
    listed = {q["name"]: q for q in json.loads(result.stdout)}
    assert set(NAMED) | set(checks.CHECKS) == set(listed)
    assert listed["actor-tables"]["params"]["actor"]
    assert listed["gap.unmonitored"]["kind"] == "check"
    assert all(q["description"] for q in listed.values())
    text = CliRunner().invoke(main, ["queries"]).stdout
    assert "--param actor=" in text and "[check]" in text
    shown = CliRunner().invoke(main, ["queries", "--show", "areas"]).stdout
    assert shown == NAMED["areas"].text


# -- refused before running -----------------------------------------------------------

REFUSED = {
    "service": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "service lower case across lines": "select *\nwhere {\n  service\n   <http://x/>\n"
                                       "  { ?s ?p ?o } }",
    "service spelt with a codepoint escape": r"SELECT * { \u0053ERVICE <http://x/> { ?s ?p ?o } }",
    "service silent": "SELECT * { SERVICE SILENT <http://x/> { ?s ?p ?o } }",
    "service nested in optional": "SELECT * { ?s a rg:Project OPTIONAL { { SERVICE ?url "
                                  "{ ?s ?p ?o } } } }",
    "from": "SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }",
    "from lower case": "select * from\n<http://example.org/g> { ?s ?p ?o }",
    "from named": "SELECT * FROM NAMED <http://example.org/g> { GRAPH ?g { ?s ?p ?o } }",
    "load": "LOAD <http://example.org/data.ttl>",
    "load after a comment": "# a harmless comment\nload <http://example.org/data.ttl> "
                            "into graph <http://x/>",
    "insert data": "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }",
    "delete where": "PREFIX x: <http://x/>\ndelete where { ?s x:p ?o }",
    "delete insert": "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "clear": "CLEAR ALL", "drop": "drop graph <http://x/g>", "create": "CREATE GRAPH <http://x/>",
    "add": "ADD DEFAULT TO <http://x/g>", "move": "MOVE DEFAULT TO <http://x/g>",
    "copy": "copy default to <http://x/g>",
    "two updates": "CLEAR DEFAULT ;\nDROP ALL",
}


@pytest.mark.parametrize("text", REFUSED.values(), ids=REFUSED.keys())
def test_refused_before_running(text):
    with pytest.raises(sparql.Refused) as info:
        sparql.prepare(text)
    assert "refused" in str(info.value)


@pytest.mark.parametrize("text", [
    'SELECT ?s WHERE { ?s ?p "SERVICE <http://x/> { } FROM <http://y/>" }',
    "SELECT ?s WHERE {\n  # SERVICE <http://x/> { ?s ?p ?o }\n  # LOAD <http://y/>\n"
    "  ?s a rg:Project }",
    "SELECT ?load ?service ?from WHERE { ?load ?service ?from }",
])
def test_keywords_in_comments_strings_and_names_are_not_refused(seed, text):
    sparql.prepare(text)
    seed.query(text)


def test_refused_in_the_cli_with_a_message_and_exit_2(seed_store):
    result = CliRunner().invoke(main, ["query", str(seed_store), REFUSED["service"]])
    assert result.exit_code == 2
    assert "SERVICE <http://127.0.0.1:9/sparql> is refused" in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(main, ["query", str(seed_store), REFUSED["load"]])
    assert result.exit_code == 2 and "updates are refused (LOAD)" in result.output


def test_syntax_error_has_line_and_column_and_no_traceback(seed_store):
    text = "SELECT ?s WHERE {\n  ?s a rg:Project .\n  ?s ?p\n}"
    with pytest.raises(sparql.QuerySyntaxError) as info:
        sparql.prepare(text)
    assert (info.value.line, info.value.column) == (3, 3)  # where "?s ?p" starts
    result = CliRunner().invoke(main, ["query", str(seed_store), text])
    assert result.exit_code == 2
    assert "syntax error at line 3, column 3" in result.output
    assert "Traceback" not in result.output


def test_unknown_prefix_is_named():
    with pytest.raises(sparql.QueryError, match=r"unknown prefix ex: in ex:thing"):
        sparql.prepare("SELECT * { ?s a ex:thing }")


def test_prefixes_declared_by_the_query_win():
    prepared = sparql.prepare("PREFIX rg: <http://example.org/mine#>\nSELECT * { ?s a rg:X }")
    assert "PREFIX rg: <https://w3id.org" not in prepared.text
    assert "PREFIX org: <http://www.w3.org/ns/org#>" in prepared.text


# -- parameters ----------------------------------------------------------------------

INJECTION = '" } ; DROP ALL ; INSERT DATA { <http://x/a> <http://x/b> "c" } #'


def test_a_param_value_stays_a_literal_in_process(seed):
    rows = seed.query("SELECT ?v (STR(?v) AS ?text) WHERE { BIND (1 AS ?one) }", v=INJECTION)
    assert rows == [{"v": INJECTION, "text": INJECTION}]


def test_a_param_value_stays_a_literal_in_the_worker(seed_store):
    prepared = sparql.prepare("SELECT ?v ?kind WHERE { BIND (DATATYPE(?v) AS ?kind) }")
    answer = sparql.run_local(seed_store, prepared, {"v": INJECTION})
    rows = json.loads(answer.data)["results"]["bindings"]
    assert rows[0]["v"] == {"type": "literal", "value": INJECTION}
    assert len(Dataset.open(seed_store).query("SELECT * { ?s ?p ?o }")) > 1000  # unchanged


def test_param_rule_ids_iris_strings(seed):
    q = "SELECT ?x WHERE { BIND (1 AS ?one) }"
    base = seed.query("SELECT ?d WHERE { ?d a dcat:Dataset }")[0]["d"]
    assert seed.query(q, x="lapin-liitto")[0]["x"] == base + "lapin-liitto"  # an id
    assert seed.query(q, x='"lapin-liitto"')[0]["x"] == "lapin-liitto"      # quoted: text
    assert seed.query(q, x="<http://example.org/z>")[0]["x"] == "http://example.org/z"
    assert seed.query(q, x="no-such-id")[0]["x"] == "no-such-id"
    kind = seed.query("SELECT ?x (isIRI(?x) AS ?iri) WHERE { BIND (1 AS ?one) }",
                      x="no-such-id")
    assert kind[0]["iri"] is False


def test_param_errors_are_explained(seed):
    with pytest.raises(sparql.QueryError, match=r"no variable \?nope"):
        seed.query("SELECT ?s WHERE { ?s a rg:Project }", nope="x")
    with pytest.raises(sparql.QueryError, match=r"must select \?p"):
        seed.query("SELECT ?s WHERE { ?s a ?p }", p="x")
    with pytest.raises(sparql.QueryError, match="name=value"):
        sparql.parse_params(["novalue"])


def test_dataset_query_forms(seed):
    assert seed.query("ASK { ?p a rg:Project }") is True
    triples = seed.query("CONSTRUCT { ?a skos:prefLabel ?n } WHERE { ?a skos:prefLabel ?n }"
                         " LIMIT 3")
    assert len(triples) == 3 and all(isinstance(t, Triple) for t in triples)
    rows = seed.query("SELECT ?total WHERE { ?f rg:total ?total }")
    assert rows.columns == ["total"] and isinstance(rows[0]["total"], float)


def test_rows_to_frame(seed):
    pd = pytest.importorskip("pandas")
    frame = seed.query("SELECT ?id WHERE { ?p a rg:Project ; dct:identifier ?id }").to_frame()
    assert isinstance(frame, pd.DataFrame) and list(frame.columns) == ["id"]


# -- the timeout ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_store(tmp_path_factory) -> Path:
    """A few thousand triples: a 4-way self-join of them is ~10^14 rows (runs for hours)."""
    p = NamedNode("http://example.org/p")
    triples = [Quad(NamedNode(f"http://example.org/s{i}"), p, Literal(str(i)))
               for i in range(3000)]
    return build_store(triples, tmp_path_factory.mktemp("big") / "big.store", {"dataset": "big"})


RUNAWAY = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f . ?g ?t ?h . "
           "FILTER (?b != ?h) }")


def test_a_runaway_query_is_stopped_and_reported(big_store):
    with pytest.raises(sparql.QueryTimeout, match="stopped after 2 s"):
        sparql.run_local(big_store, sparql.prepare(RUNAWAY), timeout=2)


def test_a_runaway_query_in_the_cli_exits_5(big_store):
    proc = subprocess.run([str(REGIOGRAPH), "query", str(big_store), RUNAWAY, "--timeout", "2"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 5, proc.stderr
    assert "the query was stopped after 2 s" in proc.stderr
    assert "Traceback" not in proc.stderr


# -- output formats -------------------------------------------------------------------

SELECT = "SELECT ?id ?name WHERE { ?a a rg:Area ; dct:identifier ?id ; skos:prefLabel ?name }"


def run_cli(store, *args) -> str:
    result = CliRunner().invoke(main, ["query", str(store), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_json_results(seed_store):
    data = json.loads(run_cli(seed_store, SELECT, "--format", "json"))
    assert data["head"]["vars"] == ["id", "name"]
    assert len(data["results"]["bindings"]) > 30


def test_csv_and_tsv_results(seed_store):
    rows = list(csv.reader(io.StringIO(run_cli(seed_store, SELECT, "--format", "csv"))))
    assert rows[0] == ["id", "name"] and len(rows) > 30
    tsv = run_cli(seed_store, SELECT, "--format", "tsv").splitlines()
    assert tsv[0] == "?id\t?name" and len(tsv) > 30


def test_xml_results(seed_store):
    root = ET.fromstring(run_cli(seed_store, SELECT, "--format", "xml"))
    ns = {"s": "http://www.w3.org/2005/sparql-results#"}
    assert [v.get("name") for v in root.findall("s:head/s:variable", ns)] == ["id", "name"]
    assert len(root.findall("s:results/s:result", ns)) > 30


def test_ask_results(seed_store):
    assert run_cli(seed_store, "ASK { ?p a rg:Project }").split()[-1] == "true"
    assert json.loads(run_cli(seed_store, "ASK { ?p a rg:Nothing }", "--format", "json")) == {
        "head": {}, "boolean": False}


@pytest.mark.parametrize("fmt,rdf", [("turtle", RdfFormat.TURTLE),
                                     ("ntriples", RdfFormat.N_TRIPLES),
                                     ("jsonld", RdfFormat.JSON_LD)])
def test_construct_formats(seed_store, fmt, rdf):
    text = "CONSTRUCT { ?a skos:prefLabel ?n } WHERE { ?a a rg:Area ; skos:prefLabel ?n }"
    out = run_cli(seed_store, text, "--format", fmt)
    assert len(list(parse(out.encode(), format=rdf))) > 30


def test_table_limit(seed_store):
    result = CliRunner().invoke(main, ["query", str(seed_store), SELECT, "--limit", "3"])
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 2 + 3
    assert re.search(r"\(3 of \d+ rows", result.stderr)


def test_a_select_cannot_be_written_as_turtle(seed_store):
    result = CliRunner().invoke(main, ["query", str(seed_store), SELECT, "--format", "turtle"])
    assert result.exit_code == 2 and "gives results" in result.output


def test_query_from_a_file(seed_store, tmp_path):
    f = tmp_path / "mine.rq"
    f.write_text("# my question\nASK { ?p a rg:Project }\n", "utf-8")
    assert run_cli(seed_store, "-f", str(f)).split()[-1] == "true"
