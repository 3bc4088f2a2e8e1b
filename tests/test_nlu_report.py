"""tools/nlu_report.py: the cross-validation figures, for all examples and for each language on its own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.nlu_report import MIN_MACRO_F1, figures, main


def report(folder: Path, rows: list[tuple[str, str, str]]) -> Path:
    """A folder as `rasa test nlu --cross-validation --successes` writes it."""
    folder.mkdir(exist_ok=True)
    right = [
        {"text": t, "intent": i, "intent_prediction": {"name": p, "confidence": 0.9}} for t, i, p in rows if i == p
    ]
    wrong = [
        {"text": t, "intent": i, "intent_prediction": {"name": p, "confidence": 0.5}} for t, i, p in rows if i != p
    ]
    (folder / "intent_successes.json").write_text(json.dumps(right, ensure_ascii=False), encoding="utf-8")
    (folder / "intent_errors.json").write_text(json.dumps(wrong, ensure_ascii=False), encoding="utf-8")
    return folder


ROWS = [
    ("yes", "affirm", "affirm"),
    ("no", "deny", "deny"),
    ("nope", "deny", "affirm"),
    ("是的", "affirm", "affirm"),
    ("没有", "deny", "deny"),
    ("不是", "deny", "deny"),
    ("我在吃MMF", "inform", "inform"),  # Chinese: mostly Chinese characters
    ("I take 美罗华", "inform", "inform"),  # English
]


def test_each_language_is_scored_on_its_own_examples(tmp_path: Path) -> None:
    found = figures(report(tmp_path / "r", ROWS))
    assert found["examples"] == 8
    assert found["languages"]["en"]["examples"] == 4 and found["languages"]["zh"]["examples"] == 4
    assert found["languages"]["zh"]["macro_f1"] == 1.0
    assert found["languages"]["en"]["accuracy"] == 0.75
    assert found["languages"]["en"]["macro_f1"] < 1.0 and found["languages"]["en"]["weakest"][0][0] in (
        "affirm",
        "deny",
    )


def test_a_language_below_the_bar_fails_the_report(tmp_path: Path) -> None:
    folder = report(tmp_path / "r", ROWS)
    with pytest.raises(SystemExit, match=f"below {MIN_MACRO_F1}"):
        main([str(folder), "--out", str(tmp_path / "out.json")])
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["languages"]["zh"]["macro_f1"] == 1.0


def test_without_predictions_it_says_how_to_get_them(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(SystemExit, match="--successes"):
        figures(tmp_path / "empty")
