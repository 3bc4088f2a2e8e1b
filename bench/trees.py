"""CPU per message of this tree against another, in alternation: ``python -m bench.trees ../before``.

A change must not make the screener slower per message. Each round starts both servers of one tree
(its own code, model and credentials), plays a few screenings to warm up, then screenings back to
back, one at a time (bench.run's script), and reads the CPU time both servers' processes spent
(user + system, from /proc) per message. The trees take turns (before, after, after, before, ...), so
a busy neighbour falls on both; the figure to read is the ratio of the medians. CPU time, unlike
latency, hardly moves when the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.run import SCRIPT, _children
from bot import PROJECT_ROOT
from tests.servers import running_servers

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User and system time of a process and its children, from /proc."""
    total = 0
    for task in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{task}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / TICKS


def one_round(root: Path, screenings: int, warm_up: int = 3) -> dict[str, float]:
    """CPU milliseconds per message and median turn milliseconds of ``root``'s servers."""
    with (
        tempfile.TemporaryDirectory() as workdir,
        running_servers(
            Path(workdir), model=root / "models" / "screener.tar.gz", credentials=root / "credentials.yml", root=root
        ) as servers,
    ):
        for n in range(warm_up):
            for text in SCRIPT:
                servers.say(f"warm-{n}", text)
        before = sum(cpu_seconds(pid) for pid in servers.pids.values())
        turns: list[float] = []
        for n in range(screenings):
            for text in SCRIPT:
                started = time.perf_counter()
                servers.say(f"bench-{n}", text)
                turns.append((time.perf_counter() - started) * 1000)
        spent = sum(cpu_seconds(pid) for pid in servers.pids.values()) - before
    return {"cpu_ms_per_message": round(spent * 1000 / len(turns), 2), "p50_ms": round(statistics.median(turns), 1)}


def compare(other: Path, rounds: int, screenings: int) -> dict[str, Any]:
    runs: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
    trees = {"before": other, "after": PROJECT_ROOT}
    for r in range(rounds):
        order = ("before", "after") if r % 2 == 0 else ("after", "before")
        for name in order:
            runs[name].append(one_round(trees[name], screenings))
            print(name, runs[name][-1], flush=True)
    medians = {
        name: {key: statistics.median(run[key] for run in found) for key in found[0]} for name, found in runs.items()
    }
    ratios = {key: round(medians["after"][key] / medians["before"][key], 3) for key in medians["after"]}
    return {"rounds": runs, "medians": medians, "after_over_before": ratios}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", type=Path, help="the other tree (a git worktree with its venv-built model)")
    parser.add_argument("--rounds", type=int, default=4, help="rounds of each tree, in alternation")
    parser.add_argument("--screenings", type=int, default=10, help="screenings per round")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args(argv)
    result = compare(args.before.resolve(), args.rounds, args.screenings)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
