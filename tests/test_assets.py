"""The front end's files in graph/present/assets: present as package resources, valid, inlinable.

The pages carry these files inline, so a syntax error in map.js or a stray closing tag
would only show in a browser; these tests catch both without one.
"""

from __future__ import annotations

import shutil
import subprocess
from importlib import resources

import jinja2
import pytest

from graph.present import assets

ASSETS = resources.files("graph.present") / "assets"
FILES = sorted(p.name for p in ASSETS.iterdir()
               if p.is_file() and not p.name.endswith((".py", ".pyc")))
SCRIPTS = [name for name in FILES if name.endswith(".js")]
#: the assets graph.present.maps and graph.present.report read; each must ship
USED = {"map.html.j2", "map.js", "map.css", "findings.css", "report.css"}


def test_the_assets_the_code_reads_are_package_resources():
    assert USED <= set(FILES)
    for name in FILES:
        text = assets.read(name)
        assert text.strip(), name
        assert text == (ASSETS / name).read_text(encoding="utf-8")


def test_an_unknown_asset_is_an_error():
    with pytest.raises(FileNotFoundError):
        assets.read("no-such-asset.js")


@pytest.mark.parametrize("name", SCRIPTS)
def test_javascript_parses(name):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: `node --check` cannot parse the JavaScript")
    with resources.as_file(ASSETS / name) as path:
        done = subprocess.run([node, "--check", str(path)], capture_output=True, text=True,
                              timeout=60)
    assert done.returncode == 0, done.stderr


def test_there_is_javascript_to_check():
    assert "map.js" in SCRIPTS


@pytest.mark.parametrize("name", [n for n in FILES if n.endswith((".js", ".css"))])
def test_inline_assets_cannot_close_their_element(name):
    # inlined into <script> or <style>: a closing tag inside would end it early
    text = assets.read(name).lower()
    assert "</script" not in text and "</style" not in text


@pytest.mark.parametrize("name", [n for n in FILES if n.endswith(".j2")])
def test_templates_parse(name):
    jinja2.Environment(autoescape=True).parse(assets.read(name))


def test_the_map_page_names_no_other_host():
    page = assets.read("map.html.j2") + assets.read("map.js") + assets.read("map.css")
    assert "<script src" not in page and "<link rel=\"stylesheet\"" not in page
    assert "https://" not in page and "//cdn" not in page
