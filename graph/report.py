"""Findings for machines (JSON) and for people (table, Markdown, self-contained HTML)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html import escape

from . import assets
from .checks import CHECKS, Finding, check_queries

Namer = Callable[[str], str]


def to_json(dataset: str, findings: list[Finding]) -> str:
    """The JSON object of CHECKS.md."""
    doc = {"dataset": dataset, "findings": [f.to_dict() for f in findings]}
    return json.dumps(doc, indent=2, ensure_ascii=False)


def _grouped(findings: list[Finding]) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for f in findings:
        out.setdefault(f.check, []).append(f)
    return {c: out[c] for c in CHECKS if c in out} | {
        c: v for c, v in out.items() if c not in CHECKS
    }


def to_table(findings: list[Finding], name: Namer) -> str:
    """Aligned plain text: one block per finding, grouped by check."""
    if not findings:
        return "No findings."
    lines = []
    for check, items in _grouped(findings).items():
        lines.append(f"{check} ({len(items)})")
        for f in items:
            lines.append(f"  - {f.explain(name)}")
            lines.append(f"    sources: {', '.join(name(s) for s in f.sources) or '(none)'}")
        lines.append("")
    return "\n".join(lines).rstrip() + f"\n\n{len(findings)} finding(s)."


def _md(text: str) -> str:
    """Markdown-safe text: characters that would start markup are escaped."""
    for ch in "\\`*_[]<>|#":
        text = text.replace(ch, "\\" + ch)
    return text


def to_markdown(findings: list[Finding], name: Namer, title: str = "Findings") -> str:
    """Markdown: a section per check with its description, a list item per finding."""
    queries = check_queries()
    out = [f"# {_md(title)}", ""]
    if not findings:
        out.append("No findings: no overlaps and no gaps under the checks that ran.")
    for check, items in _grouped(findings).items():
        q = queries.get(check)
        out += [f"## {_md(q.title if q else check)} (`{check}`, {len(items)})", ""]
        if q:
            out += [_md(q.description), ""]
        for f in items:
            srcs = ", ".join(_md(name(s)) for s in f.sources) or "none"
            out.append(f"- {_md(f.explain(name))} *Sources: {srcs}.*")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _code(escaped: str) -> str:
    """`x` in already escaped text -> <code>x</code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)


def findings_html(findings: list[Finding], name: Namer) -> str:
    """The findings as an HTML fragment (every text escaped)."""
    queries = check_queries()
    parts = []
    if not findings:
        parts.append("<p>No findings: no overlaps and no gaps under the checks that ran.</p>")
    for check, items in _grouped(findings).items():
        q = queries.get(check)
        family = "overlap" if check.startswith("overlap.") else "gap"
        parts.append(f'<section class="{family}"><h2>{escape(q.title if q else check)} '
                     f'<span class="check">{escape(check)} · {len(items)}</span></h2>')
        if q:
            parts.append(f"<p>{_code(escape(q.description))}</p>")
        parts.append("<ul>")
        for f in items:
            srcs = ", ".join(escape(name(s)) for s in f.sources) or "none"
            parts.append(f'<li>{escape(f.explain(name))} <span class="src">Sources: {srcs}.'
                         "</span></li>")
        parts.append("</ul></section>")
    return "\n".join(parts)


def to_html(findings: list[Finding], name: Namer, title: str = "Findings",
            lang: str = "en") -> str:
    """A self-contained page (no external resources)."""
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(lang)}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>\n{assets.read('findings.css')}</style>"
        "</head><body>"
        f"<h1>{escape(title)}</h1>\n{findings_html(findings, name)}\n</body></html>\n"
    )


# --------------------------------------------------------------------------- full report


