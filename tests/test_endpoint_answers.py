"""`query --endpoint` reads whatever an endpoint answers as data: an HTML page, JSON of
another shape or broken N-Triples give exit 6 and one line saying what came, never a
traceback (issue 15). The endpoints are local servers on 127.0.0.1, stopped at the end."""

from __future__ import annotations

import http.server
import threading

import pytest
from click.testing import CliRunner

from cli import main

ANSWERS = {
    "html": (b"<html><body>Welcome</body></html>", "text/html"),
    "undeclared-variable": (b'{"head":{"vars":["x"]},"results":{"bindings":'
                            b'[{"y":{"type":"literal","value":"1"}}]}}',
                            "application/sparql-results+json"),
    "other-json": (b'{"hello": "world"}', "application/json"),
    "broken-ntriples": (b"<http://a> <http://b> .\n", "application/n-triples"),
}


@pytest.fixture()
def endpoint():
    servers = []

    def start(body: bytes, ctype: str) -> str:
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/sparql"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("case", ANSWERS)
def test_an_answer_that_is_not_sparql_is_one_line_and_exit_6(endpoint, case):
    url = endpoint(*ANSWERS[case])
    query = ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }" if case == "broken-ntriples"
             else "SELECT ?x WHERE { ?x ?p ?o }")
    result = CliRunner().invoke(main, ["query", "--endpoint", url, query])
    assert result.exit_code == 6, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and url in lines[0] and "is it a SPARQL query endpoint?" in lines[0]
