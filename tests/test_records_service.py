"""bot.storage.service: the records service, run as its own process, and its client: what an action
server writes through it lands as a local write would, and a refusal or an outage is said, never
half done."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.storage import callbacks, funnel
from bot.storage.callbacks import CallBack
from bot.storage.records import NotYours, Records
from bot.storage.service import RemoteRecords, Unavailable
from tests.cluster import RECORDS_TOKEN, running_records_service
from tests.servers import _env, free_port
from tests.test_records import make_record

CALL_BACK = CallBack("S-23456789AB", "李", "+8613812345678", "morning", "zh", "wechat", "may_fit", "Kidney biopsy")


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The service on a free loopback port, over its own database; yields its URL and the database."""
    workdir = tmp_path_factory.mktemp("records-service")
    with running_records_service(workdir) as url:
        yield url, workdir / "screenings.db"
    assert "Traceback" not in (workdir / "records-service.log").read_text(encoding="utf-8")


@pytest.fixture
def remote(service: tuple[str, Path]) -> RemoteRecords:
    return RemoteRecords(service[0], RECORDS_TOKEN)


def local(service: tuple[str, Path]) -> Records:
    return Records(service[1])


answers = st.dictionaries(
    st.text(min_size=1, max_size=20),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=30),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
        max_leaves=8,
    ),
    max_size=6,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=answers, language=st.sampled_from(["en", "zh"]), status=st.sampled_from(["in_progress", "completed"]))
def test_a_record_saved_through_the_service_reads_back_as_saved_here(
    remote: RemoteRecords, service: tuple[str, Path], answers: dict[str, object], language: str, status: str
) -> None:
    record = make_record(answers=answers, language=language, status=status)
    remote.save(record, owner="owner-hash", moved=("2026-W49", None, "age"))
    kept = local(service).get(record.reference)
    assert kept is not None
    assert (kept["answers"], kept["language"], kept["status"]) == (answers, language, status)
    assert kept["verdicts"] == record.verdicts
    assert kept["started_at"] == record.started_at.isoformat(timespec="seconds")


def test_another_conversations_record_is_refused_and_left_as_it_was(
    remote: RemoteRecords, service: tuple[str, Path]
) -> None:
    record = make_record()
    remote.save(record, owner="first")
    with pytest.raises(NotYours):
        remote.save(make_record(reference=record.reference, answers={}), owner="second")
    assert local(service).get(record.reference)["answers"] == record.answers  # type: ignore[index]


def test_the_funnel_and_call_backs_through_the_service(remote: RemoteRecords, service: tuple[str, Path]) -> None:
    before = funnel.totals(local(service).db).get("started", 0)
    remote.tally("2026-W49", "started", "wechat", "zh")
    remote.moved("2026-W49", "wechat", None, "age")
    assert funnel.totals(local(service).db)["started"] == before + 1
    assert funnel.left_at(local(service).db).get("age", 0) >= 1
    remote.save_callback(CALL_BACK)
    assert any(r["name"] == "李" for r in callbacks.call_list(local(service).db))
    assert remote.cancel_callback(CALL_BACK.reference) is True
    assert remote.cancel_callback(CALL_BACK.reference) is False


def test_action_servers_saving_at_once_lose_nothing(remote: RemoteRecords, service: tuple[str, Path]) -> None:
    records = [make_record(answers={"n": n}) for n in range(60)]
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda r: RemoteRecords(service[0], RECORDS_TOKEN).save(r, owner="o"), records))
    kept = local(service)
    assert all(kept.get(r.reference)["answers"] == r.answers for r in records)  # type: ignore[index]


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Bearer {RECORDS_TOKEN}x", RECORDS_TOKEN])
def test_a_call_without_the_token_is_refused(service: tuple[str, Path], header: str | None) -> None:
    count = local(service).count()
    headers = {"Authorization": header} if header else {}
    body = {"record": {"reference": "S-X"}, "owner": None, "moved": None}
    response = requests.post(f"{service[0]}/v1/save", json=body, headers=headers, timeout=10)
    assert response.status_code == 401
    with pytest.raises(Unavailable):
        RemoteRecords(service[0], "wrong").tally("2026-W49", "started", "sms", "en")
    assert local(service).count() == count


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/v1/save", b"{not json", 400),
        ("/v1/save", b'{"record": {"reference": "S-X"}}', 400),
        ("/v1/save", b"[]", 400),
        ("/v1/cancel_callback", b'"S-X"', 400),
        ("/v1/tally", b'{"week": "2026-W49", "event": "hacked", "channel": "x", "language": "en"}', 400),
        ("/v1/drop_tables", b"{}", 404),
        ("/v1/save", b"[" * 300_000, 413),
    ],
)
def test_bad_calls_are_refused_and_the_service_carries_on(
    service: tuple[str, Path], remote: RemoteRecords, path: str, body: bytes, status: int
) -> None:
    headers = {"Authorization": f"Bearer {RECORDS_TOKEN}", "Content-Type": "application/json"}
    assert requests.post(service[0] + path, data=body, headers=headers, timeout=10).status_code == status
    record = make_record()
    remote.save(record)
    assert local(service).get(record.reference) is not None


def test_the_health_check_says_nothing_of_the_records(service: tuple[str, Path], remote: RemoteRecords) -> None:
    remote.save(make_record())
    assert requests.get(f"{service[0]}/health", timeout=10).json() == {"ok": True}


def test_a_service_that_cannot_be_reached_is_said_at_once() -> None:
    with pytest.raises(Unavailable):
        RemoteRecords(f"http://127.0.0.1:{free_port()}", RECORDS_TOKEN, timeout_s=2).save(make_record())


def test_the_service_refuses_to_start_without_a_token(tmp_path: Path) -> None:
    env = {**_env(tmp_path / "r.db"), "SCREENER_RECORDS_RECORDS_TOKEN": ""}
    done = subprocess.run(
        [sys.executable, "-m", "bot.storage.service", "--port", str(free_port())],
        cwd=env["PYTHONPATH"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0 and "needs a token" in done.stderr
