"""The regiograph command line: a thin layer over the ``graph`` package.

Exit status: 0 success; 1 invalid dataset (every problem printed on stderr as
``path:line: message``, nothing written); 2 wrong usage (click's own); 3 `check
--strict` found something; 4 a file or folder could not be read or written; 5 a query
ran past its timeout; 6 a remote SPARQL endpoint failed; 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from graph.base.files import FolderBusy, folder_lock
from graph.base.gcpause import frozen_stages
from graph.dataset import EXPORT_FORMATS, RDF_FORMATS, Dataset, OutputInDataset, building
from graph.loader.facts import InvalidDataset, load_facts
from graph.model.schema import CheckError
from graph.store import OutdatedStore
from graph.store.store import is_store

#: seconds that report, map and export wait for another regiograph writing into their
#: output folder (a build holds it for as long as it runs), before exit 4
WRITE_WAIT = 30.0


def _fail(exc: InvalidDataset) -> None:
    for problem in exc.problems:
        click.echo(str(problem), err=True)
    if sys.stderr.isatty():  # for a person; a program reading stderr gets only the problems
        click.echo(f"{len(exc.problems)} problem(s) found; nothing was written.", err=True)
    sys.exit(1)


def _open(dataset: str) -> Dataset:
    try:
        return Dataset.open(dataset)
    except InvalidDataset as exc:
        _fail(exc)
        raise  # unreachable: _fail exits


def _login_options(f):
    """--user and --netrc: the login for an endpoint (graph.query.connection)."""
    f = click.option("--netrc", "netrc_file", type=click.Path(dir_okay=False), default=None,
                     help="Read the endpoint host's login from this netrc file (default: "
                     "$NETRC, else ~/.netrc, when --user is not given).")(f)
    return click.option("--user", metavar="NAME", default=None,
                        help="Log in to the endpoint as NAME (HTTP basic or digest); the "
                        "password comes from REGIOGRAPH_PASSWORD, or is asked for at a "
                        "terminal (never on the command line).")(f)


def _login(url: str, user: str | None, netrc_file: str | None):
    """The Login for ``url`` from --user/--netrc (None: no login)."""
    from graph.query.connection import login_for

    ask = None
    if sys.stdin.isatty():
        def ask(prompt: str) -> str:
            return click.prompt(prompt, hide_input=True, err=True)
    return login_for(url, user, netrc_file=netrc_file, ask=ask)


def _endpoint_options(f):
    """--endpoint, --graph, --user and --netrc: the commands that read a dataset can read
    one that `push` wrote to a shared store."""
    f = _login_options(f)
    f = click.option("--graph", "graph_iri", metavar="IRI", default=None,
                     help="With --endpoint: the graph `push` wrote (sent as "
                     "default-graph-uri; its derived facts are read from their own graph). "
                     "Default: the endpoint's default graph.")(f)
    return click.option("--endpoint", metavar="URL", default=None,
                        help="Read the dataset from a SPARQL 1.1 query endpoint (like "
                        "http://127.0.0.1:8890/sparql) instead of DATASET.")(f)


def _open_from(dataset: str | None, endpoint: str | None, graph_iri: str | None,
               user: str | None, netrc_file: str | None) -> Dataset:
    """DATASET, or the dataset at --endpoint (exactly one of them)."""
    if endpoint is None:
        if graph_iri or user or netrc_file:
            raise click.UsageError("--graph, --user and --netrc go with --endpoint URL")
        if dataset is None:
            raise click.UsageError("Missing argument 'DATASET' (or give --endpoint URL).")
        return _open(dataset)
    if dataset is not None:
        raise click.UsageError("give DATASET or --endpoint URL, not both")
    return Dataset.remote(endpoint, graph_iri, login=_login(endpoint, user, netrc_file))


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


def _own_process() -> bool:
    """True when this process is the command (`regiograph …`, `python cli.py …`), not a
    longer-lived one that calls it (the tests' CliRunner, a notebook)."""
    return Path(sys.argv[0]).name in ("regiograph", "cli.py")


class _Group(click.Group):
    """Turns file-system failures (a folder that cannot be written…) into one line, exit 4,
    and Ctrl-C into one line, exit 130 (128 + SIGINT, as a shell reports it)."""

    def invoke(self, ctx: click.Context):
        import signal

        from graph.query.connection import LoginError
        from graph.query.sparql import QueryError

        # SIGTERM and SIGHUP end the command through SystemExit, so that `finally`
        # blocks run: workers and servers stopped, temporary folders removed
        previous = {}
        for sig in (signal.SIGTERM, signal.SIGHUP):
            try:
                previous[sig] = signal.signal(sig, lambda n, _f: sys.exit(128 + n))
            except ValueError:  # not the main thread: leave the handlers alone
                break
        try:
            # what a command loads lives until it ends: the collector need not walk it
            # (a command run by the tests, in their process, gives it back at its end)
            with frozen_stages(unfreeze=not _own_process()):
                return super().invoke(ctx)
        except KeyboardInterrupt:  # the `finally` blocks on the way up have run
            click.echo(("\n" if sys.stderr.isatty() else "") + "interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:  # `regiograph … | head`: the reader left; say nothing
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except FolderBusy as exc:  # another build writes there
            click.echo(f"error: {exc}", err=True)
            sys.exit(4)
        except OSError as exc:
            where = f" {exc.filename}" if exc.filename else ""
            click.echo(f"error: cannot read or write{where}: {exc.strerror or exc}", err=True)
            sys.exit(4)
        except CheckError as exc:  # a check file of one's own that cannot be used
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        except OutdatedStore as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(4)
        except LoginError as exc:  # --user without a password, a netrc file unreadable
            click.echo(f"Error: {exc}", err=True)
            sys.exit(2)
        except QueryError as exc:  # a remote store (--endpoint) that failed: exit 6
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


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
        from graph.rdf.mapping import to_triples
        from graph.rdf.shacl import validate_shacl

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
@click.option("--csv-raw", is_flag=True, help="Write the tables' cells as they are, also "
              "those a spreadsheet would run as a formula (=, +, -, @…; by default they "
              "get a ' in front).")
@format_option
def build_cmd(dataset: str, out: str, fmt: str, csv_raw: bool) -> None:
    """Validate DATASET, build its graph store and write every export.

    Writes OUT/ID.store (an Oxigraph database that other commands reopen), ID.ttl,
    ID.nt, ID.jsonld, ID.graphml, ID-tables/*.csv and ID.facts.yaml (the facts
    rebuilt from the graph). Nothing is written when the dataset is invalid, nor
    when OUT is inside DATASET (exit 2: its files would be read as facts). One build
    at a time writes into OUT: while another does, build stops at once (exit 4,
    naming the folder and the other's pid). The store and the exports are published
    together: each name is a link into the hidden folder of the latest whole build
    (OUT/.ID.current), so a killed build leaves the previous set as it was.
    """
    try:
        with building(dataset, out, csv_raw=csv_raw) as (ds, written):
            info = ds.info()  # while no other build can replace the store
    except InvalidDataset as exc:
        _fail(exc)
    except OutputInDataset as exc:
        raise click.UsageError(str(exc)) from None
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
@click.option("--csv-raw", is_flag=True, help="With --format csv: write cells as they are, "
              "also those a spreadsheet would run as a formula (=, +, -, @…; by default "
              "they get a ' in front).")
def export_cmd(dataset: str, fmt: str, output: str | None, csv_raw: bool) -> None:
    """Write DATASET's graph as RDF, GraphML, CSV tables, facts YAML or a workbook.

    `--format yaml` rebuilds the facts from the RDF graph: loading that file gives
    the same facts as the original dataset. `--format xlsx -o FILE` writes the
    planner's workbook (one sheet per table; it imports back to the same facts).
    DATASET is a folder of facts YAML (like data/lapland) or a store built by
    `build` (like out/lapland.store).
    """
    if csv_raw and fmt != "csv":
        raise click.UsageError("--csv-raw goes with --format csv")
    ds = _open(dataset)
    if output is None:
        if fmt in ("csv", "graphml", "gexf", "xlsx"):
            raise click.UsageError(f"--format {fmt} needs -o/--output")
        if fmt == "yaml":
            from graph.export import to_yaml

            click.echo(to_yaml(ds.canonical()), nl=False)
        else:
            sys.stdout.buffer.write(ds.rdf_bytes(fmt))
        return
    with folder_lock(Path(output).parent, wait=WRITE_WAIT):
        written = ds.export(fmt, output, csv_raw=csv_raw)
    for path in written:
        click.echo(f"wrote {path}", err=True)


def _date(ctx, param, value: str | None) -> str | None:
    """A bad --as-of is a usage error before any dataset is read."""
    if value is not None:
        from graph.loader.asof import AsOfError, as_of_span

        try:
            as_of_span(value)
        except AsOfError as exc:
            raise click.BadParameter(str(exc)) from None
    return value


as_of_option = click.option(
    "--as-of", "as_of", metavar="DATE", callback=_date,
    help="Only the facts whose period holds DATE (2008, 2008-11 or 2008-11-06), and what "
         "depends on nothing left out; facts without a period count and are counted "
         "(taken on trust). See docs/time.md.")


def _open_as_of(ds: Dataset, as_of: str | None):
    """The dataset, or the dataset as of --as-of: the dataset and the AsOf (None without
    it)."""
    return ds.as_of(as_of) if as_of is not None else (ds, None)


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
@click.option("--basis", "bases", multiple=True, metavar="BASIS",
              help="Show only findings that rest on BASIS: recorded, unrecorded or stated "
                   "(repeat, or separate with commas).")
@click.option("--strict", is_flag=True, help="Exit 3 when there is at least one finding "
              "(of those shown, when --basis filters; an advisory check's findings only "
              "when it is named with --only).")
@click.option("--lang", default=None, help="Language of names in people's formats (fi, sv, en…).")
@click.option("--show-query", metavar="NAME", help="Print the SPARQL of check NAME and stop.")
@as_of_option
@_endpoint_options
def check(dataset, fmt, only, skip, bases, strict, lang, show_query, as_of, endpoint,
          graph_iri, user, netrc_file) -> None:
    """Find overlapping responsibilities and collaboration gaps in DATASET.

    Runs every check of ontology/checks/ (and of the folders in REGIOGRAPH_CHECKS):
    `regiograph queries` lists them, `--show-query NAME` prints the SPARQL one runs.
    Each finding says what it rests on: recorded facts
    (overlaps), the absence of a recorded fact (gaps: unrecorded), or a statement of
    the dataset that says the same (stated). The dataset's statements are listed with
    their status: corroborated, not-reproduced or not-checked. Exit status: 0 when the
    dataset is valid (findings or not), 1 when it is invalid, 3 with --strict when
    anything was found. An advisory check (overlap.similar-projects: projects whose
    names and descriptions are alike, with a score and what is alike) is shown apart and
    counts for --strict only when named with --only.
    """
    from graph import checks
    from graph.present import report

    if show_query:
        queries = checks.check_queries()
        if show_query not in queries:
            raise click.BadParameter(f"unknown check; checks are: {', '.join(queries)}",
                                     param_hint="--show-query")
        click.echo(queries[show_query].text, nl=False)
        return
    if dataset is None and endpoint is None:
        raise click.UsageError("Missing argument 'DATASET' (or give --endpoint URL).")
    try:
        checks.select(_names(only), _names(skip))  # unknown names: before anything is read
    except CheckError:
        raise  # a check file that cannot be used: one line, exit 2 (_Group)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--only/--skip") from None
    wanted = _names(bases)
    for basis in wanted:
        if basis not in checks.BASES:
            raise click.BadParameter(f"unknown basis {basis!r}; choose from "
                                     f"{', '.join(checks.BASES)}", param_hint="--basis")
    ds, when = _open_as_of(_open_from(dataset, endpoint, graph_iri, user, netrc_file), as_of)
    # the same checks as `names`; on a built store read from what build kept
    assessment = ds.assess(_names(only), _names(skip))
    if wanted:
        assessment.findings = [f for f in assessment.findings if f.basis in wanted]
    findings = assessment.findings
    if fmt == "json":
        text = report.to_json(assessment.dataset, findings, assessment.statements)
        if when is not None:  # what was left out and taken on trust, beside the findings
            text = json.dumps({**json.loads(text), **when.to_dict()}, indent=2,
                              ensure_ascii=False)
        click.echo(text)
    else:
        name = ds.labels(lang)
        title = f"Findings: {name(ds.id)}"
        said, notes = assessment.statements, ds.notes()
        render = {"table": lambda: report.to_table(findings, name, said),
                  "markdown": lambda: report.to_markdown(findings, name, title, said, notes),
                  "html": lambda: report.to_html(findings, name, title, lang or "en",
                                                 said, notes)}[fmt]
        text = render()
        if when is not None:  # said first: the findings rest on the facts of that date
            from html import escape

            from graph.base.text import md_text

            said_when = when.summary()
            text = {"table": lambda: f"{said_when}\n\n{text}",
                    "markdown": lambda: f"*{md_text(said_when)}*\n\n{text}",
                    "html": lambda: text.replace(
                        "</h1>", f'</h1>\n<p class="as-of">{escape(said_when)}</p>', 1),
                    }[fmt]()
        click.echo(text)
    named = set(_names(only))  # an advisory check counts for --strict only when named
    if strict and any(not f.advisory or f.check in named for f in findings):
        sys.exit(3)


@main.command("report")
@click.argument("dataset", type=click.Path(), required=False)
@click.option("-o", "--output", default="out/report.html", show_default=True,
              type=click.Path(), help="The HTML page to write; the Markdown goes beside it.")
@click.option("--lang", default=None, help="Language of names (fi, sv, en…); default the "
              "dataset's, then English.")
@as_of_option
@_endpoint_options
def report_cmd(dataset: str | None, output: str, lang: str | None, as_of: str | None,
               endpoint, graph_iri, user, netrc_file) -> None:
    """Write a planner's report on DATASET: contents, findings, network, sources.

    One self-contained HTML page (OUTPUT) and the same as Markdown (OUTPUT with .md).
    Names are shown in --lang with the fallback: dataset language, English, any.
    """
    from graph.base.files import write_atomic
    from graph.present import report

    whole = _open_from(dataset, endpoint, graph_iri, user, netrc_file)
    ds, when = whole.as_of(as_of) if as_of is not None else (whole, None)
    said_when = when.summary() if when is not None else None
    # a built store: the findings and the measures are read from what build kept (the
    # measures' own labels are not shown: names come from `name`, in --lang)
    assessment = ds.assess()
    findings, said = assessment.findings, assessment.statements
    measures = ds.measures()
    info_data = ds.info()
    name = ds.labels(lang)
    html_path = Path(output)
    md_path = html_path.with_suffix(".md")
    notes = ds.notes()
    # the whole dataset's years (on a built store: what build kept), the date marked
    years = whole.timeline()
    if when is not None:
        years = {**years, "marked": int(when.date[:4])}
    page = report.report_html(info_data, findings, measures, name, lang or info_data["lang"],
                              said, notes, said_when, years, ds.overview_picture())
    text = report.report_markdown(info_data, findings, measures, name, said, notes, said_when,
                                  years)
    with folder_lock(html_path.parent, wait=WRITE_WAIT):  # the two files of one report
        write_atomic(html_path, page)
        write_atomic(md_path, text)
    click.echo(f"{report.summary(findings, said)} Report written to {html_path} and {md_path}")


@main.command("map")
@click.argument("dataset", type=click.Path(), required=False)
@click.option("-o", "--output", default="out/map.html", show_default=True, type=click.Path(),
              help="The HTML page to write (one self-contained file).")
@click.option("--view", type=click.Choice(["actors", "strategy", "ego", "cross-border",
                                           "findings", "overview"]), default="actors",
              show_default=True, help="What to draw.")
@click.option("--group", type=click.Choice(["community", "area", "strategy"]),
              default="community", show_default=True,
              help="How --view overview groups the actors: network communities, areas or "
              "strategies.")
@click.option("--id", "ident", metavar="ID", help="The strategy (--view strategy) or the "
              "entity at the centre (--view ego).")
@click.option("--depth", type=click.IntRange(min=0), default=1, show_default=True,
              help="Steps from --id that --view ego shows.")
@click.option("--lang", type=click.Choice(["fi", "sv", "en", "se"]), default=None,
              help="Language of names; default the dataset's, then English, then any.")
@click.option("--color", type=click.Choice(["kind", "country"]), default=None,
              help="Colour nodes by kind or by country (default: country for "
              "cross-border, else kind; the page can switch).")
@click.option("--size", type=click.Choice(["degree", "funding"]), default="degree",
              show_default=True, help="Size nodes by their number of ties or by funding.")
@click.option("--layout", "layout", type=click.Path(dir_okay=False), default=None,
              help="Keep positions in this CSV file (id,x,y): nodes in it stay where they "
              "are, new ones are placed near their neighbours and added to it. Default: "
              "the dataset's layout.csv when it has one (read, not changed).")
@click.option("--format", "fmt", type=click.Choice(["html", "svg", "png"]), default=None,
              help="html: the interactive page; svg or png: a static picture with the same "
              "layout, legend and title. Default: from OUTPUT's suffix, else html.")
@as_of_option
@_endpoint_options
def map_cmd(dataset, output, view, group, ident, depth, lang, color, size, layout,
            fmt, as_of, endpoint, graph_iri, user, netrc_file) -> None:
    """Write an interactive network map of DATASET: one HTML file that opens offline.

    Views: actors (organisations and people, tied by posts and shared networks,
    projects and events), strategy --id ID (a strategy, its priorities, projects,
    responsible and key actors), ego --id ID --depth N (one entity's neighbourhood),
    cross-border (ties across the FI/SE/NO borders), findings (what the checks flagged:
    overlaps red, gap pairs dashed), overview --group community|area|strategy (the
    actors grouped, each group with its counts and findings; a click opens a group).
    The page has a legend, search, filters by kind,
    country, strategy and check, tooltips with roles, periods, money and sources, and
    (actors, strategy, ego, cross-border) a year slider: each year as --as-of draws it.
    Positions are computed when the page is written (seeded: the same facts give the
    same picture) or kept in a layout file (--layout). Up to 3 000 nodes the page draws
    with vis-network, above with WebGL (sigma.js); at most 60 000 nodes: larger views
    are refused (exit 2); choose a narrower one.
    """
    from graph.present.maps import MapError, MissingId

    if fmt is None:
        suffix = Path(output).suffix.lower().lstrip(".")
        fmt = suffix if suffix in ("svg", "png") else "html"
    whole = _open_from(dataset, endpoint, graph_iri, user, netrc_file)
    ds, when = _open_as_of(whole, as_of)  # on the facts of that date: checks unchanged
    try:
        page = ds.map(view, id=ident, depth=depth, lang=lang, color=color, size=size,
                      layout=layout, group=group, format=fmt,
                      note=when.short() if when is not None else None)
    except MapError as exc:  # an unknown id or view, or a view too large to draw
        if isinstance(exc, MissingId) and when is not None:  # there, but not then?
            from graph.loader.asof import why_absent

            why = why_absent(whole.document()[0], exc.ident, as_of, exc.sections)
            if why is not None:
                raise click.UsageError(
                    f"{exc.ident!r} is in the dataset but not as of {as_of}: {why}; give a "
                    "date within it, or leave out --as-of") from None
        raise click.UsageError(str(exc)) from None
    with folder_lock(Path(output).parent, wait=WRITE_WAIT):
        path = page.save(output)
    what = "Map" if fmt == "html" else f"Picture ({fmt.upper()})"
    said_when = f" ({when.summary()})" if when is not None else ""
    click.echo(f"{page.nodes} nodes, {page.edges} edges{said_when}. {what} written to {path}")


def _query_error(exc) -> None:
    """Print a query problem for people and exit with its code (2 bad query, 5 timeout,
    6 endpoint)."""
    click.echo(f"Error: {exc}", err=True)
    sys.exit(exc.exit_code)


def _query_text(text, file, name):
    """(the SPARQL text, the named query or None) from exactly one of the three ways."""
    from graph.query.library import load_folder

    given = [x for x in (text, file, name) if x is not None]
    if len(given) != 1:
        raise click.UsageError("give the query once: as text, with -f FILE.rq or with --name "
                               "NAME (see `regiograph queries`)")
    if file is not None:
        return (sys.stdin.read() if file == "-" else Path(file).read_text("utf-8")), None
    if name is not None:
        from graph.model.schema import check_files

        named = load_folder("queries")
        # the checks are read (and graph.checks loaded, ~0.1 s) only for a check's name; a
        # check of that name wins, as it always did
        if name not in named or name in {p.stem for p in check_files()}:
            from graph import checks

            named = {**named, **checks.check_queries()}
        if name not in named:
            raise click.BadParameter(f"no query named {name!r}; `regiograph queries` lists "
                                     f"them: {', '.join(named)}", param_hint="--name")
        return named[name].text, named[name]
    return text, None


def _required_params(named, params: dict) -> None:
    for param, doc in (named.params if named else {}).items():
        if param not in params and not doc.lower().startswith("optional"):
            raise click.UsageError(f"query {named.name} needs --param {param}=… ({doc})")


@main.command()
@click.argument("args", nargs=-1, metavar="[DATASET] [QUERY]")
@click.option("-f", "--file", "file", type=click.Path(allow_dash=True), metavar="FILE.rq",
              help="Read the query from a file ('-' for stdin).")
@click.option("--name", metavar="NAME", help="Run a named query (see `regiograph queries`).")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind ?NAME (repeatable). An entity id becomes its IRI, <…> is an IRI, "
              '"…" a string; anything else a string.')
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "tsv", "xml",
                                                    "turtle", "ntriples", "jsonld"]),
              default="table", show_default=True,
              help="table for people; json, csv, tsv, xml: SPARQL 1.1 results (SELECT, ASK); "
              "turtle, ntriples, jsonld: the graph of CONSTRUCT/DESCRIBE.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds before the query is stopped (exit 5).")
