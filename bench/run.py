"""Benchmark whole screenings through the real servers: ``python -m bench.run`` (``make bench``).

Two configurations, one after the other in the same run on the same machine:

- ``ours``: config.yml (our spaCy pipeline, logistic regression, rules) with
  our speed-ups to Rasa and our SQLite conversation store;
- ``default``: Rasa's own default (what ``rasa init`` trains: DIET, TED,
  memoization and rules; bench/default-config.yml) with stock Rasa, its SQL
  tracker store on SQLite and its REST channel,

both trained here on the same data with the same domain and action server.
For each: time to train, time to start, simulated people completing scripted
screenings over the REST channel at 1, 10 and 50 conversations at once, each
answering as soon as the reply arrives, then at 10 and 50 again with people
taking 1-4 s to read and answer (per-turn p50 / p95 / p99, messages per
second, errors), peak memory (RSS) of each server, and intent accuracy / F1
by 5-fold cross-validation of the NLU data (the same folds for both).
Results go to ``bench/results.md`` and ``bench/results.json`` (under version
control) and a plot of latency against concurrency to ``bench/latency.png``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bot import PROJECT_ROOT
from tests.servers import (
    CREDENTIALS,
    OUR_RASA,
    OUR_STORE,
    RASA,
    REST_AUTH,
    STOCK_RASA,
    STOCK_STORE,
    Servers,
    running_servers,
)
from tools.nlu_report import summary as nlu_summary

HERE = Path(__file__).resolve().parent
BUILD = PROJECT_ROOT / "build" / "bench"
CONFIGURATIONS: dict[str, dict[str, Any]] = {
    "ours": {
        "config": PROJECT_ROOT / "config.yml",
        "tracker_store": OUR_STORE,
        "credentials": CREDENTIALS,
        "rasa": OUR_RASA,  # with our patches (rasa_plugins/__main__.py)
    },
    # Stock Rasa throughout: `rasa run`, its own tracker store and its own REST channel.
    "default": {
        "config": HERE / "default-config.yml",
        "tracker_store": STOCK_STORE,
        "credentials": HERE / "default-credentials.yml",
        "rasa": STOCK_RASA,
    },
}
# A complete screening of someone who may be a fit (greeting, consent, 20 answers, recap).
FOLDS = 5  # NLU cross-validation
AIM_P95_MS = 150  # issue 5: p95 turn latency at 10 conversations back to back
PAUSE = (1.0, 4.0)  # seconds a paced person takes to read a reply and answer
SCRIPT = [
    "hello", "yes", "I'm 34", "yes", "yes", "UPCR 1.8 g/g", "no", "no", "no", "cellcept and plaquenil", "no",
    "same dose", "no", "no", "no", "no", "no", "no", "no", "no", "no", "yes", "yes",
]  # fmt: skip


@dataclass
class Level:
    concurrency: int
    conversations: int
    paced: bool = False
    turns: int = 0
    dealt: int = 0  # messages sent so far, to deal them between servers
    errors: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies_ms)
        pct = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) > 1 else lat * 99
        return {
            "concurrency": self.concurrency,
            "conversations": self.conversations,
            "paced": self.paced,
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


async def _person(
    session: aiohttp.ClientSession,
    urls: list[str],
    sender: str,
    level: Level,
    pause: tuple[float, float] | None = None,
) -> None:
    rng = random.Random(sender)
    for text in SCRIPT:
        if pause:  # reading the reply and typing the answer
            await asyncio.sleep(rng.uniform(*pause))
        started = time.perf_counter()
        url = urls[level.dealt % len(urls)]  # several servers: round robin, as a load balancer deals messages
        level.dealt += 1
        try:
            async with session.post(url, json={"sender": sender, "message": text}) as response:
                await response.json()
                if response.status != 200:
                    level.errors += 1
        except (aiohttp.ClientError, asyncio.TimeoutError):
            level.errors += 1
        level.latencies_ms.append((time.perf_counter() - started) * 1000)
        level.turns += 1


async def run_level(
    servers: Servers | list[Servers],
    concurrency: int,
    conversations: int,
    tag: str,
    pause: tuple[float, float] | None = None,
) -> Level:
    """``conversations`` screenings, ``concurrency`` of them at any moment, their messages dealt
    between the Rasa servers if there are several.

    Back to back unless ``pause`` gives the (min, max) seconds a person takes
    before each answer.
    """
    level = Level(concurrency, conversations, paced=pause is not None)
    urls = [f"{s.rasa_url}/webhooks/rest/webhook" for s in (servers if isinstance(servers, list) else [servers])]
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(conversations):
        queue.put_nowait(n)
    timeout = aiohttp.ClientTimeout(total=120)

    async def worker(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            n = queue.get_nowait()
            await _person(session, urls, f"bench-{tag}-{concurrency}-{n}", level, pause)

    started = time.perf_counter()
    async with aiohttp.ClientSession(timeout=timeout, headers=REST_AUTH) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    level.seconds = time.perf_counter() - started
    return level


def _rasa(*args: str, log: Path) -> float:
    """Run a rasa command; its duration in seconds."""
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "RASA_TELEMETRY_ENABLED": "false",
    }
    started = time.perf_counter()
    with log.open("wb") as out:
        done = subprocess.run([str(RASA), *args], cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode:
        sys.exit(f"`rasa {args[0]}` failed, see {log}")
    return time.perf_counter() - started


def train(name: str, config: Path) -> tuple[Path, float]:
    """A fresh model (no training cache: --force); its path and the seconds it took."""
    BUILD.mkdir(parents=True, exist_ok=True)
    seconds = _rasa(
        "train", "--config", str(config), "--out", str(BUILD), "--fixed-model-name", name, "--force",
        log=BUILD / f"train-{name}.log",
    )  # fmt: skip
    return BUILD / f"{name}.tar.gz", seconds


def nlu_folds(folds: int = FOLDS) -> list[tuple[Path, Path]]:
    """Fixed stratified folds of the NLU data, the same for every configuration.

    Rasa's own ``--cross-validation`` draws new folds on every run, so two
    configurations would be tested on different splits.
    """
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from sklearn.model_selection import StratifiedKFold

    data = load_data(str(PROJECT_ROOT / "data" / "nlu"))
    examples = data.intent_examples
    labels = [example.get("intent") for example in examples]
    paths = []
    splits = StratifiedKFold(folds, shuffle=True, random_state=2022).split(examples, labels)
    for k, (train, test) in enumerate(splits):
        out = BUILD / "folds" / str(k)
        out.mkdir(parents=True, exist_ok=True)
        for part, indices in (("train", train), ("test", test)):
            RasaYAMLWriter().dump(
                out / f"{part}.yml",
                TrainingData(
                    [examples[i] for i in indices],
                    entity_synonyms=data.entity_synonyms,
                    regex_features=data.regex_features,
                    lookup_tables=data.lookup_tables,
                ),
            )
        paths.append((out / "train.yml", out / "test.yml"))
    return paths


def evaluate_nlu(name: str, config: Path, folds: list[tuple[Path, Path]]) -> dict[str, float]:
    """Intent accuracy and F1, the mean over the folds of training on the rest and testing on the fold."""
    scores = []
    for k, (training, test) in enumerate(folds):
        model = f"nlu-{name}-{k}"
        _rasa(
            "train", "nlu", "--nlu", str(training), "--config", str(config), "--out", str(BUILD),
            "--fixed-model-name", model, log=BUILD / f"{model}-train.log",
        )  # fmt: skip
        _rasa(
            "test", "nlu", "--model", str(BUILD / f"{model}.tar.gz"), "--nlu", str(test), "--out", str(BUILD / model),
            log=BUILD / f"{model}-test.log",
        )  # fmt: skip
        scores.append(nlu_summary(BUILD / model))
    return {key: round(statistics.mean(s[key] for s in scores), 3) for key in scores[0]}


def benchmark(
    levels: list[int],
    conversations_per_level: int | None = None,
    model: Path | None = None,
    tracker_store: str = OUR_STORE,
    paced_levels: list[int] | None = None,
    credentials: Path = CREDENTIALS,
    rasa: tuple[str, ...] = OUR_RASA,
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        kwargs: dict[str, Any] = {"model": model} if model else {}
        with running_servers(
            Path(tmp), tracker_store=tracker_store, credentials=credentials, rasa=rasa, **kwargs
        ) as servers:
            start_seconds = time.perf_counter() - started
            with PeakMemory(servers.pids) as memory:
                results = [
                    asyncio.run(run_level(servers, c, conversations_per_level or max(c, 10), "run")).summary()
                    for c in levels
                ]
                results += [asyncio.run(run_level(servers, c, c, "paced", PAUSE)).summary() for c in paced_levels or []]
    return {
        "start_seconds": round(start_seconds, 1),
        "peak_rss_mb": {k: round(v) for k, v in memory.peak.items()},
        "levels": results,
    }


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "-"


def write_report(report: dict[str, Any], out: Path) -> None:
    out.joinpath("results.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    runs = report["configurations"]
    names = list(runs)
    lines = ["# Benchmark", "", f"Machine: {report['machine']}. {report['note']}", ""]
    if len(names) == 2:
        ours, other = (runs[n] for n in names)
        lines += [f"| | {names[0]} | {names[1]} | {names[0]} ÷ {names[1]} |", "| --- | --- | --- | --- |"]
        rows: list[tuple[str, float, float]] = []
        for key, label in (("train_seconds", "time to train (s)"), ("start_seconds", "time to start (s)")):
            if key in ours and key in other:
                rows.append((label, ours[key], other[key]))
        for server in ours["peak_rss_mb"]:
            rows.append((f"peak RSS, {server} (MB)", ours["peak_rss_mb"][server], other["peak_rss_mb"][server]))
        for mine, theirs in zip(ours["levels"], other["levels"], strict=True):
            at = _at_once(mine)
            if not mine.get("paced"):  # paced people set the pace themselves: msg/s says nothing
                rows.append((f"messages/s, {at}", mine["messages_per_second"], theirs["messages_per_second"]))
            rows.append((f"p95 turn latency (ms), {at}", mine["p95_ms"], theirs["p95_ms"]))
        for key in ("accuracy", "macro_f1", "weighted_f1"):
            if "nlu" in ours and "nlu" in other:
                label = f"NLU intent {key.replace('_', ' ')} ({FOLDS}-fold cross-validation)"
                rows.append((label, ours["nlu"][key], other["nlu"][key]))
        lines += [f"| {label} | {a} | {b} | {ratio(a, b)} |" for label, a, b in rows]
        lines.append("")
    for name in names:
        run = runs[name]
        lines += [
            f"## {name}",
            "",
            f"Servers started in {run['start_seconds']} s; peak RSS: "
            + ", ".join(f"{k} {v} MB" for k, v in run["peak_rss_mb"].items())
            + (f"; trained in {run['train_seconds']} s." if "train_seconds" in run else "."),
            "",
            "| at once | screenings | turns | errors | msg/s | p50 ms | p95 ms | p99 ms |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for lv in run["levels"]:
            lines.append(
                f"| {_at_once(lv).removesuffix(' at once')} | {lv['conversations']} | {lv['turns']} | {lv['errors']} | "
                f"{lv['messages_per_second']} | {lv['p50_ms']} | {lv['p95_ms']} | {lv['p99_ms']} |"
            )
        lines.append("")
    out.joinpath("results.md").write_text("\n".join(lines), encoding="utf-8")
    _plot(report, out / "latency.png")


def _at_once(level: dict[str, Any]) -> str:
    paced = f", paced ({PAUSE[0]:g}-{PAUSE[1]:g} s per answer)" if level.get("paced") else ""
    return f"{level['concurrency']}{paced} at once"


def _plot(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 4))
    for (name, run), colour in zip(report["configurations"].items(), ("tab:blue", "tab:orange"), strict=False):
        for paced, style in ((False, "-"), (True, ":")):
            levels = [lv for lv in run["levels"] if bool(lv.get("paced")) == paced]
            if not levels:
                continue
            x = [lv["concurrency"] for lv in levels]
            label = f"{name}{', paced' if paced else ''}"
            ax.plot(x, [lv["p95_ms"] for lv in levels], marker="o", ls=style, color=colour, label=f"{label} p95")
            if not paced:
                ax.plot(x, [lv["p50_ms"] for lv in levels], marker=".", ls="--", color=colour, label=f"{label} p50")
    ax.axhline(AIM_P95_MS, color="grey", lw=0.8, ls="-.", label=f"aim: p95 under {AIM_P95_MS} ms at 10")
    ax.set(xlabel="conversations at once", ylabel="turn latency (ms)", xscale="log", yscale="log")
    ax.set_title("Turn latency against concurrency")
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", default="1,10,50", help="conversations at once, comma-separated")
    parser.add_argument("--conversations", type=int, help="screenings per level (default: max(level, 10))")
    parser.add_argument("--paced", default="10,50", help="also these levels with people pausing; '' for none")
    parser.add_argument("--configurations", default="ours,default", help="which, comma-separated")
    parser.add_argument("--no-nlu", action="store_true", help="skip the NLU evaluation")
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args(argv)

    levels = [int(n) for n in args.levels.split(",")]
    folds = None if args.no_nlu else nlu_folds()
    runs: dict[str, Any] = {}
    for name in args.configurations.split(","):
        setup = CONFIGURATIONS[name]
        print(f"{name}: training...", flush=True)
        model, train_seconds = train(name, setup["config"])
        print(f"{name}: screenings at {args.levels} at once...", flush=True)
        runs[name] = {"train_seconds": round(train_seconds, 1)}
        paced = [int(n) for n in args.paced.split(",") if n]
        runs[name].update(
            benchmark(
                levels, args.conversations, model, setup["tracker_store"], paced, setup["credentials"], setup["rasa"]
            )
        )
        if folds:
            print(f"{name}: NLU {FOLDS}-fold cross-validation...", flush=True)
            runs[name]["nlu"] = evaluate_nlu(name, setup["config"], folds)
    report = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "note": "Both configurations measured one after the other in this run; compare the ratios, "
        "not the absolute figures (the machine is shared).",
        "configurations": runs,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    write_report(report, args.out)
    print(args.out.joinpath("results.md").read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
