"""A noisy neighbour: do other people wait while one client sends the longest messages it can?

Runs our configuration through the real servers: 10 screenings, back to back, alone, then again
while one more client sends messages of the cap's length and of 60,000 characters, without
pause, over the REST channel (each gets the "too long" reply before any NLU). Writes the p95 of
the screenings' turns in both runs, and their ratio, to bench/neighbour.json.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path
from typing import Any

import aiohttp

from bench.run import HERE, run_level
from channels import MAX_MESSAGE_CHARS
from tests.servers import REST_AUTH, Servers, running_servers

PEOPLE = 10


async def _with_a_neighbour(servers: Servers) -> tuple[dict[str, Any], int]:
    stop = asyncio.Event()
    sent = 0

    async def neighbour() -> None:
        nonlocal sent
        url = f"{servers.rasa_url}/webhooks/rest/webhook"
        async with aiohttp.ClientSession(headers=REST_AUTH) as session:
            while not stop.is_set():
                for size in (MAX_MESSAGE_CHARS + 1, 60_000):
                    async with session.post(url, json={"sender": "neighbour", "message": "no " * (size // 3 + 1)}) as r:
                        await r.read()
                    sent += 1

    task = asyncio.create_task(neighbour())
    level = await run_level(servers, PEOPLE, PEOPLE, "neighbour")
    stop.set()
    await task
    return level.summary(), sent


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp, running_servers(Path(tmp)) as servers:
        asyncio.run(run_level(servers, PEOPLE, PEOPLE, "warm-up"))  # neither run pays for a cold start
        alone = asyncio.run(run_level(servers, PEOPLE, PEOPLE, "alone")).summary()
        beside, sent = asyncio.run(_with_a_neighbour(servers))
    result = {
        "people": PEOPLE,
        "alone_p95_ms": alone["p95_ms"],
        "with_neighbour_p95_ms": beside["p95_ms"],
        "ratio": round(beside["p95_ms"] / alone["p95_ms"], 2),
        "neighbour_messages": sent,
        "errors": alone["errors"] + beside["errors"],
    }
    (HERE / "neighbour.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
