"""The regiograph command line: a thin layer over the ``graph`` package.

Exit status: 0 success; 1 invalid dataset (every problem printed on stderr as
``path:line: message``, nothing written); 2 wrong usage (click's own); 3 `check
--strict` found something; 4 a file or folder could not be read or written.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from graph.dataset import EXPORT_FORMATS, RDF_FORMATS, Dataset, build
from graph.facts import InvalidDataset, load_facts


def _fail(exc: InvalidDataset) -> None:
    for problem in exc.problems:
        click.echo(str(problem), err=True)
    click.echo(f"{len(exc.problems)} problem(s) found; nothing was written.", err=True)
    sys.exit(1)


def _open(dataset: str) -> Dataset:
    try:
        return Dataset.open(dataset)
    except InvalidDataset as exc:
        _fail(exc)
        raise  # unreachable: _fail exits


def table(rows: list[dict], columns: list[str] | None = None) -> str:
    """Rows as an aligned plain-text table."""
    if not rows:
        return "(nothing)"
    columns = columns or list(rows[0])
    cells = [[str(r.get(c, "")) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    line = "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
            for row in cells]
    return "\n".join([line.rstrip(), rule, *body])


format_option = click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
    help="table for people, json for programs.",
)


class _Group(click.Group):
    """Turns file-system failures (a folder that cannot be written…) into one line, exit 4."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except OSError as exc:
            where = f" {exc.filename}" if exc.filename else ""
            click.echo(f"error: cannot read or write{where}: {exc.strerror or exc}", err=True)
            sys.exit(4)


@click.group(cls=_Group,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="regiograph")
def main() -> None:
    """regiograph: who is responsible for what in regional development.

    Start with `regiograph validate data/lapland`, then `regiograph build data/lapland`
    and `regiograph info out/lapland.store`.
    """


@main.command()
@click.argument("dataset", type=click.Path())
@click.option("--shacl", is_flag=True,
              help="Also check the built graph against ontology/shapes.ttl.")
def validate(dataset: str, shacl: bool) -> None:
    """Check the facts in DATASET and report every problem.

    DATASET is a folder of *.yaml files in the facts format. Problems go to stderr,
    one per line as path:line: message; the exit status is 0 when the dataset is
    valid and 1 when it is not.
    """
    try:
        facts = load_facts(dataset)
    except InvalidDataset as exc:
        _fail(exc)
    entries = sum(len(v) for v in facts.sections.values())
    if shacl:
        from graph.rdf import to_triples
        from graph.shacl import validate_shacl

        result = validate_shacl(list(to_triples(facts)))
        if not result.conforms:
            click.echo(result.text, err=True)
            click.echo(f"{dataset}: the graph does not conform to the SHACL shapes", err=True)
            sys.exit(1)
        click.echo(f"{dataset}: valid, {entries} entries; the graph conforms to the shapes")
        return
    click.echo(f"{dataset}: valid, {entries} entries in {len(facts.files)} file(s)")


@main.command("build")
@click.argument("dataset", type=click.Path())
@click.option("-o", "--out", default="out", show_default=True, type=click.Path(),
              help="Folder for the store and the exports.")
@format_option
def build_cmd(dataset: str, out: str, fmt: str) -> None:
    """Validate DATASET, build its graph store and write every export.

    Writes OUT/ID.store (an Oxigraph database that other commands reopen), ID.ttl,
    ID.nt, ID.jsonld, ID.graphml, ID-tables/*.csv and ID.facts.yaml (the facts
    rebuilt from the graph). Nothing is written when the dataset is invalid.
    """
    try:
        written = build(dataset, out)
    except InvalidDataset as exc:
        _fail(exc)
    ds = Dataset.open(written["store"][0])
    info = ds.info()
    files = {k: [os.fspath(p) for p in v] for k, v in written.items()}
    if fmt == "json":
        click.echo(json.dumps({"info": info, "written": files}, indent=2, ensure_ascii=False))
        return
    click.echo(f"Built {info['dataset']}: {info['triples']} triples.")
    click.echo(table([{"kind": k, "count": v} for k, v in info["counts"].items()]))
    click.echo("\nWritten:")
    for kind, paths in files.items():
        shown = paths[0] if len(paths) == 1 else f"{Path(paths[0]).parent}/ ({len(paths)} files)"
        click.echo(f"  {kind:9} {shown}")


@main.command("export")
@click.argument("dataset", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="turtle",
              show_default=True, help="What to write.")
@click.option("-o", "--output", type=click.Path(),
              help="File to write (a folder for csv). Without it RDF and YAML go to stdout.")