def _measure_lines(m: dict, name: Namer) -> list[tuple[str, list[str]]]:
    """The network measures as (heading, lines of plain text)."""
    b = m["brokers"]
    brokers = [f"{name(x['id'])}: {x['betweenness']:.3f}" for x in b["brokers"]] or [
        "No actor lies between others: no shortest path runs through anyone."]
    if b["method"] != "exact":
        brokers.append(f"Estimated by {b['method']}; each value ±{b['error']:.3f} (95 %).")
    comps = m["components"]
    groups = [", ".join(name(i) for i in c) for c in comps["components"]] or [
        "No two actors share a table."]
    isolated = ", ".join(name(i) for i in comps["isolated"]) or "none"
    border = [
        f"{name(x['id'])}: " + "; ".join(
            f"{c}: {', '.join(name(i) for i in ids) or '(itself)'}"
            for c, ids in x["ties"].items())
        for x in m["cross_border"]
    ] or ["No actor has ties into two countries."]
    tables = []
    for s in m["strategy_tables"]:
        keys = ", ".join(name(a) for a in s["key_actors"])
        tables.append(f"{name(s['strategy'])}: key actors {keys}")
        for meet in s["meet"]:
            a, b2 = meet["pair"]
            tables.append(f"  {name(a)} and {name(b2)} meet at "
                          + ", ".join(name(t) for t in meet["tables"]))
        for a, b2 in s["apart"]:
            tables.append(f"  {name(a)} and {name(b2)} never meet")
    return [
        (f"Brokers (betweenness among {m['actors']} actors, {m['ties']} ties)", brokers),
        ("Groups of actors who share tables", groups + [f"At no table: {isolated}"]),
        ("Actors with ties across a border", border),
        ("Strategy tables: where key actors meet",
         tables or ["No strategy names key actors."]),
    ]


def report_markdown(info: dict, findings: list[Finding], measures: dict, name: Namer) -> str:
    """The planner's report as Markdown: contents, findings by check, sources, measures."""
    out = [f"# {_md(info['title'])}", "",
           f"Dataset `{info['dataset']}`: {info['triples']} triples. "
           + ", ".join(f"{v} {k}" for k, v in info["counts"].items()) + ".", ""]
    body = to_markdown(findings, name, "Findings").splitlines()
    out += ["#" + line if line.startswith("#") else line for line in body]
    out += ["", "## Network", ""]
    for heading, lines in _measure_lines(measures, name):
        out += [f"### {_md(heading)}", ""] + [f"- {_md(x)}" for x in lines] + [""]
    out += ["## Sources", ""]
    for s in info["sources"]:
        out.append(f"- `{s['id']}`: {_md(s['title'])} ({s['kind'] or 'source'}"
                   f"{', ' + str(s['date']) if s['date'] else ''})")
    return "\n".join(out).rstrip() + "\n"


def report_html(info: dict, findings: list[Finding], measures: dict, name: Namer,
                lang: str = "en") -> str:
    """The planner's report as one self-contained HTML page (all text escaped)."""
    counts = "".join(f"<tr><td>{escape(k)}</td><td>{v}</td></tr>"
                     for k, v in info["counts"].items())
    parts = [
        f'<!DOCTYPE html>\n<html lang="{escape(lang)}"><head><meta charset="utf-8">',
        f"<title>{escape(info['title'])}</title><style>\n{assets.read('findings.css')}"
        # rstrip: the page keeps the bytes it had when this rule was written inline
        f"{assets.read('report.css').rstrip()}</style></head><body>",
        f"<h1>{escape(info['title'])}</h1>",
        f"<p>Dataset <code>{escape(info['dataset'])}</code>: {info['triples']} triples.</p>",
        f"<table>{counts}</table>",
        f"<h2>Findings ({len(findings)})</h2>", findings_html(findings, name),
        "<h2>Network</h2>",
    ]
    for heading, lines in _measure_lines(measures, name):
        items = "".join(f"<li>{escape(x)}</li>" for x in lines)
        parts.append(f"<h3>{escape(heading)}</h3><ul>{items}</ul>")
    parts.append("<h2>Sources</h2><ul>")
    for s in info["sources"]:
        when = f", {escape(str(s['date']))}" if s["date"] else ""
        parts.append(f"<li><code>{escape(s['id'])}</code>: {escape(s['title'])} "
                     f"({escape(s['kind'] or 'source')}{when})</li>")
    parts.append("</ul></body></html>\n")
    return "\n".join(parts)
