"""The README's figures are those of the committed result files, and `make help` lists every target.

Safety: docs/safety-report.json and docs/people-report.json (`make safety-report`);
NLU: docs/nlu-report.json (`make nlu-report`); benchmark: bench/results.json (`make bench`,
table from `python -m bench.readme`).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from bench.readme import table
from tests.heldout import figure_table, folded, readme_tables

ROOT = Path(__file__).resolve().parent.parent


def test_the_safety_figures_in_the_readme_match_the_report() -> None:
    figures = json.loads((ROOT / "docs" / "safety-report.json").read_text(encoding="utf-8"))["figures"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    def group(name: str) -> str:
        return f"{figures[name]['cases']:,} ({figures[name]['failed']})"

    rows = {
        "excluding facts played": group("excluding"),
        "composed answers": group("composed"),
        "two items with two times": group("two_times"),
        "harmless answers (sent": group("harmless"),
        "someone else's facts": group("someone_else"),
        "windows' edges in days": group("margins"),
        "what only the study team": group("route"),
        "red-flag phrases caught": (
            f"{round(figures['red_flag_recall'] * figures['red_flag_phrases'])} of {figures['red_flag_phrases']} / "
            f"{round(figures['false_alarm_rate'] * figures['ordinary_phrases'])} of {figures['ordinary_phrases']}"
        ),
    }
    for label, value in rows.items():
        line = next(line for line in readme.splitlines() if line.startswith(f"| {label}"))
        assert line.endswith(f"| {value} |"), f"README says {line!r}; the report says {value}"
    by = {group: figures[group]["by_language"] for group in ("excluding", "harmless")}
    said = (
        f"of the excluding facts, {by['excluding']['en']['cases']:,} in English and {by['excluding']['zh']['cases']:,} "
        f"in Chinese; of the harmless answers, {by['harmless']['en']['cases']:,} and {by['harmless']['zh']['cases']:,}"
    )
    assert said in " ".join(readme.split()), said


def test_what_a_person_gets_in_the_readme_is_the_last_report() -> None:
    report = json.loads((ROOT / "docs" / "people-report.json").read_text(encoding="utf-8"))
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    for expected in readme_tables(report, folded()[-1]):
        start = lines.index(expected[0])
        assert lines[start : start + len(expected)] == expected, "paste tests.heldout.readme_tables' tables"


def test_the_benchmark_table_in_the_readme_is_the_last_runs() -> None:
    results = json.loads((ROOT / "bench" / "results.json").read_text(encoding="utf-8"))
    expected = table(results)
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index(expected[0])
    assert lines[start : start + len(expected)] == expected, "run `python -m bench.readme` and paste its table"


def test_the_nlu_figures_in_the_readme_are_the_last_reports() -> None:
    nlu = json.loads((ROOT / "docs" / "nlu-report.json").read_text(encoding="utf-8"))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"Runs on {nlu['examples']:,} examples in {nlu['intents']} intents" in " ".join(readme.split())
    for name, lang in (("English", "en"), ("Chinese", "zh")):
        f = nlu["languages"][lang]
        weakest = ", ".join(f"`{intent}` {f1:.2f}" for intent, f1 in f["weakest"])
        row = (
            f"| {name} | {f['examples']:,} | {f['accuracy']:.3f} | **{f['macro_f1']:.3f}** | {f['weighted_f1']:.3f} "
            f"| {weakest} |"
        )
        assert row in readme.splitlines(), row


def test_the_table_of_the_set_written_for_issue_18_is_its_figures() -> None:
    folder = ROOT / "tests" / "data" / "heldout" / "2026-12-06d"
    before = json.loads((folder / "before.json").read_text(encoding="utf-8"))
    after = json.loads((folder / "after.json").read_text(encoding="utf-8"))
    expected = figure_table([("2026-12-06d: before", before["servers"]), ("after", after["heldout"]["servers"])])
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index(expected[0])
    assert lines[start : start + len(expected)] == expected


def test_make_help_lists_every_target() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    phony = re.search(r"^\.PHONY:(.*)$", makefile, re.MULTILINE)
    assert phony
    helped = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    listed = {line.split()[1] for line in helped.splitlines() if line.startswith("make ")}
    assert set(phony.group(1).split()) <= listed, f"not in `make help`: {set(phony.group(1).split()) - listed}"
    targets = set(re.findall(r"^([a-z][\w-]*):", makefile, re.MULTILINE))
    assert listed <= targets, f"`make help` names targets the Makefile lacks: {listed - targets}"
