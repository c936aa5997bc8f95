"""`regiograph diff` (issue 18): facts added, removed and changed (by id and field, with
file:line in NEW), findings that appear and disappear, from facts folders, built stores
and git revisions; --strict exits 3 on a new finding; untrusted names stay text."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from graph.diff import diff, diff_findings, to_markdown, to_table
from graph.synth import write as synth_write

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "lapland"

MONITOR = ("  - actor: s3-koordinaatioryhma # a network (here a coordination group) can hold a "
           "role too\n    role: monitor")
LEAD = """
  - actor: lapin-liitto
    role: lead
    for: amo-2008-labour-need
    source: amo-presentation-2008
"""


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def changed_seed(folder: Path) -> Path:
    """The seed with four changes: a project renamed, the S3 monitor's role changed to
    `participate` (gap.unmonitored appears for the strategy), a lead recorded for an AMO
    priority (its gap.priority-without-lead disappears) and a period changed."""
    shutil.copytree(SEED, folder)
    projects = folder / "projects.yaml"
    text = projects.read_text("utf-8")
    projects.write_text(text.replace("name: Tunturi-Lapin ja Tornionlaakson AMO-hanke 2008",
                                     "name: AMO-hanke 2008", 1), "utf-8")
    resp = folder / "responsibilities.yaml"
    text = resp.read_text("utf-8")
    assert MONITOR in text
    text = text.replace(MONITOR, MONITOR.replace("role: monitor", "role: participate"))
    text = text.replace("period: {from: 2007, to: 2013}", "period: {from: 2007, to: 2014}", 1)
    resp.write_text(text + LEAD, "utf-8")
    return folder


@pytest.fixture(scope="module")
def seed_change(tmp_path_factory):
    return changed_seed(tmp_path_factory.mktemp("diff") / "new")


def test_the_same_dataset_has_no_changes():
    result = diff(SEED, SEED)
    assert result.facts == [] and result.findings == []


def test_facts_and_findings_of_a_change(seed_change):
    result = diff(SEED, seed_change)
    by_key = {(c.section, c.key): c for c in result.facts}
    renamed = by_key["projects", "amo-2008"]
    assert renamed.change == "changed"
    assert [(f.path, f.old, f.new) for f in renamed.fields] == [
        ("name.fi", "Tunturi-Lapin ja Tornionlaakson AMO-hanke 2008", "AMO-hanke 2008")]
    # file:line of the entry in NEW
    line = next(n for n, t in enumerate((seed_change / "projects.yaml").read_text("utf-8")
                                        .splitlines(), 1) if "id: amo-2008" in t)
    assert renamed.where == f"{seed_change / 'projects.yaml'}:{line}"
    period = by_key["responsibilities",
                    "kemi-tornion-kehittamiskeskus lead aluekeskusohjelma-kemi-tornio"]
    assert period.change == "changed"
    assert [(f.path, f.old, f.new) for f in period.fields] == [("period.to", "2013", "2014")]
    assert period.where.startswith(f"{seed_change / 'responsibilities.yaml'}:")
    added = by_key["responsibilities", "lapin-liitto lead amo-2008-labour-need"]
    assert added.change == "added"
    assert by_key["responsibilities", "s3-koordinaatioryhma monitor lapland-s3"].change == \
        "removed"
    assert by_key["responsibilities", "s3-koordinaatioryhma participate lapland-s3"].change == \
        "added"
    assert len(result.facts) == 5
    found = {(c.change, c.check, c.target) for c in result.findings if not c.advisory}
    assert ("appeared", "gap.unmonitored", "lapland-s3") in found
    gone = [c for c in result.findings if c.change == "disappeared"]
    assert [(c.check, c.subjects, c.target) for c in gone] == [
        ("gap.priority-without-lead", ["amo-2008-labour-need"], "amo-2008-programme")]
    assert [c.check for c in result.appeared] == ["gap.unmonitored"]


def test_the_findings_diff_is_the_difference_of_the_two_checks(seed_change):
    """The finding changes are exactly the two runs' findings compared by (check,
    subjects, target), computed here from `check --format json` of each side."""
    def keys(path):
        out = json.loads(run("check", path, "--format", "json").stdout)
        return {(f["check"], tuple(sorted(f["subjects"])), f["target"])
                for f in out["findings"]}
    old, new = keys(SEED), keys(seed_change)
    result = diff(SEED, seed_change)
    assert {(c.check, tuple(c.subjects), c.target) for c in result.findings
            if c.change == "appeared"} == new - old
    assert {(c.check, tuple(c.subjects), c.target) for c in result.findings
            if c.change == "disappeared"} == old - new


def test_two_equal_findings_are_counted():
    class F:
        def __init__(self, target):
            self.check, self.subjects, self.target, self.advisory = "c", ["a"], target, False

        def explain(self, name):
            return self.target
    changes = diff_findings([F("t")], [F("t"), F("t"), F("u")])
    assert [(c.change, c.target) for c in changes] == [("appeared", "t"), ("appeared", "u")]


def test_built_stores_give_the_same_changes(seed_change, tmp_path):
    assert run("build", SEED, "-o", tmp_path / "a").exit_code == 0
    assert run("build", seed_change, "-o", tmp_path / "b").exit_code == 0
    stores = diff(tmp_path / "a" / "lapland.store", tmp_path / "b" / "lapland.store")
    folders = diff(SEED, seed_change)
    assert [(c.change, c.section, c.key, [(f.path, f.old, f.new) for f in c.fields])
            for c in stores.facts] == \
        [(c.change, c.section, c.key, [(f.path, f.old, f.new) for f in c.fields])
         for c in folders.facts]
    assert all(c.where == "" for c in stores.facts)  # a store keeps no lines
    assert [c.to_dict() for c in stores.findings] == [c.to_dict() for c in folders.findings]


def test_cli_formats_and_strict(seed_change):
    table = run("diff", SEED, seed_change)
    assert table.exit_code == 0, table.output
    assert "~ project amo-2008" in table.stdout and "name.fi:" in table.stdout
    assert "+ gap.unmonitored:" in table.stdout
    md = run("diff", SEED, seed_change, "--format", "markdown")
    assert md.stdout.startswith("### regiograph diff:")
    assert "| changed | project | amo-2008 |" in md.stdout
    doc = json.loads(run("diff", SEED, seed_change, "--format", "json").stdout)
    assert doc["summary"]["findings_appeared"] >= 1 and doc["summary"]["changed"] == 2
    assert run("diff", SEED, seed_change, "--strict").exit_code == 3
    # the reverse change only makes findings disappear... and gap.unmonitored go
    back = run("diff", seed_change, SEED, "--strict")
    assert back.exit_code == 3  # the AMO priority's gap comes back
    assert run("diff", SEED, SEED, "--strict").exit_code == 0


def test_usage_and_invalid_datasets(tmp_path, seed_change):
    assert run("diff", SEED).exit_code == 2
    assert run("diff", "--git", "a..b", SEED, SEED).exit_code == 2
    bad = tmp_path / "bad"
    shutil.copytree(seed_change, bad)
    (bad / "projects.yaml").write_text((bad / "projects.yaml").read_text("utf-8")
                                       .replace("administrator: leader-kylakulttuuria",
                                                "administrator: nobody-at-all", 1), "utf-8")
    result = run("diff", SEED, bad)
    assert result.exit_code == 1
    assert f"{bad / 'projects.yaml'}:" in result.stderr and "nobody-at-all" in result.stderr
    assert result.stdout == ""


def test_hostile_names_stay_text(tmp_path):
    new = tmp_path / "new"
    shutil.copytree(SEED, new)
    projects = new / "projects.yaml"
    evil = "<img src=x onerror=alert(1)> | *x*"
    projects.write_text(projects.read_text("utf-8").replace(
        "name: Tunturi-Lapin ja Tornionlaakson AMO-hanke 2008",
        f'name: "{evil} \\u202egnp.exe\\nnext"', 1), "utf-8")
    result = diff(SEED, new)
    md = to_markdown(result)
    assert not re.search(r"(?<!\\)<img", md) and "\\<img" in md and "\\| \\*x\\*" in md
    table = to_table(result)
    assert "\u202e" not in table and "\\u202egnp.exe next" in table
    assert all("\n" not in line for line in table.splitlines())


def _git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_two_git_revisions_of_one_folder(tmp_path):
    repo = tmp_path / "repo"
    (repo / "regions").mkdir(parents=True)
    shutil.copytree(SEED, repo / "regions" / "lapland")
    _git(repo, "init", "-q")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "seed")
    shutil.rmtree(repo / "regions" / "lapland")
    changed_seed(repo / "regions" / "lapland")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qam", "edit")
    folder = repo / "regions" / "lapland"
    result = run("diff", "--git", "HEAD~1..HEAD", folder, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["old"] == f"{folder} at HEAD~1" and doc["new"] == f"{folder} at HEAD"
    where = {c["key"]: c["where"] for c in doc["facts"]}
    assert where["amo-2008"].startswith(f"HEAD:{folder}/projects.yaml:")
    assert doc["summary"]["findings_appeared"] >= 1
    assert json.loads(run("diff", "--git", "HEAD~1..", folder, "--format", "json").stdout) \
        == doc  # REV1.. is REV1..HEAD
    # a revision that does not exist, a folder the old revision did not have: one line, exit 2
    missing = run("diff", "--git", "nope..HEAD", folder)
    assert missing.exit_code == 2 and "'nope' is not a revision" in missing.stderr
    assert run("diff", "--git", "HEAD", folder).exit_code == 2
    # the temporary copies are gone
    assert not list(Path(subprocess.run(["python3", "-c", "import tempfile;print(tempfile"
                                         ".gettempdir())"], capture_output=True, text=True)
                         .stdout.strip()).glob("regiograph-diff-*"))


def test_two_synthetic_seeds_findings_are_their_planted_ones(tmp_path):
    """Generated data: each seed plants a known set of findings (planted.json) on a
    background that yields none, so the findings that appear and disappear are the
    difference of the two planted sets, an oracle computed without the checks."""
    a, b = tmp_path / "a", tmp_path / "b"
    synth_write(a, 3000, seed=1)
    synth_write(b, 3000, seed=2)

    def planted(folder):
        doc = json.loads((folder / "planted.json").read_text("utf-8"))
        return {(f["check"], tuple(sorted(f["subjects"])), f["target"])
                for f in doc["findings"]}
    result = diff(a, b)
    shown = {(c.change, c.check, tuple(c.subjects), c.target) for c in result.findings}
    expected = {("appeared", *k) for k in planted(b) - planted(a)} | \
        {("disappeared", *k) for k in planted(a) - planted(b)}
    assert shown == expected
    assert result.facts  # two seeds differ in their facts too


def test_the_ci_recipe_runs_as_written(tmp_path):
    """docs/ci/regiograph-diff.yml: its diff step, run by bash as the workflow would on a
    pull request whose change makes a finding appear: the summary gets the Markdown and
    the step fails (exit 3)."""
    import os
    import sys

    import yaml

    workflow = yaml.safe_load((ROOT / "docs" / "ci" / "regiograph-diff.yml").read_text("utf-8"))
    steps = workflow["jobs"]["diff"]["steps"]
    script = next(s["run"] for s in steps if s.get("name") == "what the change did")
    repo = tmp_path / "repo"
    shutil.copytree(SEED, repo / "data" / "lapland")
    git = ["-c", "user.name=t", "-c", "user.email=t@example.org"]
    _git(repo, "init", "-q")
    _git(repo, *git, "add", ".")
    _git(repo, *git, "commit", "-qm", "seed")
    _git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")  # the pull request's base
    shutil.rmtree(repo / "data" / "lapland")
    changed_seed(repo / "data" / "lapland")
    _git(repo, *git, "commit", "-qam", "edit")
    summary = tmp_path / "summary.md"
    env = {**os.environ, "DATASET": workflow["env"]["DATASET"], "GITHUB_BASE_REF": "main",
           "GITHUB_STEP_SUMMARY": str(summary),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "-e", "-c", script], cwd=repo, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 3, done.stderr
    text = summary.read_text("utf-8")
    assert text.startswith("### regiograph diff:") and "**appeared** `gap.unmonitored`" in text


# -- what a review found ----------------------------------------------------------------

def test_a_change_of_the_dataset_block_is_one_change(tmp_path):
    new = tmp_path / "new"
    shutil.copytree(SEED, new)
    path = new / "dataset.yaml"
    path.write_text(path.read_text("utf-8").replace("title: Regional development",
                                                    "title: Regional DEVELOPMENT", 1), "utf-8")
    for fmt in ("table", "markdown", "json"):
        done = run("diff", SEED, new, "--format", fmt)
        assert done.exit_code == 0, done.output
    doc = json.loads(run("diff", SEED, new, "--format", "json").stdout)
    assert [(c["change"], c["kind"], [f["field"] for f in c["fields"]]) for c in doc["facts"]] \
        == [("changed", "dataset", ["title.fi"])]


def test_a_renamed_id_is_no_new_finding(tmp_path):
    """The same finding about an entity whose id changed reads the same: renamed, and
    --strict does not fail on it."""
    new = tmp_path / "new"
    shutil.copytree(SEED, new)
    for path in new.glob("*.yaml"):
        path.write_text(re.sub(r"\bamo-2008-programme\b", "amo-ohjelma-2008",
                               path.read_text("utf-8")), "utf-8")
    result = diff(SEED, new)
    changes = {c.change for c in result.findings}
    assert "renamed" in changes and not result.appeared
    renamed = next(c for c in result.findings if c.change == "renamed")
    assert renamed.was is not None and "amo-2008-programme" in [renamed.was[1],
                                                               *renamed.was[0]]
    assert run("diff", SEED, new, "--strict").exit_code == 0
    assert "renamed" in run("diff", SEED, new).stdout


def test_reordered_priorities_say_so(tmp_path):
    new = tmp_path / "new"
    shutil.copytree(SEED, new)
    old = diff(SEED, SEED)
    assert not old.facts
    from graph.diff import diff_facts
    from graph.loader.facts import load_facts

    doc = {"dataset": load_facts(SEED).dataset, **load_facts(SEED).sections}
    other = json.loads(json.dumps(doc))
    strategy = next(s for s in other["strategies"] if len(s.get("priorities", ())) > 1)
    strategy["priorities"].reverse()
    (change,) = diff_facts(doc, other)
    assert [f.path for f in change.fields] == ["priorities (order)"]


def test_both_invalid_sides_are_reported(tmp_path):
    sides = []
    for n in (1, 2):
        side = tmp_path / f"bad{n}"
        shutil.copytree(SEED, side)
        path = side / "projects.yaml"
        path.write_text(path.read_text("utf-8").replace(
            "administrator: leader-kylakulttuuria", f"administrator: nobody-{n}", 1), "utf-8")
        sides.append(side)
    done = run("diff", *sides)
    assert done.exit_code == 1
    assert "nobody-1" in done.stderr and "nobody-2" in done.stderr


def test_git_revisions_are_read_as_committed(tmp_path):
    """export-ignore in .gitattributes does not hide files (git archive would), and a
    link is written as a link, refused by the loader as in a working tree."""
    repo = tmp_path / "repo"
    shutil.copytree(SEED, repo / "lapland")
    (repo / ".gitattributes").write_text("lapland/responsibilities.yaml export-ignore\n")
    git = ["-c", "user.name=t", "-c", "user.email=t@example.org"]
    _git(repo, "init", "-q")
    _git(repo, *git, "add", ".")
    _git(repo, *git, "commit", "-qm", "seed")
    (repo / "lapland" / "extra.yaml").symlink_to("/etc/hostname")
    _git(repo, *git, "add", ".")
    _git(repo, *git, "commit", "-qm", "a link")
    same = run("diff", "--git", "HEAD~1..HEAD~1", repo / "lapland", "--format", "json")
    assert same.exit_code == 0, same.output
    assert json.loads(same.stdout)["facts"] == []  # nothing missing from either side
    linked = run("diff", "--git", "HEAD~1..HEAD", repo / "lapland")
    assert linked.exit_code == 1
    assert "HEAD:" in linked.stderr and "extra.yaml" in linked.stderr
    assert "Traceback" not in linked.output


def test_markdown_neutralises_entities_and_mentions(tmp_path):
    new = tmp_path / "new"
    shutil.copytree(SEED, new)
    projects = new / "projects.yaml"
    projects.write_text(projects.read_text("utf-8").replace(
        "name: Tunturi-Lapin ja Tornionlaakson AMO-hanke 2008",
        'name: "AMO &#x202E; @octocat"', 1), "utf-8")
    md = to_markdown(diff(SEED, new))
    assert "\\&\\#x202E;" in md and "\\@octocat" in md
    assert not re.search(r"(?<!\\)&#x202E;", md)


def test_a_change_inside_a_list_without_ids_is_named_by_its_place(tmp_path):
    """A post (no id of its own) whose period changed is one field of one post, not the
    whole list of posts; a post added is that post."""
    new = tmp_path / "new"
    shutil.copytree(SEED, new)
    people = new / "people.yaml"
    text = people.read_text("utf-8")
    assert "        period: {from: 2007}\n" in text
    people.write_text(text.replace("        period: {from: 2007}\n",
                                   "        period: {from: 2006}\n", 1), "utf-8")
    (change,) = diff(SEED, new).facts
    assert change.key == "jukka-kujala"
    assert [(f.path, f.old, f.new) for f in change.fields] == \
        [("posts[1].period.from", "2007", "2006")]
    line = text.splitlines().index("  - id: jukka-kujala") + 1
    assert change.where == f"{new / 'people.yaml'}:{line}"
