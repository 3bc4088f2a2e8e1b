"""Summarise a Rasa NLU cross-validation report, for all examples and for each language on its own.

    python -m tools.nlu_report build/nlu-report --out docs/nlu-report.json

Rasa's cross-validation writes every held-out prediction of its folds (``intent_successes.json``
with ``--successes``, and ``intent_errors.json``); the figures per language are computed from those,
an example being Chinese when it is written mostly in Chinese characters (bot/language.py), as the
conversation decides. The summary (``make nlu-report`` writes it) is committed: the README's NLU
figures are read from it, and tests/test_readme.py checks that they match.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from sklearn.metrics import accuracy_score, f1_score

from bot.language import mostly_chinese

LANGUAGES = ("en", "zh")
MIN_MACRO_F1 = 0.95  # each language on its own (issue 18)


def summary(report_dir: Path) -> dict[str, float]:
    """Accuracy and F1 over all examples, from Rasa's own ``intent_report.json`` (bench/run.py's folds)."""
    report = json.loads((report_dir / "intent_report.json").read_text(encoding="utf-8"))
    return {
        "accuracy": float(report["accuracy"]),
        "macro_f1": float(report["macro avg"]["f1-score"]),
        "weighted_f1": float(report["weighted avg"]["f1-score"]),
    }


def predictions(report_dir: Path) -> list[tuple[str, str, str]]:
    """(text, intent, predicted) for every example, each predicted once, in the fold that held it out."""
    found = []
    for name in ("intent_successes.json", "intent_errors.json"):
        path = report_dir / name
        for row in json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []:
            found.append((str(row["text"]), str(row["intent"]), str(row["intent_prediction"]["name"])))
    return found


def language_of(text: str) -> str:
    return "zh" if mostly_chinese(text) else "en"


def scores(rows: list[tuple[str, str, str]]) -> dict[str, Any]:
    """Accuracy, macro and weighted F1 over the intents that have examples here; the weakest three."""
    truth, guess = [r[1] for r in rows], [r[2] for r in rows]
    intents = sorted(set(truth))
    per_intent = f1_score(truth, guess, labels=intents, average=None, zero_division=0)
    weakest = sorted(zip(intents, per_intent, strict=True), key=lambda kv: kv[1])[:3]
    return {
        "examples": len(rows),
        "intents": len(intents),
        "accuracy": round(float(accuracy_score(truth, guess)), 3),
        "macro_f1": round(float(f1_score(truth, guess, labels=intents, average="macro", zero_division=0)), 3),
        "weighted_f1": round(float(f1_score(truth, guess, labels=intents, average="weighted", zero_division=0)), 3),
        "weakest": [[name, round(float(f1), 2)] for name, f1 in weakest],
    }


def figures(report_dir: Path) -> dict[str, Any]:
    """What the README quotes: all examples, then each language's own figures."""
    rows = predictions(report_dir)
    if not rows:
        raise SystemExit(f"no predictions in {report_dir}: run the cross-validation with --successes")
    by_language = {lang: [r for r in rows if language_of(r[0]) == lang] for lang in LANGUAGES}
    return {**scores(rows), "languages": {lang: scores(found) for lang, found in by_language.items()}}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="the folder `rasa test nlu --cross-validation --successes` wrote")
    parser.add_argument("--out", type=Path, help="write the figures here as JSON")
    args = parser.parse_args(argv)
    found = figures(args.report)
    print(json.dumps(found, indent=2, ensure_ascii=False))
    if args.out:
        args.out.write_text(json.dumps(found, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    low = {lang: f["macro_f1"] for lang, f in found["languages"].items() if f["macro_f1"] < MIN_MACRO_F1}
    if low:
        raise SystemExit(f"macro-F1 below {MIN_MACRO_F1} in {low}")


if __name__ == "__main__":
    main()
