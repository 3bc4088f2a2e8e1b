"""The README's safety figures are the ones `make safety-report` last wrote (docs/safety-report.json)."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_safety_figures_in_the_readme_match_the_report() -> None:
    figures = json.loads((ROOT / "docs" / "safety-report.json").read_text(encoding="utf-8"))["figures"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = {
        "excluding facts played": f"{figures['excluding']['cases']:,} ({figures['false_may_fit']})",
        "two items with two times": f"{figures['two_times']['cases']:,} ({figures['two_times']['failed']})",
        "harmless answers": f"{figures['harmless']['cases']:,} ({figures['harmless']['failed']})",
        "what only the study team": f"{figures['route']['cases']:,} ({figures['route']['failed']})",
        "red-flag phrases caught": (
            f"{round(figures['red_flag_recall'] * figures['red_flag_phrases'])} of {figures['red_flag_phrases']} / "
            f"{round(figures['false_alarm_rate'] * figures['ordinary_phrases'])} of {figures['ordinary_phrases']}"
        ),
    }
    for label, value in rows.items():
        line = next(line for line in readme.splitlines() if line.startswith(f"| {label}"))
        assert line.endswith(f"| {value} |"), f"README says {line!r}; the report says {value}"