def export_cmd(dataset: str, fmt: str, output: str | None) -> None:
    """Write DATASET's graph as RDF, GraphML, CSV tables or facts YAML.

    `--format yaml` rebuilds the facts from the RDF graph: loading that file gives
    the same facts as the original dataset. DATASET is a folder of facts YAML (like
    data/lapland) or a store built by `build` (like out/lapland.store).
    """
    ds = _open(dataset)
    if output is None:
        if fmt in ("csv", "graphml"):
            raise click.UsageError(f"--format {fmt} needs -o/--output")
        if fmt == "yaml":
            from graph.export import to_yaml

            click.echo(to_yaml(ds.canonical()), nl=False)
        else:
            sys.stdout.buffer.write(ds.rdf_bytes(fmt))
        return
    for path in ds.export(fmt, output):
        click.echo(f"wrote {path}", err=True)


def _names(values: tuple[str, ...]) -> list[str]:
    return [n for v in values for n in v.split(",") if n]


@main.command()
@click.argument("dataset", type=click.Path(), required=False)
@click.option("--format", "fmt", type=click.Choice(["table", "markdown", "html", "json"]),
              default="table", show_default=True,
              help="table, markdown or html for people (names); json for programs (ids).")
@click.option("--only", multiple=True, metavar="NAME",
              help="Run only this check (repeat, or separate names with commas).")
@click.option("--skip", multiple=True, metavar="NAME", help="Do not run this check (repeatable).")
@click.option("--strict", is_flag=True, help="Exit 3 when there is at least one finding.")
@click.option("--lang", default=None, help="Language of names in people's formats (fi, sv, en…).")
@click.option("--show-query", metavar="NAME", help="Print the SPARQL of check NAME and stop.")
def check(dataset, fmt, only, skip, strict, lang, show_query) -> None:
    """Find overlapping responsibilities and collaboration gaps in DATASET.

    Runs the named checks (see `--show-query NAME` for the SPARQL each one runs):
    overlap.responsibility, overlap.parallel-projects, gap.key-actors-apart,
    gap.priority-without-lead, gap.priority-without-project, gap.unmonitored,
    gap.cross-border-one-sided. Exit status: 0 when the dataset is valid (findings
    or not), 1 when it is invalid, 3 with --strict when anything was found.
    """
    from graph import checks, report

    if show_query:
        queries = checks.check_queries()
        if show_query not in queries:
            raise click.BadParameter(f"unknown check; checks are: {', '.join(queries)}",
                                     param_hint="--show-query")
        click.echo(queries[show_query].text, nl=False)
        return
    if dataset is None:
        raise click.UsageError("Missing argument 'DATASET'.")
    try:
        names = checks.select(_names(only), _names(skip))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--only/--skip") from None
    ds = _open(dataset)
    findings = checks.run_checks(ds.store, names)
    if fmt == "json":
        click.echo(report.to_json(ds.id, findings))
    else:
        name = ds.labels(lang)
        title = f"Findings: {name(ds.id)}"
        render = {"table": lambda: report.to_table(findings, name),
                  "markdown": lambda: report.to_markdown(findings, name, title),
                  "html": lambda: report.to_html(findings, name, title, lang or "en")}[fmt]
        click.echo(render())
    if strict and findings:
        sys.exit(3)


@main.command("report")
@click.argument("dataset", type=click.Path())
@click.option("-o", "--output", default="out/report.html", show_default=True,
              type=click.Path(), help="The HTML page to write; the Markdown goes beside it.")
@click.option("--lang", default=None, help="Language of names (fi, sv, en…); default the "
              "dataset's, then English.")
def report_cmd(dataset: str, output: str, lang: str | None) -> None:
    """Write a planner's report on DATASET: contents, findings, network, sources.

    One self-contained HTML page (OUTPUT) and the same as Markdown (OUTPUT with .md).
    Names are shown in --lang with the fallback: dataset language, English, any.
    """
    from graph import analyses, checks, report
    from graph.store import write_atomic

    ds = _open(dataset)
    findings = checks.run_checks(ds.store)
    measures = analyses.measures(ds.to_networkx(lang=lang))
    info_data = ds.info()
    name = ds.labels(lang)
    html_path = Path(output)
    md_path = html_path.with_suffix(".md")
    write_atomic(html_path, report.report_html(info_data, findings, measures, name,
                                               lang or info_data["lang"]))
    write_atomic(md_path, report.report_markdown(info_data, findings, measures, name))
    click.echo(f"{len(findings)} finding(s). Report written to {html_path} and {md_path}")


@main.command()
@click.argument("dataset", type=click.Path())
@format_option
def info(dataset: str, fmt: str) -> None:
    """What DATASET holds: entries per kind, sources, languages, triples.

    DATASET is a folder of facts YAML (like data/lapland) or a store built by
    `build` (like out/lapland.store).
    """
    data = _open(dataset).info()
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(f"{data['dataset']}: {data['title']}")
    click.echo(f"language {data['lang']}, base {data['base']}, {data['triples']} triples\n")
    click.echo(table([{"kind": k, "count": v} for k, v in data["counts"].items()]))
    click.echo("")
    click.echo(table([{"language": k, "literals": v} for k, v in data["languages"].items()]))
    click.echo("")
    click.echo(table(data["sources"], ["id", "kind", "date", "title"]))


__all__ = ["main", "RDF_FORMATS"]

if __name__ == "__main__":
    main()
