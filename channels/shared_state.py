"""The text channels' state in Redis, shared by every Rasa server of a cluster (issue 21).

The same methods as ``channels.text.LocalState``: a "1" that arrives at another server still finds
the options it answers, an opt-out taken by one server silences the person on all of them, and a
WeChat post retried to another server is still answered once (``first_time`` is one atomic
``SET NX``). What is kept, under ``<prefix>:``:

- ``person:<sender>``: the person (address, options, language, opt-out) as JSON, for ``PERSON_S``
  after their last message: the address is needed only to reply while they are screening;
- ``opted_out``: the set of senders who opted out, kept until they opt back in (run Redis with
  append-only persistence, so that one outlives a restart: docs/deploy.md);
- ``seen:...`` and ``value:...``: de-duplication keys and cached values (WeChat's access token),
  each with its own expiry.

The calls are short and synchronous, as Rasa's own ``RedisLockStore`` makes them.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import redis

from channels.text import Person

PERSON_S = 48 * 3600  # as long as WeChat's reply window, twice the conversations' keep time


class RedisState:
    def __init__(self, url: str, prefix: str = "screener:text") -> None:
        self.redis: Any = redis.Redis.from_url(url, decode_responses=True)
        self.prefix = prefix

    def _key(self, *parts: str) -> str:
        return ":".join([self.prefix, *parts])

    def see(self, sender: str, address: str, to_us: str | None = None) -> Person:
        person = self.get(sender)
        if person is None:
            person = Person(address, opted_out=bool(self.redis.sismember(self._key("opted_out"), sender)))
        person.address, person.to_us = address, to_us or person.to_us
        self.keep(sender, person)
        return person

    def get(self, sender: str) -> Person | None:
        kept = self.redis.get(self._key("person", sender))
        return Person(**json.loads(kept)) if kept else None

    def keep(self, sender: str, person: Person) -> None:
        self.redis.set(self._key("person", sender), json.dumps(dataclasses.asdict(person)), ex=PERSON_S)

    def opt_out(self, sender: str, person: Person, opted_out: bool) -> None:
        person.opted_out = opted_out
        if opted_out:
            person.options = []
            self.redis.sadd(self._key("opted_out"), sender)
        else:
            self.redis.srem(self._key("opted_out"), sender)
        self.keep(sender, person)

    def first_time(self, key: str, seconds: float) -> bool:
        return bool(self.redis.set(self._key("seen", key), "1", nx=True, px=max(1, int(seconds * 1000))))

    def cached(self, key: str) -> str | None:
        value = self.redis.get(self._key("value", key))
        return str(value) if value is not None else None

    def cache(self, key: str, value: str, seconds: float) -> None:
        self.redis.set(self._key("value", key), value, px=max(1, int(seconds * 1000)))
