"""The funnel report: how many people start, agree, finish, stop, get each outcome and ask for a call-back.

    python -m tools.report [DB] [--out build/report]      # make report

Reads the funnel's counts (bot/storage/funnel.py) from the records database (DB, else $SCREENER_DB,
else var/screenings.db) and writes ``funnel.png`` (bars per week; the last question answered by those
who left) and ``funnel.html`` (the tables of counts, the chart inline, a page that stands alone).
Counts only: no reference, no answer, no free text. The coordinator's view shows the same at
``/-/funnel`` (coordinator/plugins/coordinator_view.py calls ``funnel_section``).
"""

from __future__ import annotations

import argparse
import base64
import io
import os
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot import PROJECT_ROOT
from bot.settings import Settings
from bot.storage import funnel
from bot.storage.records import Records

OUT_DIR = PROJECT_ROOT / "build" / "report"
OUTCOMES = tuple(f"outcome:{o}" for o in funnel.OUTCOMES)
# The columns of funnel.weekly, in its order, and the events the chart draws.
COLUMNS = (*funnel.EVENTS, *OUTCOMES)
CHART = ("started", "agreed", "completed", "stopped", *OUTCOMES, "callback_asked")
LABELS = {
    "started": "Started",
    "agreed": "Agreed to keep answers",
    "declined": "Declined to keep answers",
    "completed": "Completed",
    "stopped": "Stopped",
    "callback_offered": "Call-back offered",
    "callback_asked": "Call-back asked for",
    "callback_declined": "Call-back declined",
    "callback_cancelled": "Call-back cancelled",
    "outcome:may_fit": "Outcome: may fit",
    "outcome:needs_team": "Outcome: needs the team",
    "outcome:likely_not": "Outcome: likely not",
}


@dataclass(frozen=True)
class Funnel:
    weekly: list[dict[str, Any]]  # funnel.weekly: one row per week, channel and language
    left: dict[str, int]  # funnel.left_at: question id -> screens standing there
    png: bytes


def read(db: Database) -> Funnel:
    weekly, left = funnel.weekly(db), funnel.left_at(db)
    return Funnel(weekly, left, chart_png(weekly, left))


