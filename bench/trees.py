"""CPU per message of this tree against another: ``python -m bench.trees ../before``.

A change must not make the screener slower per message. Each round starts the servers of both trees
at once (each its own code, model and credentials), plays a few screenings on each to warm up, then
screenings one at a time (bench.run's script), taking turns between the trees screening by screening
(before, after, after, before, ...), and reads the CPU time each server's processes spent (user +
system, from /proc) per message. Taking turns so often lets a neighbour or a change of clock speed
fall on both trees alike: the figures of one tree move by a quarter from round to round here, their
ratio by a few hundredths. CPU time, unlike latency, hardly moves when the machine is shared.
"""

from __future__ import annotations

import argparse
import contextlib
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


def one_round(trees: dict[str, Path], screenings: int, warm_up: int = 3) -> dict[str, dict[str, float]]:
    """For each tree: CPU milliseconds per message, in all and per server, and median turn milliseconds."""
    with contextlib.ExitStack() as stack:
        running = {
            name: stack.enter_context(
                running_servers(
                    Path(stack.enter_context(tempfile.TemporaryDirectory())),
                    model=root / "models" / "screener.tar.gz",
                    credentials=root / "credentials.yml",
                    root=root,
                )
            )
            for name, root in trees.items()
        }
        for servers in running.values():
            for n in range(warm_up):
                for text in SCRIPT:
                    servers.say(f"warm-{n}", text)
        spent = {name: dict.fromkeys(servers.pids, 0.0) for name, servers in running.items()}
        turns: dict[str, list[float]] = {name: [] for name in running}
        names = list(running)
        for n in range(screenings):
            for name in names if n % 2 == 0 else names[::-1]:
                servers = running[name]
                before = {server: cpu_seconds(pid) for server, pid in servers.pids.items()}
                for text in SCRIPT:
                    started = time.perf_counter()
                    servers.say(f"bench-{n}", text)
                    turns[name].append((time.perf_counter() - started) * 1000)
                for server, pid in servers.pids.items():
                    spent[name][server] += cpu_seconds(pid) - before[server]
    figures = {}
    for name, cpu in spent.items():
        count = len(turns[name])
        figures[name] = {
            "cpu_ms_per_message": round(sum(cpu.values()) * 1000 / count, 2),
            **{f"{server}_cpu_ms": round(seconds * 1000 / count, 2) for server, seconds in cpu.items()},
            "p50_ms": round(statistics.median(turns[name]), 1),
        }
    return figures


def compare(other: Path, rounds: int, screenings: int, this: Path = PROJECT_ROOT) -> dict[str, Any]:
    runs: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
    for r in range(rounds):
        trees = {"before": other, "after": this} if r % 2 == 0 else {"after": this, "before": other}
        for name, figures in one_round(trees, screenings).items():
            runs[name].append(figures)
        ratio = runs["after"][-1]["cpu_ms_per_message"] / runs["before"][-1]["cpu_ms_per_message"]
        print(f"round {r + 1}:", runs["before"][-1], runs["after"][-1], f"after/before {ratio:.3f}", flush=True)
    medians = {
        name: {key: statistics.median(run[key] for run in found) for key in found[0]} for name, found in runs.items()
    }
    ratios = {key: round(medians["after"][key] / medians["before"][key], 3) for key in medians["after"]}
    return {"rounds": runs, "medians": medians, "after_over_before": ratios}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", type=Path, help="the other tree (a git worktree with its venv-built model)")
    parser.add_argument("--after", type=Path, default=PROJECT_ROOT, help="the tree after the change (default: this)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, each starting both trees' servers afresh")
    parser.add_argument("--screenings", type=int, default=20, help="screenings of each tree per round")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args(argv)
    result = compare(args.before.resolve(), args.rounds, args.screenings, args.after.resolve())
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
