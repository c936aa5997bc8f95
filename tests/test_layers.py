"""The package's layout is the pipeline: one subpackage per stage, data flowing one way.

An AST walk of every module under graph/ (imports inside functions count too) proves:

- no import cycle between modules (computed like the repository's hook: each import,
  relative ones resolved, mapped to the nearest module of the package; a module's
  imports of its own enclosing packages do not count);
- no module imports one of a higher layer (LAYERS, lower first), and graph/base imports
  nothing of the package outside itself;
- no module imports another module's private name (``from graph.x import _y``), and
  neither does bench/run.py;
- each subpackage's public names (``__all__`` of its ``__init__``) are the ones pinned in
  PUBLIC, so that a change to them is deliberate.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "graph"

#: the stages, lower first; a module may import its own layer and those below it.
#: "dataset" is the facade that joins them; the package itself (graph/__init__) is last.
LAYERS = ("base", "model", "loader", "rdf", "export", "importers", "store", "query", "checks",
          "network", "timeline", "present", "synth", "dataset", "diff", PACKAGE)

PUBLIC = {
    "graph": ["Assessment", "CHECKS", "Dataset", "Facts", "Finding", "InvalidDataset",
              "Problem", "Statement", "load", "load_facts"],
    "graph.base": ["Dumper", "dump", "lazy_names", "new_folder", "one_line", "paused_gc",
                   "progress", "write_atomic"],
    "graph.model": ["ACTORS", "FALLBACK", "FORMAT_VERSION", "KIND_SECTION", "PREFIXES",
                    "SECTIONS", "check_files", "check_names", "default_base", "facts_document",
                    "ontology_dir", "ontology_file", "pick", "pick_tag", "slug",
                    "sparql_prologue", "vocabulary"],
    "graph.loader": ["DatasetReader", "Facts", "InvalidDataset", "Problem", "REFERENCE_BASE",
                     "ReferenceError", "SETS", "USES", "YamlError", "canonical_order",
                     "import_areas", "load_facts", "parse_date", "used_entries", "workers_for",
                     "write_areas"],
    "graph.importers": ["Decision", "Mention", "NEAR_THRESHOLD", "Organisation", "Resolution",
                        "ReviewPair", "normalise_name", "read_decisions", "resolve",
                        "write_review"],
    "graph.rdf": ["CLASSES", "GraphReader", "GraphWriter", "KIND_OF_CLASS", "ShaclResult",
                  "from_triples", "to_quads", "to_triples", "validate_shacl"],
    "graph.store": ["COUNTRY", "DERIVED_GRAPH", "ONTOLOGY_GRAPH", "OutdatedStore", "SEATED_AT",
                    "SHOWN_NAME",
                    "build_store", "data_triples", "derive", "is_store", "memory_store",
                    "open_store", "serialize", "store_info"],
    "graph.query": ["EndpointError", "QueryError", "QueryFile", "QuerySyntaxError",
                    "QueryTimeout", "Refused", "RemoteStore", "Rows", "load_folder", "prepare",
                    "push", "query_rows", "run_local", "run_remote"],
    "graph.checks": ["Assessment", "BASES", "CHECKS", "CORROBORATED", "CheckError", "CheckSpec",
                     "Finding", "NOT_CHECKED", "NOT_REPRODUCED", "Statement", "assess",
                     "check_queries", "check_specs", "names", "narrow", "read_statements",
                     "run_checks",
                     "select", "weigh"],
    "graph.network": ["SEATED", "actor_graph", "brokers", "edge_kinds", "flatten", "measures",
                      "tables", "to_networkx", "write_graphml"],
    "graph.present": ["Findings", "Labels", "MapError", "MapPage", "MapTooLarge", "dataset_map",
                      "entities_frame", "notes", "render", "report_html", "report_markdown",
                      "to_json", "write_gexf"],
    "graph.present.assets": ["read"],
    "graph.synth": ["generate", "write"],
}


def _modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    found = {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module named, names imported from it) for every import of a file; relative
    imports resolved against ``name`` (a module of the package, or '' outside it)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            out.append((node.lineno, base, [alias.name for alias in node.names]))
    return out


def _nearest(target: str) -> str | None:
    """The module of the package that ``target`` (a module or a name in one) lies in."""
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


def _edges() -> dict[str, dict[str, int]]:
    """module -> {module of the package it imports: line}, as the repository's hook sees them."""
    edges: dict[str, dict[str, int]] = {m: {} for m in MODULES}
    for m, path in MODULES.items():
        for line, base, names in _imports(m, path):
            for target in [base, *(f"{base}.{n}" for n in names)]:
                t = _nearest(target)
                if t and t != m and not m.startswith(t + "."):
                    edges[m].setdefault(t, line)
    return edges


