"""Findings for machines (JSON) and for people (table, Markdown, self-contained HTML)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from html import escape

from ..base.text import md_text, one_line
from ..checks import (
    CORROBORATED,
    NOT_CHECKED,
    NOT_REPRODUCED,
    Assessment,
    Finding,
    Statement,
    check_queries,
    names,
)
from . import assets
from .timeline import timeline_html, timeline_markdown

Namer = Callable[[str], str]


def to_json(dataset: str, findings: list[Finding],
            statements: Iterable[Statement] = ()) -> str:
    """The JSON object of CHECKS.md."""
    doc = Assessment(dataset, list(findings), list(statements)).to_dict()
    return json.dumps(doc, indent=2, ensure_ascii=False)


#: the basis groups people read, in the order shown: what a document states first
BASIS_HEADINGS = {
    "stated": ("Stated by a source",
               "A document of the dataset says this itself; its words are quoted below each "
               "finding."),
    "recorded": ("Recorded overlaps",
                 "Found among the recorded facts: two actors or projects recorded for the "
                 "same work."),
    "unrecorded": ("Not recorded",
                   "Found where a fact is missing: nobody is recorded leading, monitoring, "
                   "implementing or meeting. That may mean the work is not done, or only that "
                   "no source the dataset holds says who does it."),
}
#: the group of an advisory check's findings (hints ranked by a score), after the bases
ADVISORY = "advisory"
ADVISORY_HEADING = (
    "Advisory: projects that look alike",
    "Hints, not findings of the seven checks: projects whose names and descriptions are "
    "alike, in intersecting areas and periods, highest score first (0-1), each with what "
    "is alike. Read both projects before concluding that the same work is done twice; "
    "`check --strict` does not count them unless the check is named with --only.")
UNSHOWN = ("Complaints of the documents that the checks do not find in the data: no check "
           "tests them, the data lacks the facts a check needs, or it holds facts that "
           "disagree.")
STATUS_WORDS = {NOT_REPRODUCED: "not reproduced by the data", NOT_CHECKED: "no check tests it"}


def _grouped(findings: list[Finding]) -> dict[str, list[Finding]]:
    """Findings by check, in report order."""
    out: dict[str, list[Finding]] = {}
    for f in findings:
        out.setdefault(f.check, []).append(f)
    order = names()
    return {c: out[c] for c in order if c in out} | {
        c: v for c, v in out.items() if c not in order
    }


def by_basis(findings: list[Finding]) -> dict[str, dict[str, list[Finding]]]:
    """Findings by basis (stated, recorded, unrecorded; empty ones left out), then by
    check in CHECKS order."""
    groups = {basis: [f for f in findings if f.basis == basis and not f.advisory]
              for basis in BASIS_HEADINGS}
    other = [f for f in findings if f.basis not in BASIS_HEADINGS and not f.advisory]
    if other:  # not weighed
        groups[""] = other
    groups[ADVISORY] = [f for f in findings if f.advisory]  # apart, last, whatever basis
    return {basis: _grouped(items) for basis, items in groups.items() if items}


def _heading(basis: str) -> tuple[str, str]:
    if basis == ADVISORY:
        return ADVISORY_HEADING
    return BASIS_HEADINGS.get(basis, ("Findings", ""))


def uncorroborated(statements: Iterable[Statement]) -> list[Statement]:
    """The statements no finding matches, in dataset order."""
    return [st for st in statements if st.status != CORROBORATED]


def _status(st: Statement, name: Namer) -> str:
    """'says gap.x about A: not reproduced by the data. Why.' for people."""
    about = ", ".join(name(i) for i in st.about)
    what = f"about {about}: " if st.says == "other" else f"says {st.says} about {about}: "
    words = STATUS_WORDS.get(st.status, st.status)
    why = st.why(name)
    return f"{what}{words}." + (f" {why}" if why else "")


def to_table(findings: list[Finding], name: Namer, statements: Iterable[Statement] = ()) -> str:
    """Aligned plain text: findings grouped by basis, then by check; then the statements
    that no finding shows."""
    lines: list[str] = []
    if not findings:
        lines.append("No findings.")
    for basis, checks in by_basis(findings).items():
        heading, meaning = _heading(basis)
        lines += [f"{heading.upper()} ({sum(map(len, checks.values()))})", meaning, ""]
        for check, items in checks.items():
            lines.append(f"{check} ({len(items)})")
            for f in items:
                lines.append(f"  - {f.explain(name)}")
                for quote in f.statements:
                    lines.append(f"    “{quote}”")
                lines.append(f"    sources: {', '.join(name(s) for s in f.sources) or '(none)'}")
            lines.append("")
    rest = uncorroborated(statements)
    if rest:
        lines += [f"WHAT THE SOURCES SAY THAT NO FINDING SHOWS ({len(rest)})", UNSHOWN, ""]
        for st in rest:
            lines.append(f"  - “{st.quote}”")
            lines.append(f"    {', '.join(name(s) for s in st.source)}; {_status(st, name)}")
            if st.note:
                lines.append(f"    note: {st.note}")
        lines.append("")
    # names, quotes and notes are untrusted: one printable line each on a terminal
    return "\n".join(map(one_line, lines)).rstrip() + f"\n\n{len(findings)} finding(s)."


def _targets(items: list[Finding], notes: dict[str, str]) -> list[str]:
    """The targets of ``items`` that carry a note, in the order first met."""
    return [t for t in dict.fromkeys(f.target for f in items) if t in notes]


def to_markdown(findings: list[Finding], name: Namer, title: str = "Findings",
                statements: Iterable[Statement] = (), notes: dict[str, str] | None = None
                ) -> str:
    """Markdown: a section per basis, a subsection per check with its description, a list
    item per finding (quotes beside stated ones); then the statements no finding shows."""
    queries = check_queries()
    out = [f"# {md_text(title)}", ""]
    if not findings:
        out += ["No findings: no overlaps and no gaps under the checks that ran.", ""]
    for basis, checks in by_basis(findings).items():
        heading, meaning = _heading(basis)
        out += [f"## {md_text(heading)} ({sum(map(len, checks.values()))})", "",
                md_text(meaning), ""]
        for check, items in checks.items():
            q = queries.get(check)
            out += [f"### {md_text(q.title if q else check)} (`{check}`, {len(items)})", ""]
            if q:
                out += [md_text(q.description), ""]
            for f in items:
                srcs = ", ".join(md_text(name(s)) for s in f.sources) or "none"
                out.append(f"- {md_text(f.explain(name))} *Sources: {srcs}.*")
                for quote in f.statements:
                    out.append(f"  > “{md_text(quote)}”")
            out.append("")
            for target in _targets(items, notes or {}):
                out += [f"*Note on {md_text(name(target))}:* {md_text(notes[target])}", ""]
    rest = uncorroborated(statements)
    if rest:
        out += [f"## What the sources say that no finding shows ({len(rest)})", "",
                md_text(UNSHOWN), ""]
        for st in rest:
            srcs = ", ".join(md_text(name(s)) for s in st.source)
            out.append(f"- “{md_text(st.quote)}” ({srcs}) {md_text(_status(st, name))}")
            if st.note:
                out.append(f"  *Note:* {md_text(st.note)}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _code(escaped: str) -> str:
    """`x` in already escaped text -> <code>x</code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)