@click.option("--memory", metavar="MB", type=click.IntRange(min=200), default=2048,
              show_default=True, help="Memory (MiB of address space) the query's worker may "
              "use; past it the query is stopped (exit 2, saying so).")
@click.option("--limit", type=click.IntRange(min=0), default=100, show_default=True,
              help="Rows shown in table output (0: all). Other formats give every row.")
@click.option("--endpoint", metavar="URL",
              help="Run on a remote SPARQL endpoint (like http://127.0.0.1:7878/query) "
              "instead of DATASET.")
@click.option("--graph", "graph_iri", metavar="IRI",
              help="With --endpoint: the named graph to query (sent as default-graph-uri), "
              "e.g. the one `push` wrote.")
@as_of_option
@_login_options
def query(args, file, name, params, fmt, timeout, memory, limit, endpoint, graph_iri,
          as_of, user, netrc_file) -> None:
    """Run a SPARQL query on DATASET (or on --endpoint), safely.

    \b
      regiograph query out/lapland.store 'SELECT ?p WHERE { ?p a rg:Project }'
      regiograph query data/lapland --name responsibilities --param actor=lapin-liitto
      regiograph query out/lapland.store -f my.rq --format csv > rows.csv
      regiograph query --endpoint http://127.0.0.1:7878/query --name areas

    The package prefixes (rg:, org:, skos:, dct:, schema:, prov:…) are predeclared.
    Refused before anything runs: SERVICE, FROM <…>, FROM NAMED and every update
    (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, ADD, MOVE, COPY). --param binds a
    variable the query selects; values are never pasted into the text.
    A facts folder is built into a temporary store first; the query runs in a
    separate process on the store opened read-only and is killed at --timeout, or
    stopped when it would use more than --memory.
    Exit status: 0 success, 1 invalid dataset, 2 bad query or usage, 5 timeout,
    6 endpoint error.
    """
    from graph.base.files import scratch_folder
    from graph.query import sparql

    if endpoint:
        if as_of is not None:
            raise click.UsageError("--as-of filters a DATASET's facts; a remote store's "
                                   "graph is queried as it is")
        if len(args) > 1:
            raise click.UsageError("with --endpoint give no DATASET, only the query")
        dataset, text = None, (args[0] if args else None)
    else:
        if user or netrc_file:
            raise click.UsageError("--user and --netrc go with --endpoint URL")
        if not args:
            raise click.UsageError("Missing argument 'DATASET' (or give --endpoint URL).")
        if len(args) > 2:
            raise click.UsageError("too many arguments: quote the query ('SELECT …')")
        dataset, text = args[0], (args[1] if len(args) > 1 else None)
    text, named = _query_text(text, file, name)
    worker = None
    try:
        values = sparql.parse_params(params)
        _required_params(named, values)
        kept = None
        if not endpoint and as_of is None and is_store(dataset):
            # started first: it opens the store while this process checks the query
            worker = sparql.Worker(dataset, timeout, memory=memory * 2**20)
            if named is not None:  # a package query as build checked it, if the same
                from graph.dataset import read_kept

                kept = (read_kept(dataset, "queries") or {}).get(named.name)
        prepared = sparql.prepare_as_kept(text, kept)
        sparql.check_params(prepared, values)
        if endpoint:
            from graph.query.remote import run_remote

            answer = run_remote(endpoint, prepared, values, timeout, graph_iri,
                                _login(endpoint, user, netrc_file))
        elif worker is not None:
            answer = worker.run(prepared, values)
        else:
            with scratch_folder("query") as work:
                try:
                    if as_of is None:
                        store_path = sparql.built_store(dataset, work)
                    else:  # a store of the facts of that date, and a word of what it is
                        facts, when = _open(dataset).facts_as_of(as_of)
                        store_path = sparql.facts_store(facts, work, dataset)
                        click.echo(when.summary(), err=True)
                except InvalidDataset as exc:
                    _fail(exc)
                answer = sparql.run_local(store_path, prepared, values, timeout,
                                          memory=memory * 2**20)
        if named is not None:  # a package query: one answer from every store
            answer = sparql.sorted_lists(answer, prepared)
        if fmt == "table" and answer.kind == "graph":
            fmt = "turtle"
        if fmt != "table":
            sys.stdout.buffer.write(sparql.render(answer, fmt))
            return
        columns, rows, total = sparql.table_rows(answer, limit or None)
    except sparql.QueryError as exc:
        _query_error(exc)
    finally:
        if worker is not None:  # a query refused before it was sent: the worker goes too
            worker.close()
    click.echo(table(rows, columns))
    if len(rows) < total:
        click.echo(f"({len(rows)} of {total} rows; --limit 0 shows all, --format csv "
                   "gives every row)", err=True)
    elif rows and columns != ["answer"]:
        click.echo(f"({total} row{'s' if total != 1 else ''})", err=True)


