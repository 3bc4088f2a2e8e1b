"""The benchmark harness works (figures themselves come from `make bench`, not from tests)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from bench import run as bench_run
from bench.run import SCRIPT, rss_mb, run_level, write_report
from bench.trees import cpu_seconds
from tests.servers import Servers

pytestmark = pytest.mark.servers


def test_a_small_run_completes_screenings_and_writes_the_report(servers: Servers, tmp_path: Path) -> None:
    level = asyncio.run(run_level(servers, concurrency=2, conversations=2, tag="smoke"))
    summary = level.summary()
    assert (summary["turns"], summary["errors"]) == (2 * len(SCRIPT), 0)
    assert 0 < summary["p50_ms"] <= summary["p95_ms"] <= summary["p99_ms"]
    paced = asyncio.run(run_level(servers, concurrency=2, conversations=2, tag="smoke-paced", pause=(0.01, 0.02)))
    assert paced.summary()["paced"] and paced.summary()["errors"] == 0
    run: dict[str, Any] = {
        "train_seconds": 10.0,
        "start_seconds": 1.0,
        "peak_rss_mb": {k: round(rss_mb(pid)) for k, pid in servers.pids.items()},
        "levels": [summary, paced.summary()],
        "nlu": {"accuracy": 0.9, "macro_f1": 0.9, "weighted_f1": 0.9},
    }
    assert all(mb > 50 for mb in run["peak_rss_mb"].values())
    slower = {
        **run,
        "levels": [{**summary, "messages_per_second": summary["messages_per_second"] / 2}, paced.summary()],
    }
    report = {"machine": "test", "note": "", "configurations": {"ours": run, "default": slower}}
    write_report(report, tmp_path)
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved["configurations"]["ours"]["levels"][0]["turns"] == 2 * len(SCRIPT)
    text = (tmp_path / "results.md").read_text()
    assert "| 2 | 2 |" in text
    assert "| messages/s, 2 at once |" in text and "| 2.00 |" in text, "the ratio of the two configurations"
    assert "| p95 turn latency (ms), 2, paced (1-4 s per answer) at once |" in text
    assert "messages/s, 2, paced" not in text, "paced people set their own pace"
    assert (tmp_path / "latency.png").stat().st_size > 1000


def test_both_configurations_are_cross_validated_on_the_same_stratified_folds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rasa.shared.nlu.training_data.loading import load_data

    monkeypatch.setattr(bench_run, "BUILD", tmp_path / "first")
    first = bench_run.nlu_folds()
    monkeypatch.setattr(bench_run, "BUILD", tmp_path / "again")
    again = bench_run.nlu_folds()
    assert len(first) == bench_run.FOLDS
    texts = [[[m.get("text") for m in load_data(str(p)).intent_examples] for p in fold] for fold in first]
    assert texts == [[[m.get("text") for m in load_data(str(p)).intent_examples] for p in fold] for fold in again]
    everything = sorted(m.get("text") for m in load_data("data/nlu").intent_examples)
    assert sorted(t for _, test in texts for t in test) == everything, "each example is tested exactly once"
    for train, test in texts:
        assert sorted(train + test) == everything
    intents = {m.get("intent") for m in load_data("data/nlu").intent_examples}
    for _, test_path in first:
        assert {m.get("intent") for m in load_data(str(test_path)).intent_examples} == intents, "stratified"


def test_cpu_time_of_the_servers_grows_with_the_messages_they_read(servers: Servers) -> None:
    before = sum(cpu_seconds(pid) for pid in servers.pids.values())
    for text in SCRIPT:
        servers.say("cpu-probe", text)
    spent = sum(cpu_seconds(pid) for pid in servers.pids.values()) - before
    assert 0 < spent < 60, spent
