"""Every text of a trial, side by side in each of its languages, for the site's clinicians to review.

    python -m tools.texts --out build/texts.csv

One row per text: its key (``questions.age.retry``), then the text in each language the trial has
(English, then Chinese). The Chinese wording needs the site's sign-off before launch.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from bot.settings import Settings
from bot.trial.model import translations, trial_file
from bot.trial.texts import text_leaves
from bot.yamlfile import load_yaml


def rows(path: Path) -> list[list[str]]:
    base = load_yaml(path)
    columns = {str(base.get("language", "en")): text_leaves(base)}
    for language, file in translations(path).items():
        columns[language] = dict(load_yaml(file)["texts"])
    keys = list(next(iter(columns.values())))
    return [["key", *columns]] + [
        [key, *(" ".join(str(c.get(key, "")).split()) for c in columns.values())] for key in keys
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trial", help="a registry id or a path (default: the trial served)")
    parser.add_argument("--out", type=Path, default=Path("build/texts.csv"))
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # UTF-8 with a byte-order mark, so a spreadsheet opens the Chinese as Chinese.
    with args.out.open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out).writerows(rows(trial_file(args.trial or Settings.from_env().trial)))
    print(f"{args.out}: every text of the trial, by key, in each language")


if __name__ == "__main__":
    main()
