"""The text channels' state: the same behaviour in this process (LocalState) and in Redis
(RedisState, shared by the Rasa servers of a cluster), each tested against the one contract."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.storage.opt_outs import OptOuts
from channels.shared_state import RedisState
from channels.text import LocalState, TextState
from tests.cluster import running_redis

OPTIONS = [{"title": "Yes", "payload": "Yes"}, {"title": "No", "payload": "No"}]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_redis(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(params=["local", "redis"])
def states(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[TextState, TextState]]:
    """Two views of one state, as two servers of a cluster see it (one process: the same object)."""
    if request.param == "local":
        local = LocalState(opt_outs=OptOuts(tmp_path / "r.db"))
        yield local, local
        return
    url = request.getfixturevalue("redis_url")
    prefix = f"test:{tmp_path.name}"
    yield RedisState(url, prefix), RedisState(url, prefix)


@pytest.mark.cluster
def test_options_and_language_seen_by_one_server_are_there_for_the_other(states: tuple[TextState, TextState]) -> None:
    one, other = states
    person = one.see("s1", "+8613900000001", "+15005550006")
    assert (person.address, person.options, person.opted_out) == ("+8613900000001", [], False)
    person.options, person.language = OPTIONS, "zh"
    one.keep("s1", person)
    seen = other.get("s1")
    assert seen is not None and seen.options == OPTIONS and seen.language == "zh"
    assert seen.to_us == "+15005550006" and other.get("nobody") is None


@pytest.mark.cluster
def test_an_opt_out_holds_everywhere_until_taken_back(states: tuple[TextState, TextState]) -> None:
    one, other = states
    person = one.see("s2", "+8613900000002")
    person.options = OPTIONS
    one.opt_out("s2", person, True)
    seen = other.get("s2")
    assert seen is not None and seen.opted_out and seen.options == []
    assert other.see("s2", "+8613900000002").opted_out
    other.opt_out("s2", seen, False)
    assert not one.see("s2", "+8613900000002").opted_out


@pytest.mark.cluster
def test_a_key_counts_once_until_it_expires(states: tuple[TextState, TextState]) -> None:
    one, other = states
    assert one.first_time("msg:1", 0.3) and not other.first_time("msg:1", 0.3) and not one.first_time("msg:1", 0.3)
    assert other.first_time("msg:2", 0.3)
    time.sleep(0.4)
    assert other.first_time("msg:1", 0.3)


@pytest.mark.cluster
def test_a_cached_value_is_shared_until_it_expires(states: tuple[TextState, TextState]) -> None:
    one, other = states
    assert one.cached("token") is None
    one.cache("token", "ACCESS_TOKEN_1", 0.3)
    assert other.cached("token") == "ACCESS_TOKEN_1"
    time.sleep(0.4)
    assert other.cached("token") is None


@pytest.mark.cluster
def test_redis_holds_no_address_beyond_its_keep_time(redis_url: str) -> None:
    state = RedisState(redis_url, "test:ttl")
    state.see("s3", "+8613900000003")
    ttl = state.redis.ttl("test:ttl:person:s3")
    assert 0 < ttl <= 48 * 3600