@main.command("queries")
@click.option("--show", metavar="NAME", help="Print the SPARQL of query NAME and stop.")
@format_option
def queries_cmd(show: str | None, fmt: str) -> None:
    """List the named queries: what each asks, its columns and its parameters.

    Run one with `regiograph query DATASET --name NAME [--param k=v]`. The checks
    of `regiograph check` are listed too (kind check) and run the same way.
    """
    from graph import checks
    from graph.query.library import load_folder

    named = [("query", q) for q in load_folder("queries").values()]
    named += [("check", q) for q in checks.check_queries().values()]
    if show:
        found = {q.name: q for _, q in named}
        if show not in found:
            raise click.BadParameter(f"no query named {show!r}", param_hint="--show")
        click.echo(found[show].text, nl=False)
        return
    if fmt == "json":
        click.echo(json.dumps([{"name": q.name, "kind": kind, "title": q.title,
                                "description": q.description, "columns": q.columns,
                                "params": q.params} for kind, q in named],
                              indent=2, ensure_ascii=False))
        return
    for kind, q in named:
        click.echo(f"{q.name}  [{kind}]  {q.title}")
        click.echo(f"    {q.description}")
        for param, doc in q.params.items():
            click.echo(f"    --param {param}=…  {doc}")
        click.echo("")


