"""The planner's report and the people's formats of `check`: names, escaping, files."""

from __future__ import annotations

from click.testing import CliRunner

from cli import main
from tests.conftest import HEADER, write_dataset

HOSTILE = HEADER + """
sources:
  - {id: s1, title: "<img src=x onerror=alert(1)> report"}
organisations:
  - id: a
    name: {fi: "<script>alert('a')</script>", en: Council A}
    kind: x
  - {id: b, name: "B & *co* `x` | [l](javascript:alert(1))", kind: x}
strategies:
  - {id: s, name: {fi: Strategia, en: Strategy}, kind: strategy, source: s1}
responsibilities:
  - {actor: a, role: lead, for: s, source: s1}
  - {actor: b, role: lead, for: s, source: s1}
"""


def test_report_writes_html_and_markdown_with_names_and_sources(tmp_path):
    data = write_dataset(tmp_path / "d", {"a.yaml": HOSTILE})
    out = tmp_path / "out" / "r.html"
    result = CliRunner().invoke(main, ["report", str(data), "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    page = out.read_text("utf-8")
    md = out.with_suffix(".md").read_text("utf-8")
    assert "Council A and B &amp; *co*" in page and "Strategy" in page
    assert "Overlapping responsibilities" in page and "Sources:" in page
    assert "Brokers" in page and "<h2>Sources</h2>" in page
    assert "Council A" in md and "Strategy" in md


def test_hostile_text_is_escaped_everywhere(tmp_path):
    data = write_dataset(tmp_path / "d", {"a.yaml": HOSTILE})
    out = tmp_path / "r.html"
    assert CliRunner().invoke(main, ["report", str(data), "-o", str(out)]).exit_code == 0
    page = out.read_text("utf-8")
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;" in page and "&lt;img src=x" in page
    html = CliRunner().invoke(main, ["check", str(data), "--format", "html"]).output
    assert "<script>" not in html and "&lt;script&gt;" in html
    md = CliRunner().invoke(main, ["check", str(data), "--format", "markdown"]).output
    assert "<script>" not in md and "\\[l\\](javascript" in md


def test_people_formats_use_names_json_uses_ids(tmp_path):
    data = write_dataset(tmp_path / "d", {"a.yaml": HOSTILE})
    table = CliRunner().invoke(main, ["check", str(data), "--lang", "en"]).output
    assert "Both Council A and B" in table and "Strategy" in table
    raw = CliRunner().invoke(main, ["check", str(data), "--format", "json"]).output
    assert "Both a and b lead s" in raw
