"""Rasa's Redis lock store, with a lock that really holds across servers (issue 21).

Rasa 3.6's ``RedisLockStore`` issues a ticket by reading the conversation's lock from Redis,
adding the ticket and writing the lock back. Two servers that take messages of one conversation
at the same moment can both read the same lock and both go ahead: the conversation is then
handled twice at once, and an answer can be lost or taken for another question. Its authors
said as much when they wrote it (RasaHQ/rasa#3933: "this is far from atomic"); the store that
fixed it went to Rasa Pro. tests/test_cluster.py shows it: of ten messages sent in pairs at once
to two servers, two were lost.

This store keeps Rasa's configuration (``url``, ``port``, ``db``, ``password``, ``key_prefix``...)
and replaces the ticket lock with Redis's own: one atomic ``SET NX PX`` per message under a
random token that only its owner can release (redis-py's asyncio ``Lock``). A message waits for
the one before it by polling every few milliseconds without blocking the event loop (Rasa's
waits a whole second), and for at most the lock's lifetime. Messages that wait are served in
no promised order, as with any two messages sent at once.

    lock_store:
      type: rasa_plugins.lock_store.SerialRedisLockStore
      url: 127.0.0.1
      port: 6379
      db: 1
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import redis.asyncio
from rasa.core.lock import TicketLock
from rasa.core.lock_store import DEFAULT_SOCKET_TIMEOUT_IN_SECONDS, LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.exceptions import LockError as RedisLockError

WAIT_S = 0.005  # between two tries to take a conversation another message holds


class SerialRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig | None = None, **settings: Any) -> None:
        if endpoint_config is not None:  # loaded by its module path from endpoints.yml
            settings = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs}
        super().__init__(**settings)
        self._settings = {
            "host": settings.get("host", "localhost"),
            "port": int(settings.get("port", 6379)),
            "db": int(settings.get("db", 1)),
            "username": settings.get("username"),
            "password": settings.get("password"),
            "ssl": bool(settings.get("use_ssl", False)),
            "socket_timeout": float(settings.get("socket_timeout", DEFAULT_SOCKET_TIMEOUT_IN_SECONDS)),
        }
        self._client: redis.asyncio.Redis | None = None

    def client(self) -> redis.asyncio.Redis:
        # Made on first use, inside the server's event loop.
        if self._client is None:
            self._client = redis.asyncio.Redis(**self._settings)
        return self._client

    @contextlib.asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> AsyncIterator[TicketLock]:
        held = self.client().lock(
            f"{self.key_prefix}serial:{conversation_id}",
            timeout=lock_lifetime,
            sleep=WAIT_S,
            blocking_timeout=lock_lifetime,
        )
        if not await held.acquire():
            raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
        try:
            yield TicketLock(conversation_id)
        finally:
            with contextlib.suppress(RedisLockError):  # held past its lifetime: another has it now
                await held.release()
