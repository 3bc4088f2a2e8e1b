"""Throughput of one Rasa server against two sharing one deployment, in one run (issue 21).

``python -m bench.cluster`` plays the benchmark's screenings (bench.run's script) back to back at
1, 10 and 50 at once, first on one Rasa server with its action server, then on two Rasa servers
with one action server sharing the conversations, the records, the lock store and the text
channels' state (tests/cluster.py), each message dealt to the next server as a round-robin load
balancer would. It writes bench/cluster.json: messages per second, the latency percentiles, and
the cluster's throughput as a ratio of the single server's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
from pathlib import Path
from typing import Any

from bench.run import HERE, run_level
from tests.cluster import running_cluster, running_redis
from tests.servers import Servers, running_servers

LEVELS = (1, 10, 50)


def _levels(servers: Servers | list[Servers], tag: str, levels: tuple[int, ...]) -> list[dict[str, Any]]:
    asyncio.run(run_level(servers, 10, 10, f"{tag}-warm-up"))  # neither pays for a cold start
    return [asyncio.run(run_level(servers, c, max(c, 10), tag)).summary() for c in levels]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cluster", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "cluster.json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        single, workdir = Path(tmp) / "one", Path(tmp) / "cluster"
        single.mkdir()
        workdir.mkdir()
        with running_servers(single) as servers:
            one = _levels(servers, "one", LEVELS)
        with running_redis(workdir) as url, running_cluster(workdir, url) as cluster:
            two = _levels(cluster, "two", LEVELS)
    report = {
        "one_rasa_server": one,
        "two_rasa_servers": two,
        "throughput_ratio": {
            str(a["concurrency"]): round(b["messages_per_second"] / a["messages_per_second"], 2)
            for a, b in zip(one, two, strict=True)
        },
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report["throughput_ratio"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