@main.command()
@click.argument("dataset", type=click.Path())
@click.option("--port", type=click.IntRange(1, 65535), default=7878, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but 127.0.0.1/localhost opens the "
              "endpoint to the network (a warning is printed).")
@click.option("--timeout", type=click.FloatRange(min=1), default=30.0, show_default=True,
              help="Seconds a query may run; then its worker is killed and the request "
              "gets 504.")
@click.option("--memory", type=click.IntRange(min=200), default=2048, show_default=True,
              metavar="MB", help="Memory (MiB of address space) a query's worker may use; "
              "past it the query is stopped and the request gets 503.")
@click.option("--workers", type=click.IntRange(1, 64), default=None, metavar="N",
              help="Queries run at once, each in its own process (default: the number of "
              "CPUs, at least 2); more requests wait up to 10 s, then get 503.")
def serve(dataset: str, port: int, host: str, timeout: float, memory: int,
          workers: int | None) -> None:
    """Serve DATASET as a read-only SPARQL 1.1 endpoint that no query takes down.

    Opens the built store read-only (a facts folder is built into a temporary store
    first) and prints the address of the query page and of the SPARQL 1.1 protocol
    endpoint (/query; GET or POST, results as JSON, XML, CSV or TSV, graphs as
    N-Triples, Turtle or JSON-LD, by the Accept header; 406 when none fits).

    Every query goes through the checks of `regiograph query`: SERVICE, FROM,
    updates, queries nested too deeply or too long get 400 before anything runs, so
    the endpoint never calls another URL. Each query then runs in its own worker
    process with --timeout and --memory: a query past its time gets 504, one past its
    memory or that crashes the engine 503, and the endpoint and the other requests go
    on. Updates and Graph Store writes get 403.

    Stop it with Ctrl-C (exit 0; the workers are stopped with it). When it cannot
    start (the port is taken, the store cannot be opened) it says why and exits 1.
    """
    import errno

    from graph.base.files import scratch_folder
    from graph.query import endpoint as ep
    from graph.query import sparql

    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"Warning: listening on {host}: anyone who can reach port {port} can query "
                   "the dataset.", err=True)
    with scratch_folder("serve") as work:
        try:
            timeout = sparql.check_timeout(timeout, low=1)
            store_path = sparql.built_store(dataset, work)
        except InvalidDataset as exc:
            _fail(exc)
        except sparql.QueryError as exc:
            _query_error(exc)
        try:
            ep.check_store(store_path)
        except Exception as exc:  # noqa: BLE001 - any reason the store cannot be read
            click.echo(f"Error: cannot open the store {store_path}: {exc}", err=True)
            sys.exit(1)
        endpoint = ep.Endpoint(store_path, timeout=timeout, memory=memory * 2**20,
                               **({"workers": workers} if workers else {}))
        try:
            server = ep.make_server(endpoint, host, port)
        except OSError as exc:
            why = "the port is taken" if exc.errno == errno.EADDRINUSE else exc.strerror
            click.echo(f"Error: cannot listen on {host}:{port}: {why} ({exc})", err=True)
            sys.exit(1)
        shown = f"[{host}]" if ":" in host else host
        click.echo(f"Serving {store_path} read-only (queries stop after {timeout:g} s or "
                   f"{memory} MiB; {endpoint.workers} at once).")
        click.echo(f"  query page:      http://{shown}:{port}/")
        click.echo(f"  SPARQL endpoint: http://{shown}:{port}/query")
        click.echo("Press Ctrl-C to stop.")
        ep.serve_forever(server, endpoint)