EDGES = _edges()


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS.index(parts[1] if len(parts) > 1 else PACKAGE)


def test_every_module_has_a_layer():
    """A new subpackage (or a module left at an old flat path) is placed deliberately."""
    stray = [m for m in MODULES if len(m.split(".")) > 1 and m.split(".")[1] not in LAYERS]
    assert stray == []


def test_no_import_cycle():
    G = nx.DiGraph([(m, t) for m, targets in EDGES.items() for t in targets])
    cycles = [sorted(group) for group in nx.strongly_connected_components(G) if len(group) > 1]
    assert cycles == [], "move the shared piece down a layer"


def test_no_module_imports_a_higher_layer():
    upward = [f"{MODULES[m].relative_to(ROOT)}:{line}: {m} ({LAYERS[_layer(m)]}) imports {t} "
              f"({LAYERS[_layer(t)]})"
              for m, targets in EDGES.items() for t, line in targets.items()
              if _layer(t) > _layer(m)]
    assert upward == []


def test_base_imports_nothing_of_the_package():
    reach = [f"{m} imports {t}" for m, targets in EDGES.items() if _layer(m) == 0
             for t in targets if _layer(t) != 0]
    assert reach == []
    assert _layer("graph.base.files") == 0 and "graph.base.files" in MODULES


def _private_imports(name: str, path: Path) -> list[str]:
    found = []
    for line, base, names in _imports(name, path):
        if base != PACKAGE and not base.startswith(PACKAGE + "."):
            continue
        owner = _nearest(base)
        hidden = [p for p in base.split(".") if p.startswith("_") and p != "__init__"]
        hidden += [n for n in names if n.startswith("_") and owner != name]
        if hidden:
            where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            found.append(f"{where}:{line}: from {base} import {hidden}")
    return found


def test_no_module_imports_a_private_name():
    found = [p for m, path in MODULES.items() for p in _private_imports(m, path)]
    found += _private_imports("", ROOT / "bench" / "run.py")
    found += _private_imports("", ROOT / "cli.py")
    assert found == []


def test_the_rules_see_what_they_look_for(tmp_path):
    """The walk resolves relative imports, counts imports inside functions, and sees a
    private name."""
    code = tmp_path / "m.py"
    code.write_text("def f():\n    from ..store.store import _x, open_store\n", "utf-8")
    assert _imports("graph.query.m", code) == [(2, "graph.store.store", ["_x", "open_store"])]
    assert _private_imports("graph.query.m", code) == [
        f"{code}:2: from graph.store.store import ['_x']"]
    assert _layer("graph.store.store") < _layer("graph.query.sparql") < _layer("graph.dataset")


@pytest.mark.parametrize("package", sorted(PUBLIC))
def test_public_names_are_pinned(package):
    module = importlib.import_module(package)
    assert sorted(module.__all__) == PUBLIC[package]
    for name in module.__all__:
        assert getattr(module, name) is not None


def test_every_subpackage_pins_its_public_names():
    packages = {m for m, p in MODULES.items() if p.name == "__init__.py"}
    assert packages == set(PUBLIC)
