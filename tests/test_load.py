"""Load: 50 screenings at once through the real servers give 50 correct records, none lost or mixed up."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.storage.records import Records
from bot.trial.model import load_trial
from tests.servers import Servers
from tests.test_end_to_end import FIT, RECAP_OK, closes_properly, reference_in, start

pytestmark = pytest.mark.servers
TRIAL = load_trial()
PEOPLE = 50
OLDEST = TRIAL.criterion("inc_age").rule["max_years"]


def age_of(n: int) -> int:
    """Each person has their own age, so records can be told apart; the last five are too old."""
    return 20 + n if n < PEOPLE - 5 else OLDEST + 5 + n


def screen(servers: Servers, n: int) -> tuple[int, str, list[str]]:
    age = age_of(n)
    chat = start(servers, f"load-{n}")
    chat.answer_until_done({**FIT, "age": f"I am {age}"})
    closing = chat.send(RECAP_OK) if not closes_properly(chat.last) else chat.last
    return age, reference_in(closing), closing


def test_fifty_screenings_at_once_store_fifty_correct_records(servers: Servers) -> None:
    with ThreadPoolExecutor(max_workers=PEOPLE) as pool:
        results = list(pool.map(lambda n: screen(servers, n), range(PEOPLE)))

    assert len({reference for _, reference, _ in results}) == PEOPLE
    records = Records(servers.db)
    for age, reference, closing in results:
        assert closes_properly(closing)
        saved = records.get(reference)
        assert saved is not None, f"record {reference} lost"
        assert saved["answers"]["age"]["min_years"] == age, "records mixed up"
        assert saved["status"] == "completed"
        assert saved["outcome"] == ("may_fit" if age <= OLDEST else "likely_not")
    assert records.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