@main.command()
@click.argument("dataset", type=click.Path())
@click.option("--endpoint", required=True, metavar="URL",
              help="The Graph Store Protocol endpoint: http://HOST:7878/store for oxigraph, "
              "http://HOST:8890/sparql-graph-crud-auth for Virtuoso (with --user), "
              "http://HOST:3030/DS/data for Fuseki, …/repositories/REPO/rdf-graphs/service "
              "for GraphDB.")
@click.option("--graph", "graph_iri", metavar="IRI",
              help="The named graph to replace (default: the dataset's base IRI); "
              "'default' replaces the store's default graph.")
@click.option("--update", "update", metavar="URL|none", default=None,
              help="The store's SPARQL 1.1 Update endpoint, through which the graphs are "
              "replaced only when all of them arrived. Default: the one that goes with a "
              "known --endpoint (oxigraph …/store: …/update; Virtuoso "
              "…/sparql-graph-crud-auth: …/sparql-auth; Fuseki …/data: …/update; "
              "GraphDB …/rdf-graphs/service: …/statements). 'none': write in place.")
@click.option("--chunk", type=click.IntRange(min=1), default=50_000, show_default=True,
              metavar="N", help="Triples sent in one request (at most 16 MB).")
@click.option("--timeout", type=click.FloatRange(min=1), default=300.0, show_default=True,
              help="Seconds one request may take.")
