"""Summarise a Rasa NLU cross-validation report.

    python -m tools.nlu_report build/nlu-report --out docs/nlu-report.json

The summary (``make nlu-report`` writes it) is committed: the README's NLU figures are read from
it, and tests/test_readme.py checks that they match.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

AVERAGES = ("macro avg", "weighted avg", "micro avg")


def _report(report_dir: Path) -> dict[str, Any]:
    return dict(json.loads((report_dir / "intent_report.json").read_text(encoding="utf-8")))


def summary(report_dir: Path) -> dict[str, float]:
    report = _report(report_dir)
    return {
        "accuracy": float(report["accuracy"]),
        "macro_f1": float(report["macro avg"]["f1-score"]),
        "weighted_f1": float(report["weighted avg"]["f1-score"]),
    }


def _intents(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in report.items() if isinstance(v, dict) and "support" in v and k not in AVERAGES}


def weakest(report_dir: Path, count: int = 5) -> list[tuple[str, float]]:
    intents = {k: float(v["f1-score"]) for k, v in _intents(_report(report_dir)).items()}
    return sorted(intents.items(), key=lambda kv: kv[1])[:count]


def figures(report_dir: Path) -> dict[str, Any]:
    """What the README quotes: the data's size, the scores (3 decimals) and the weakest intents."""
    intents = _intents(_report(report_dir))
    return {
        "examples": sum(int(v["support"]) for v in intents.values()),  # each is tested once, in its fold
        "intents": len(intents),
        **{k: round(v, 3) for k, v in summary(report_dir).items()},
        "weakest": [[name, round(f1, 2)] for name, f1 in weakest(report_dir, 3)],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="the folder `rasa test nlu --cross-validation` wrote")
    parser.add_argument("--out", type=Path, help="write the figures here as JSON")
    args = parser.parse_args(argv)
    found = figures(args.report)
    print(json.dumps(found, indent=2))
    if args.out:
        args.out.write_text(json.dumps(found, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
