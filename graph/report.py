"""Findings for machines (JSON) and for people (table, Markdown, self-contained HTML)."""

from __future__ import annotations

import json
from collections.abc import Callable
from html import escape

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


CSS = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#222;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
.check{color:#666;font-size:.85rem;font-family:monospace}
li{margin:.4rem 0}.src{color:#555;font-size:.9rem}
.overlap h2{color:#a40000}.gap h2{color:#7a4b00}
"""


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
            parts.append(f"<p>{escape(q.description)}</p>")
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
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1>\n{findings_html(findings, name)}\n</body></html>\n"
    )