@_login_options
def push(dataset: str, endpoint: str, graph_iri: str | None, update: str | None,
         chunk: int, timeout: float, user: str | None, netrc_file: str | None) -> None:
    """Replace a graph of a remote RDF store with DATASET's graph.

    Uses the SPARQL 1.1 Graph Store Protocol (ENDPOINT?graph=IRI) and leaves the store's
    other graphs alone. The facts derived when the store was built (who sits at which
    table, countries, names to show) replace the dataset's own derived graph
    <https://w3id.org/regiograph/derived?of=IRI>. Large graphs go in chunks of --chunk
    triples, each sent again on a transient error (a dropped connection, a timeout, HTTP
    429 or 5xx; up to 4 tries), into staging graphs; one SPARQL update then replaces both
    graphs at once, so a push that fails leaves them as they were. A progress bar is
    shown on a terminal. Query the result with
    `regiograph query --endpoint URL --graph IRI …`.
    """
    from graph.query.push import AUTO
    from graph.query.push import push as push_graphs
    from graph.query.sparql import QueryError

    ds = _open(dataset)
    if graph_iri is None:
        bases = ds.query("SELECT ?d WHERE { ?d a dcat:Dataset }")
        graph_iri = bases[0]["d"] if len(bases) == 1 else None
        if graph_iri is None:
            raise click.UsageError("the dataset names no base IRI: give --graph IRI")
    target = None if graph_iri == "default" else graph_iri
    if update is None:
        update = AUTO
    elif update.lower() == "none":
        update = None
    try:
        login = _login(endpoint, user, netrc_file)
        done = push_graphs(ds.store, endpoint, target, update=update, login=login,
                           timeout=timeout, chunk_triples=chunk,
                           say=lambda text: click.echo(f"Note: {text}", err=True))
    except QueryError as exc:
        _query_error(exc)
    where = "the default graph" if target is None else f"graph <{target}>"
    how = (f"both replaced at once by an update at {done.update}" if done.update
           else "written in place: no update endpoint")
    click.echo(f"Pushed {done.triples} triples to {where} and {done.derived_triples} "
               f"derived ones to graph <{done.derived_graph}> at {endpoint} "
               f"({done.requests} requests; {how}).")