def by_week(weekly: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Week -> event -> count, summed over channels and languages."""
    weeks: dict[str, dict[str, int]] = {}
    for row in weekly:
        week = weeks.setdefault(row["week"], dict.fromkeys(COLUMNS, 0))
        for column in COLUMNS:
            week[column] += int(row[column] or 0)
    return weeks


def chart_png(weekly: list[dict[str, Any]], left: dict[str, int]) -> bytes:
    # The object API on the Agg canvas: no pyplot state, so the coordinator's view may draw in a thread.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    weeks = by_week(weekly)
    figure = Figure(figsize=(10, 8.5), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    bars, leaving = figure.subplots(2, 1, gridspec_kw={"height_ratios": [3, 2]})

    names = sorted(weeks)
    width = 0.8 / len(CHART)
    for i, event in enumerate(CHART):
        xs = [w + (i - (len(CHART) - 1) / 2) * width for w in range(len(names))]
        bars.bar(xs, [weeks[n][event] for n in names], width, label=LABELS[event])
    bars.set_title("Each week (all channels and languages)")
    bars.set_xticks(range(len(names)), names)
    bars.set_ylabel("people")
    bars.yaxis.set_major_locator(MaxNLocator(integer=True))
    if names:
        bars.legend(fontsize="small", ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.08))
    else:
        bars.text(0.5, 0.5, "Nothing counted yet", ha="center", va="center", transform=bars.transAxes)

    questions = sorted(left, key=lambda q: (-left[q], q))
    leaving.barh(range(len(questions)), [left[q] for q in questions], height=0.6, color="tab:gray")
    leaving.set_yticks(range(len(questions)), questions)
    leaving.invert_yaxis()
    leaving.xaxis.set_major_locator(MaxNLocator(integer=True))
    leaving.set_title("Where people leave: the last question answered (screens not completed)")
    leaving.set_xlabel("screens")
    if not questions:
        leaving.text(0.5, 0.5, "No screen left unfinished", ha="center", va="center", transform=leaving.transAxes)

    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _table(table_id: str, caption: str, head: list[str], rows: list[list[Any]]) -> str:
    th = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    body = (
        "".join(
            "<tr>"
            + "".join(f'<td class="{"n" if isinstance(c, int) else "k"}">{escape(str(c))}</td>' for c in row)
            + "</tr>"
            for row in rows
        )
        or f'<tr><td colspan="{len(head)}">Nothing counted yet.</td></tr>'
    )
    return (
        f'<div class="funnel-scroll"><table id="{table_id}"><caption>{escape(caption)}</caption>'
        f"<thead><tr>{th}</tr></thead><tbody>{body}</tbody></table></div>"
    )


STYLE = """
.funnel-report table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
.funnel-report caption { text-align: left; font-weight: bold; padding: 0.3em 0; }
.funnel-report th, .funnel-report td { border: 1px solid #bbb; padding: 0.25em 0.5em; }
.funnel-report td.n { text-align: right; font-variant-numeric: tabular-nums; }
.funnel-report .funnel-scroll { overflow-x: auto; }
.funnel-report img { max-width: 100%; height: auto; }
"""


def section(report: Funnel) -> str:
    """The report as an HTML fragment: the chart inline, then the tables."""
    weekly = _table(
        "funnel-weekly",
        "Counts by week, channel and language",
        ["Week", "Channel", "Language", *(LABELS[c] for c in COLUMNS)],
        [[r["week"], r["channel"], r["language"], *(int(r[c] or 0) for c in COLUMNS)] for r in report.weekly],
    )
    left = _table(
        "funnel-left",
        "Where people leave: the last question answered by screens not completed (those answering now too)",
        ["Question", "Screens"],
        [[q, n] for q, n in sorted(report.left.items(), key=lambda item: (-item[1], item[0]))],
    )
    image = base64.b64encode(report.png).decode("ascii")
    alt = "Bar charts: each week's counts of " + ", ".join(LABELS[e].lower() for e in CHART)
    alt += "; and the last question answered by those who left."
    return (
        f'<section class="funnel-report"><style>{STYLE}</style>'
        "<p>Counts only: everyone who talks to the screener is counted, by ISO week (Monday first), channel "
        "and language. Nothing about a person is shown.</p>"
        f'<p><img src="data:image/png;base64,{image}" alt="{escape(alt)}" width="1000" height="850"></p>'
        f"{weekly}{left}</section>"
    )


def funnel_section(db: Database) -> str:
    return section(read(db))


def page(report: Funnel) -> str:
    """The report as a page that stands alone (the chart as a data: URI)."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Screening funnel</title></head>"
        '<body style="font-family: sans-serif; margin: 1em;"><h1>Screening funnel</h1>'
        f"{section(report)}</body></html>\n"
    )


def funnel_html(db: Database) -> str:
    return page(read(db))


def write(db: Database, out_dir: Path = OUT_DIR) -> tuple[Path, Path]:
    """funnel.png and funnel.html in ``out_dir``, readable by their owner only."""
    report = read(db)
    out_dir.mkdir(parents=True, exist_ok=True)
    png, html = out_dir / "funnel.png", out_dir / "funnel.html"
    for path, data in ((png, report.png), (html, page(report).encode("utf-8"))):
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        tmp.chmod(0o600)
        tmp.replace(path)
    return png, html


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.report", description="The funnel report.")
    parser.add_argument("db", nargs="?", type=Path, default=Settings.from_env().records_db)
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="directory for funnel.png and funnel.html")
    args = parser.parse_args(argv)
    os.umask(0o077)  # like every command that touches the records: owner only
    records = Records(args.db)
    try:
        png, html = write(records.db, args.out)
    finally:
        records.close()
    print(f"wrote {png} and {html}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
