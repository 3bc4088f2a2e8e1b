"""The README's benchmark table, from the last run's bench/results.json.

    python -m bench.readme    # prints the table to paste into README.md

tests/test_readme.py checks that the README's table is this one, so its figures cannot drift
from the committed results.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results.json"
HEADER = ["| | ours | ours ÷ default |", "| --- | --- | --- |"]


def _whole(value: float) -> str:
    return str(int(value + 0.5))  # half up, as people round: 30.5 ms is 31 ms


def _level(configuration: dict[str, Any], at_once: int, paced: bool = False) -> dict[str, Any]:
    return next(x for x in configuration["levels"] if x["concurrency"] == at_once and x["paced"] == paced)


def table(results: dict[str, Any]) -> list[str]:
    ours, default = results["configurations"]["ours"], results["configurations"]["default"]

    def row(label: str, values: list[str], ratios: list[str]) -> str:
        return f"| {label} | {' / '.join(values)} | {' / '.join(ratios)} |"

    def levels(key: str, at: list[int], paced: bool = False) -> tuple[list[float], list[float]]:
        return [_level(ours, c, paced)[key] for c in at], [_level(default, c, paced)[key] for c in at]

    rate, rate_default = levels("messages_per_second", [1, 10, 50])
    p95, p95_default = levels("p95_ms", [1, 10, 50])
    paced, paced_default = levels("p95_ms", [10, 50], paced=True)
    times = [ours["train_seconds"], ours["start_seconds"]]
    times_default = [default["train_seconds"], default["start_seconds"]]
    nlu, nlu_default = ours["nlu"], default["nlu"]

    def ratios(label: str, values: list[float], defaults: list[float], unit: str = "") -> str:
        shown = [_whole(x) + unit for x in values]
        return row(label, shown, [f"{a / b:.2f}" for a, b in zip(values, defaults, strict=True)])

    return [
        *HEADER,
        row(
            "messages/s, back to back, 1 / 10 / 50 at once",
            [_whole(x) for x in rate],
            [f"{a / b:.1f}×" for a, b in zip(rate, rate_default, strict=True)],
        ),
        ratios("p95 turn latency, back to back, 1 / 10 / 50", p95, p95_default, " ms"),
        ratios("p95 turn latency, paced, 10 / 50", paced, paced_default, " ms"),
        ratios("time to train / to start", times, times_default, " s"),
        row(
            "peak memory, Rasa server",
            [f"{ours['peak_rss_mb']['rasa']} MB"],
            [f"{ours['peak_rss_mb']['rasa'] / default['peak_rss_mb']['rasa']:.2f}"],
        ),
        f"| NLU intent accuracy, macro F1 (5-fold CV) | {nlu['accuracy']:.3f}, {nlu['macro_f1']:.3f} "
        f"| default {nlu_default['accuracy']:.3f}, {nlu_default['macro_f1']:.3f} |",
    ]


def main() -> None:
    print("\n".join(table(json.loads(RESULTS.read_text(encoding="utf-8")))))


if __name__ == "__main__":
    main()
