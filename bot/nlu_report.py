"""Summarise a Rasa NLU cross-validation report: ``python -m bot.nlu_report build/nlu-report``."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def summary(report_dir: Path) -> dict[str, float]:
    report = json.loads((report_dir / "intent_report.json").read_text(encoding="utf-8"))
    return {
        "accuracy": float(report["accuracy"]),
        "macro_f1": float(report["macro avg"]["f1-score"]),
        "weighted_f1": float(report["weighted avg"]["f1-score"]),
    }


def weakest(report_dir: Path, count: int = 5) -> list[tuple[str, float]]:
    report = json.loads((report_dir / "intent_report.json").read_text(encoding="utf-8"))
    intents = {k: v["f1-score"] for k, v in report.items() if isinstance(v, dict) and "support" in v}
    intents = {k: v for k, v in intents.items() if k not in ("macro avg", "weighted avg", "micro avg")}
    return sorted(intents.items(), key=lambda kv: kv[1])[:count]


if __name__ == "__main__":
    directory = Path(sys.argv[1])
    for name, value in summary(directory).items():
        print(f"{name}: {value:.3f}")
    print("weakest intents: " + ", ".join(f"{k} {v:.2f}" for k, v in weakest(directory)))