_BADGE = {"stated": "stated by a source", "recorded": "recorded", "unrecorded": "not recorded"}


def findings_html(findings: list[Finding], name: Namer,
                  statements: Iterable[Statement] = (), level: int = 2,
                  notes: dict[str, str] | None = None) -> str:
    """The findings as an HTML fragment (every text escaped): a section per basis, the
    quotes beside stated findings, then the statements that no finding shows. Basis
    headings are ``<h{level}>``, checks one level below."""
    queries = check_queries()
    h, h2 = f"h{level}", f"h{level + 1}"
    parts = []
    if not findings:
        parts.append("<p>No findings: no overlaps and no gaps under the checks that ran.</p>")
    for basis, checks in by_basis(findings).items():
        heading, meaning = _heading(basis)
        count = sum(map(len, checks.values()))
        parts.append(f'<div class="basis basis-{escape(basis or "none")}">'
                     f'<{h}>{escape(heading)} <span class="count">{count}</span></{h}>'
                     f'<p class="meaning">{escape(meaning)}</p>')
        for check, items in checks.items():
            q = queries.get(check)
            family = "overlap" if q and q.fields.get("basis", "").startswith("recorded") \
                else "gap"
            parts.append(f'<section class="{family}"><{h2}>{escape(q.title if q else check)} '
                         f'<span class="check">{escape(check)} · {len(items)}</span></{h2}>')
            if q:
                parts.append(f'<p class="about">{_code(escape(q.description))}</p>')
            parts.append("<ul>")
            for f in items:
                badge = _BADGE.get(f.basis, f.basis)
                srcs = ", ".join(escape(name(s)) for s in f.sources) or "none"
                quotes = "".join(f"<blockquote>{escape(q)}</blockquote>" for q in f.statements)
                parts.append(f'<li><span class="badge {escape(f.basis)}">{escape(badge)}</span> '
                             f"{escape(f.explain(name))}{quotes} "
                             f'<span class="src">Sources: {srcs}.</span></li>')
            parts.append("</ul>")
            # how the data reads the target: where a finding is only an artefact of what
            # the sources leave out, its note says so
            for target in _targets(items, notes or {}):
                parts.append(f'<details class="note"><summary>Note on '
                             f"{escape(name(target))}</summary>{escape(notes[target])}"
                             "</details>")
            parts.append("</section>")
        parts.append("</div>")
    rest = uncorroborated(statements)
    if rest:
        parts.append(f'<div class="basis statements"><{h}>What the sources say that no finding '
                     f'shows <span class="count">{len(rest)}</span></{h}>'
                     f'<p class="meaning">{escape(UNSHOWN)}</p><ul>')
        for st in rest:
            srcs = ", ".join(escape(name(s)) for s in st.source)
            note = f'<p class="note">{escape(st.note)}</p>' if st.note else ""
            parts.append(f'<li><blockquote>{escape(st.quote)}</blockquote>'
                         f'<span class="src">{srcs}</span>; {escape(_status(st, name))}'
                         f"{note}</li>")
        parts.append("</ul></div>")
    return "\n".join(parts)


