"""Benchmark whole screenings through the real servers: ``python -m bench.run`` (``make bench``).

Simulated people complete scripted screenings over Rasa's REST channel, with
1, 10 and 50 conversations at once. Reported: per-turn latency (p50, p95,
p99), messages per second, errors, peak memory (RSS) of each server, and the
time the servers take to start. Results go to ``bench/results.md`` and
``bench/results.json`` (kept under version control) and a plot of latency
against concurrency to ``bench/latency.png``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from tests.servers import Servers, running_servers

HERE = Path(__file__).resolve().parent
# A complete screening of someone who may be a fit (greeting, consent, 19 answers, recap).
SCRIPT = [
    "hello", "yes", "I'm 34", "yes", "yes", "UPCR 1.8 g/g", "no", "no", "cellcept and plaquenil", "no",
    "same dose", "no", "no", "no", "no", "no", "no", "no", "no", "no", "yes", "yes",
]  # fmt: skip


@dataclass
class Level:
    concurrency: int
    conversations: int
    turns: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies_ms)
        pct = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) > 1 else lat * 99
        return {
            "concurrency": self.concurrency,
            "conversations": self.conversations,
            "turns": self.turns,
            "errors": self.errors,
            "messages_per_second": round(self.turns / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(pct[49], 1),
            "p95_ms": round(pct[94], 1),
            "p99_ms": round(pct[98], 1),
        }


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, from /proc."""
    total = 0
    for task in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{task}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def _children(pid: int) -> list[int]:
    try:
        kids = [int(k) for k in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return kids + [g for k in kids for g in _children(k)]


class PeakMemory:
    """Samples the RSS of the servers in the background; keeps the peak of each."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids, self.peak = pids, dict.fromkeys(pids, 0.0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            for name, pid in self.pids.items():
                self.peak[name] = max(self.peak[name], rss_mb(pid))

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


async def _person(session: aiohttp.ClientSession, url: str, sender: str, level: Level) -> None:
    for text in SCRIPT:
        started = time.perf_counter()
        try:
            async with session.post(url, json={"sender": sender, "message": text}) as response:
                await response.json()
                if response.status != 200:
                    level.errors += 1
        except (aiohttp.ClientError, asyncio.TimeoutError):
            level.errors += 1
        level.latencies_ms.append((time.perf_counter() - started) * 1000)
        level.turns += 1


async def run_level(servers: Servers, concurrency: int, conversations: int, tag: str) -> Level:
    """``conversations`` screenings, ``concurrency`` of them at any moment."""
    level = Level(concurrency, conversations)
    url = f"{servers.rasa_url}/webhooks/rest/webhook"
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(conversations):
        queue.put_nowait(n)
    timeout = aiohttp.ClientTimeout(total=120)

    async def worker(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            n = queue.get_nowait()
            await _person(session, url, f"bench-{tag}-{concurrency}-{n}", level)

    started = time.perf_counter()
    async with aiohttp.ClientSession(timeout=timeout) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    level.seconds = time.perf_counter() - started
    return level


def benchmark(levels: list[int], conversations_per_level: int | None = None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        with running_servers(Path(tmp)) as servers:
            start_seconds = time.perf_counter() - started
            with PeakMemory(servers.pids) as memory:
                results = [
                    asyncio.run(run_level(servers, c, conversations_per_level or max(c, 10), "our")).summary()
                    for c in levels
                ]
    return {
        "configuration": "ours",
        "start_seconds": round(start_seconds, 1),
        "peak_rss_mb": {k: round(v) for k, v in memory.peak.items()},
        "levels": results,
    }


def write_report(report: dict[str, Any], out: Path) -> None:
    out.joinpath("results.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    lines = [
        "# Benchmark",
        "",
        f"Machine: {report['machine']}. Servers started in {report['start_seconds']} s; "
        f"peak RSS: " + ", ".join(f"{k} {v} MB" for k, v in report["peak_rss_mb"].items()) + ".",
        "",
        "| at once | screenings | turns | errors | msg/s | p50 ms | p95 ms | p99 ms |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for lv in report["levels"]:
        lines.append(
            f"| {lv['concurrency']} | {lv['conversations']} | {lv['turns']} | {lv['errors']} | "
            f"{lv['messages_per_second']} | {lv['p50_ms']} | {lv['p95_ms']} | {lv['p99_ms']} |"
        )
    out.joinpath("results.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _plot(report, out / "latency.png")


def _plot(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    levels = report["levels"]
    x = [lv["concurrency"] for lv in levels]
    fig, ax = plt.subplots(figsize=(6, 4))
    for key in ("p50_ms", "p95_ms", "p99_ms"):
        ax.plot(x, [lv[key] for lv in levels], marker="o", label=key.replace("_ms", ""))
    ax.set(xlabel="conversations at once", ylabel="turn latency (ms)", xscale="log", title="Turn latency")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--levels", default="1,10,50", help="conversations at once, comma-separated")
    parser.add_argument("--conversations", type=int, help="screenings per level (default: max(level, 10))")
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args(argv)
    import os
    import platform

    report = benchmark([int(n) for n in args.levels.split(",")], args.conversations)
    report["machine"] = f"{platform.machine()}, {os.cpu_count()} cores"
    args.out.mkdir(parents=True, exist_ok=True)
    write_report(report, args.out)
    print(args.out.joinpath("results.md").read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