@main.group("areas")
def areas_group() -> None:
    """Official areas from the bundled reference data (data/reference/*/SOURCE.md)."""


@areas_group.command("import")
@click.argument("sets", nargs=-1,
                type=click.Choice(["fi-municipalities", "se-municipalities",
                                   "no-municipalities", "nuts"]))
@click.option("--all", "all_sets", is_flag=True, help="All four reference sets.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The facts file to write (YAML).")
@click.option("--fragment", is_flag=True,
              help="Leave out the dataset: block, to drop the file into another dataset.")
def areas_import(sets: tuple[str, ...], all_sets: bool, output: str, fragment: bool) -> None:
    """Write the official areas of SETS as a facts file of `areas` (and their `sources`).

    Each area carries its official codes (municipality, sub-region, region, kommunkod,
    lanskod, kommunenummer, fylkesnummer, nuts, iso3166-1), its names in every language
    the source has, and its part_of chain up to the country: a set brings the NUTS
    regions and country above its areas. The file loads as a dataset of its own
    (without --fragment). To name these areas without copying them, write
    `uses: [reference/fi]` in a dataset's `dataset:` block instead.
    """
    from graph.loader.reference import SETS, ReferenceError, write_areas

    if all_sets and sets:
        raise click.UsageError("give SETS or --all, not both")
    chosen = list(SETS) if all_sets else list(sets)
    if not chosen:
        raise click.UsageError(f"name a reference set ({', '.join(SETS)}) or give --all")
    try:
        path = write_areas(chosen, output, dataset=not fragment)
    except ReferenceError as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        click.echo("The reference data is broken; nothing was written.", err=True)
        sys.exit(1)
    click.echo(f"wrote {path}", err=True)


@main.command("import")
@click.argument("fmt", metavar="FORMAT", required=False)
@click.argument("files", nargs=-1, type=click.Path())
@click.option("-o", "--out", type=click.Path(), help="The facts folder to write (new, or "
              "written by an earlier import: it is replaced whole, its same-as.csv kept).")
@click.option("--id", "dataset_id", metavar="ID", help="The dataset's id (default: the "
              "format's name).")
@click.option("--title", help="The dataset's title (default: the format's and the files').")
@click.option("--personal", is_flag=True, help="Also import personal data: a project "
              "leader's name, phone and e-mail (left out by default).")
@click.option("--strict", is_flag=True, help="Exit 1, writing nothing, when any row is "
              "refused.")