def to_html(findings: list[Finding], name: Namer, title: str = "Findings",
            lang: str = "en", statements: Iterable[Statement] = (),
            notes: dict[str, str] | None = None) -> str:
    """A self-contained page (no external resources)."""
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(lang)}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>\n{assets.read('findings.css')}</style>"
        "</head><body>"
        f"<h1>{escape(title)}</h1>\n{findings_html(findings, name, statements, 2, notes)}\n"
        "</body></html>\n"
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


def summary(findings: list[Finding], statements: Iterable[Statement]) -> str:
    """'27 findings: 1 stated by a source, 26 not recorded. 8 statements of the sources
    no finding shows.' (plain text)"""
    hints = sum(f.advisory for f in findings)
    counts = [(len([f for f in findings if f.basis == b and not f.advisory]), _BADGE[b])
              for b in BASIS_HEADINGS]
    parts = ", ".join(f"{n} {words}" for n, words in counts if n)
    text = f"{len(findings) - hints} finding(s)" + (f": {parts}." if parts else ".")
    if hints:
        text += f" {hints} advisory hint(s): projects that look alike."
    rest = len(uncorroborated(statements))
    if rest:
        text += f" {rest} statement(s) of the sources that no finding shows."
    return text


def report_markdown(info: dict, findings: list[Finding], measures: dict, name: Namer,
                    statements: Iterable[Statement] = (),
                    notes: dict[str, str] | None = None, as_of: str | None = None,
                    timeline: dict | None = None) -> str:
    """The planner's report as Markdown: contents, findings by basis and check (quotes
    beside stated ones), the statements no finding shows, the timeline (findings and
    ties per year, graph.timeline), sources, measures; ``as_of`` says first which date
    the facts are of (graph.loader.asof.AsOf.summary)."""
    statements = list(statements)
    out = [f"# {md_text(info['title'])}", ""]
    if as_of:
        out += [f"*{md_text(as_of)}*", ""]
    out += [
           f"Dataset `{info['dataset']}`: {info['triples']} triples. "
           + ", ".join(f"{v} {k}" for k, v in info["counts"].items()) + ".", "",
           md_text(summary(findings, statements)), ""]
    body = to_markdown(findings, name, "Findings", statements, notes).splitlines()
    out += ["#" + line if line.startswith("#") else line for line in body]
    if timeline is not None:
        out += ["", "## Timeline", "", *timeline_markdown(timeline)]
    out += ["", "## Network", ""]
    for heading, lines in _measure_lines(measures, name):
        out += [f"### {md_text(heading)}", ""] + [f"- {md_text(x)}" for x in lines] + [""]
    out += ["## Sources", ""]
    for s in info["sources"]:
        out.append(f"- `{s['id']}`: {md_text(s['title'])} ({s['kind'] or 'source'}"
                   f"{', ' + str(s['date']) if s['date'] else ''})")
    return "\n".join(out).rstrip() + "\n"


def report_html(info: dict, findings: list[Finding], measures: dict, name: Namer,
                lang: str = "en", statements: Iterable[Statement] = (),
                notes: dict[str, str] | None = None, as_of: str | None = None,
                timeline: dict | None = None, overview: str | None = None) -> str:
    """The planner's report as one self-contained HTML page (all text escaped);
    ``as_of`` says under the title which date the facts are of; ``timeline``
    (graph.timeline) adds findings and ties per year, a picture and a table;
    ``overview`` is the overview map's picture (an ``<svg>`` element made by
    graph.present.picture, whose names are escaped text), or a sentence saying why
    there is none, shown first under Network."""
    statements = list(statements)
    counts = "".join(f"<tr><td>{escape(k)}</td><td>{v}</td></tr>"
                     for k, v in info["counts"].items())
    parts = [
        f'<!DOCTYPE html>\n<html lang="{escape(lang)}"><head><meta charset="utf-8">',
        f"<title>{escape(info['title'])}</title><style>\n{assets.read('findings.css')}"
        # rstrip: the page keeps the bytes it had when this rule was written inline
        f"{assets.read('report.css').rstrip()}</style></head><body>",
        f"<h1>{escape(info['title'])}</h1>",
        *([f'<p class="as-of">{escape(as_of)}</p>'] if as_of else []),
        f"<p>Dataset <code>{escape(info['dataset'])}</code>: {info['triples']} triples.</p>",
        f"<table>{counts}</table>",
        f"<h2>Findings ({len(findings)})</h2>",
        f'<p class="summary">{escape(summary(findings, statements))}</p>',
        findings_html(findings, name, statements, level=3, notes=notes),
        *(["<h2>Timeline</h2>", timeline_html(timeline)] if timeline is not None else []),
        "<h2>Network</h2>",
    ]
    if overview:
        parts.append(f'<div class="overview">{overview}</div>' if overview.startswith("<svg")
                     else f'<p class="overview">{escape(overview)}</p>')
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
