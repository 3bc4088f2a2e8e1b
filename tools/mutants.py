"""Mutants that a test must kill: each is one small change that makes the screener less safe.

`make mutants` applies each in turn to the working tree, rebuilds the spaCy pipeline when a lexicon
file changed, runs the tests named for it, checks that at least one fails, and restores the file.
The list holds the survivors of test audit 2 (M7-M11) and those issue 17 names: a flipped combining
rule of the red-flag layers, a dropped change verb, a broken CJK year boundary.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]  # pytest arguments


MUTANTS = (
    Mutant(
        "M7 live-vaccine margin 14 -> 7",
        "trials/NCT05631717.yml",
        "      window_days: 84\n      margin_days: 14\n    reasons:\n      none: You have not had a live vaccine",
        "      window_days: 84\n      margin_days: 7\n    reasons:\n      none: You have not had a live vaccine",
        ("tests/test_trial_file.py", "tests/test_safety.py", "-k", "margins or windows"),
    ),
    Mutant(
        "M8 guselkumab marked an everyday medicine",
        "lexicon/medicines.yml",
        "  - id: guselkumab\n    class: biologic",
        "  - id: guselkumab\n    class: other_common",
        ("tests/test_lexicon_classes.py",),
    ),
    Mutant(
        "M9 除了 no longer ends a clause",
        "bot/reading/clauses.py",
        "但是|不过|除了|另外",
        "但是|不过|另外",
        ("tests/test_facts.py", "-k", "contrast_word"),
    ),
    Mutant(
        "M10 negation reach 4 -> 6",
        "bot/reading/clauses.py",
        "_NEGATION_REACH = 4",
        "_NEGATION_REACH = 6",
        ("tests/test_safety.py", "-k", "far_negations"),
    ),
    Mutant(
        "M11 corrections try vaccines before conditions",
        "bot/session/corrections.py",
        '"medicine_list", "condition", "procedure", "vaccine"',
        '"medicine_list", "vaccine", "condition", "procedure"',
        ("tests/test_corrections.py",),
    ),
    Mutant(
        "the red-flag layers' combining rule flipped",
        "rasa_plugins/red_flag_intent.py",
        ">= threshold and not ruled_out:",
        ">= threshold and ruled_out:",
        ("tests/test_red_flag_layers.py",),
    ),
    Mutant(
        "a change verb dropped ('upped')",
        "lexicon/en.yml",
        '"not same as before", "not the same amount", upped, "bumped up",',
        '"not same as before", "not the same amount", "bumped up",',
        ("tests/test_facts.py", "-k", "change_or_a_recent_start"),
    ),
    Mutant(
        "a broken CJK year boundary",
        "bot/reading/ages.py",
        '_YEAR = re.compile(r"(?<![0-9A-Za-z])((?:19|20)\\d\\d)(?![0-9A-Za-z])',
        '_YEAR = re.compile(r"\\b((?:19|20)\\d\\d)\\b',
        ("tests/test_chinese.py",),
    ),
)
LEXICON_FILES = ("lexicon/medicines.yml", "lexicon/vaccines.yml", "lexicon/procedures.yml", "lexicon/conditions.yml")


def _rebuild() -> None:
    subprocess.run([sys.executable, "-m", "bot.reading.nlp", "build"], cwd=ROOT, check=True, capture_output=True)


def killed(mutant: Mutant) -> bool:
    """Whether a test fails with the mutant in place. The file is restored whatever happens."""
    path = ROOT / mutant.path
    original = path.read_text(encoding="utf-8")
    if original.count(mutant.old) != 1:
        raise SystemExit(f"{mutant.name}: the code it changes is not there once ({mutant.path})")
    try:
        path.write_text(original.replace(mutant.old, mutant.new), encoding="utf-8")
        if mutant.path in LEXICON_FILES:
            _rebuild()
        command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *mutant.tests]
        return subprocess.run(command, cwd=ROOT, capture_output=True).returncode != 0
    finally:
        path.write_text(original, encoding="utf-8")
        if mutant.path in LEXICON_FILES:
            _rebuild()


def main() -> int:
    argparse.ArgumentParser(description=__doc__).parse_args()
    survivors = []
    for mutant in MUTANTS:
        dead = killed(mutant)
        print(f"{'killed  ' if dead else 'SURVIVED'}  {mutant.name}", flush=True)
        if not dead:
            survivors.append(mutant.name)
    print(f"{len(MUTANTS) - len(survivors)} of {len(MUTANTS)} killed")
    return 1 if survivors else 0


if __name__ == "__main__":
    raise SystemExit(main())
