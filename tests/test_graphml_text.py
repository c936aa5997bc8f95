"""The GraphML export is written directly (issue 17: ~20 s -> ~2 s for the projection of
990 292 triples) and is networkx's text character for character: the seed's and generated
data's projections, and graphs of hostile names and every attribute type."""

from __future__ import annotations

import io

import networkx as nx
import pytest

from graph.dataset import Dataset
from graph.network.projection import flatten, graphml_text
from tests.conftest import SEED


def networkx_text(G) -> str:
    return "\n".join(nx.generate_graphml(G, encoding="utf-8")) + "\n"


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    from graph.synth.generator import write

    folder = tmp_path_factory.mktemp("graphml") / "facts"
    write(folder, 20_000, 5)
    return folder


@pytest.mark.parametrize("which", ["seed", "synth"])
def test_the_projection_is_written_as_networkx_writes_it(which, synth):
    G = flatten(Dataset.open(SEED if which == "seed" else synth).to_networkx())
    assert graphml_text(G) == networkx_text(G)


HOSTILE = ["<img src=x onerror=alert(1)>", 'say "hi" & \'bye\'', "line\nbreak\r\nand\rcr",
           "tab\there", "\x0bvt\x0cff\x1cfs", "nel\x85ls\u2028ps\u2029", "Åsele Čačak 😀",
           "", " ", "]]>", "&amp;"]


@pytest.mark.parametrize("kind", [nx.MultiDiGraph, nx.MultiGraph, nx.DiGraph, nx.Graph])
def test_hostile_text_and_every_type(kind):
    G = kind(dataset="d<&>", lang="fi", count=3)
    for n, text in enumerate(HOSTILE):
        G.add_node(text or f"empty-{n}", label=text, n=n, share=n / 7, flag=n % 2 == 0)
    nodes = list(G)
    for a, b in zip(nodes, nodes[1:], strict=False):
        if G.is_multigraph():
            G.add_edge(a, b, key=f"k{a}", title=a, amount=1.5)
            G.add_edge(a, b, kind="x")
        else:
            G.add_edge(a, b, title=b, amount=2)
    G.add_node("bare")
    assert graphml_text(G) == networkx_text(G)
    back = nx.read_graphml(io.BytesIO(graphml_text(G).encode()))
    assert len(back) == len(G)  # (XML reads control characters in an id as spaces)


def test_defaults_go_through_networkx():
    G = nx.MultiDiGraph(node_default={"kind": "x"})
    G.add_node("a", kind="y")
    assert graphml_text(G) == networkx_text(G)


@pytest.mark.parametrize("which", ["seed", "synth"])
def test_the_file_is_networkx_text(which, synth, tmp_path):
    from graph.network.projection import write_graphml

    G = Dataset.open(SEED if which == "seed" else synth).to_networkx()
    G.nodes[next(iter(G))]["label"] = "<img src=x onerror=alert(1)> Åsele\r\n\x0b"
    path = write_graphml(G, tmp_path / "g.graphml")
    assert path.read_text("ascii") == networkx_text(flatten(G))