@click.option("--list", "list_formats", is_flag=True, help="List the built-in formats.")
def import_cmd(fmt: str | None, files: tuple[str, ...], out: str | None,
               dataset_id: str | None, title: str | None, personal: bool, strict: bool,
               list_formats: bool) -> None:
    """Import register FILES of FORMAT as a facts folder: projects, programmes and their
    priorities, organisations, funding, areas.

    FORMAT is a built-in format (fi-structural-funds, se-projektbanken,
    interreg-partners, workbook: see --list and docs/import.md) or the path of a
    mapping file of your own. Organisations are merged only when they share a valid
    register id or the same name up to case, spaces and punctuation; near names go to
    OUT/same-as.csv, where you write `same` or `different` for the next import to
    honour. Rows that cannot be imported are listed as file:row: message and left out.
    Exit status: 0 imported; 1 a row was refused under --strict, or a file could not
    be read as FORMAT, or OUT holds files no import wrote (nothing written); 2 wrong
    usage or a mapping file that cannot be used; 4 OUT cannot be written; 130
    interrupted.
    """
    from graph.importers.mapping import MappingError, builtin_names, load_mapping
    from graph.importers.run import ImportRefused, import_files

    if list_formats:
        for name in builtin_names():
            mapping = load_mapping(name)
            click.echo(f"{name:22} {mapping.title.get('en') or next(iter(mapping.title.values()))}")
        click.echo(f"{'workbook':22} the XLSX workbook of `regiograph export --format xlsx`")
        return
    if not fmt or not files or not out:
        raise click.UsageError("give FORMAT, one or more FILES and -o DATASET "
                               "(formats: regiograph import --list)")
    try:
        result = import_files(fmt, list(files), out, dataset_id=dataset_id, title=title,
                              personal=personal, strict=strict)
    except MappingError as exc:
        raise click.UsageError(str(exc)) from None
    except ImportRefused as exc:
        click.echo(f"error: {exc}", err=True)
        click.echo("Nothing was written.", err=True)
        sys.exit(1)
    for problem in result.bad:
        click.echo(str(problem), err=True)
    for notice in result.notices:
        click.echo(f"note: {notice}", err=True)
    rows = result.rows
    if strict and result.bad:
        click.echo(f"{len(result.bad)} problem(s) in {rows['read']} rows (--strict): nothing "
                   "was written.", err=True)
        sys.exit(1)
    made = ", ".join(f"{n} {section}" for section, n in result.made.items()
                     if section not in ("dataset",))
    click.echo(f"Imported {rows['imported']} of {rows['read']} rows ({rows['refused']} "
               f"refused) into {out}: {made}.")
    if result.personal_skipped:
        click.echo(f"{result.personal_skipped} row(s) had personal contact fields, not "
                   "imported (--personal imports them).")
    if result.review:
        click.echo(f"{len(result.review)} pair(s) of near names to decide in "
                   f"{Path(out) / 'same-as.csv'} (write same or different, then import again).")


@main.command("synth")
@click.option("--triples", "triples", required=True, type=click.IntRange(min=1),
              help="About how many triples the dataset should have (within ±20 %).")
@click.option("-o", "--out", "out", required=True, type=click.Path(file_okay=False),
              help="Folder to write the YAML files and planted.json to (new or empty).")
@click.option("--seed", default=0, show_default=True, type=int,
              help="Random seed: the same seed writes the same files.")
def synth_cmd(triples: int, out: str, seed: int) -> None:
    """Write a synthetic facts dataset of about N triples with planted findings.

    The background yields no finding; a known number of overlaps and gaps of every
    check is planted, and OUT/planted.json lists them in the shape of
    `regiograph check --format json`. Use it to try the checks or to measure cost
    at scale (`make bench`).
    """
    from graph.synth.generator import write

    try:
        paths = write(out, triples, seed)
    except FileExistsError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"wrote {len(paths) - 1} YAML file(s) and {Path(out) / 'planted.json'}", err=True)


@main.command("diff")
@click.argument("datasets", nargs=-1, required=True, type=click.Path())
@click.option("--git", "revisions", metavar="REV1..REV2",
              help="Compare two git revisions of one facts folder: DATASET is that folder "
                   "(REV1.. means REV1..HEAD).")
@click.option("--format", "fmt", type=click.Choice(["table", "markdown", "json"]),
              default="table", show_default=True,
              help="table for people, markdown to paste into a review, json for programs.")
@click.option("--strict", is_flag=True,
              help="Exit 3 when a finding appears (advisory hints do not count).")
def diff_cmd(datasets: tuple[str, ...], revisions: str | None, fmt: str, strict: bool) -> None:
    """What a change to the facts did: facts added, removed and changed, and the findings
    that appear and disappear.

    `regiograph diff OLD NEW` compares two datasets (facts folders or built stores);
    `regiograph diff --git main..HEAD DATASET` two git revisions of one facts folder.
    Each changed fact is named by its id (or, for a responsibility or statement, by what
    it is about), field by field, with its file:line in NEW. See docs/diff.md for a CI
    recipe.
    """
    from graph.diff import GitError, diff, git_versions, to_json, to_markdown, to_table

    if revisions is None and len(datasets) != 2:
        raise click.UsageError("give OLD and NEW (or --git REV1..REV2 DATASET)")
    if revisions is not None and len(datasets) != 1:
        raise click.UsageError("with --git, give one DATASET: the facts folder in git")
    try:
        if revisions is None:
            result = diff(*datasets)
        else:
            with git_versions(datasets[0], revisions) as (old, new, first, second):
                result = diff(old, new, old_label=f"{datasets[0]} at {first}",
                              new_label=f"{datasets[0]} at {second}",
                              shown_old=f"{first}:{datasets[0]}",
                              shown_new=f"{second}:{datasets[0]}")
    except GitError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except InvalidDataset as exc:
        _fail(exc)
    writer = {"table": to_table, "markdown": to_markdown, "json": to_json}[fmt]
    click.echo(writer(result), nl=False)
    if strict and result.appeared:
        sys.exit(3)


@main.command()
@click.argument("dataset", type=click.Path(), required=False)
@format_option
@_endpoint_options
def info(dataset: str | None, fmt: str, endpoint, graph_iri, user, netrc_file) -> None:
    """What DATASET holds: entries per kind, sources, languages, triples.

    DATASET is a folder of facts YAML (like data/lapland) or a store built by
    `build` (like out/lapland.store).
    """
    data = _open_from(dataset, endpoint, graph_iri, user, netrc_file).info()
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
