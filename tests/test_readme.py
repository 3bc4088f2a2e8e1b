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
from tests.heldout import folded, readme_tables

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
    assert f"Runs on {nlu['examples']:,} examples in {nlu['intents']} intents" in readme
    used = (
        f"| **words + char 2-5-grams, logistic regression (used)** | 5-fold | **{nlu['accuracy']:.3f}** "
        f"| **{nlu['macro_f1']:.3f}** | **{nlu['weighted_f1']:.3f}** |"
    )
    assert used in readme.splitlines()
    names = [f"`{name}`" for name, _ in nlu["weakest"]]
    scores = [f1 for _, f1 in nlu["weakest"]]
    weakest = f"{', '.join(names[:-1])} and {names[-1]} (F1 {min(scores):.2f}–{max(scores):.2f})"
    assert f"The weakest intents are now {weakest}." in " ".join(readme.split())


def test_make_help_lists_every_target() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    phony = re.search(r"^\.PHONY:(.*)$", makefile, re.MULTILINE)
    assert phony
    helped = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    listed = {line.split()[1] for line in helped.splitlines() if line.startswith("make ")}
    assert set(phony.group(1).split()) <= listed, f"not in `make help`: {set(phony.group(1).split()) - listed}"
    targets = set(re.findall(r"^([a-z][\w-]*):", makefile, re.MULTILINE))
    assert listed <= targets, f"`make help` names targets the Makefile lacks: {listed - targets}"
