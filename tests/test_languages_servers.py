"""The conversation's language through the real servers: chosen per conversation, switched at any
moment without losing an answer, kept in the record."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from bot import TRIALS_DIR
from bot.storage.records import Records
from bot.trial.model import load_trial
from tests.servers import Servers, running_servers
from tests.test_end_to_end import reference_in
from tests.test_languages import ZH_ANSWERS

pytestmark = pytest.mark.servers
EN, ZH = load_trial(), load_trial(None, "zh")
CJK = re.compile(r"[\u4e00-\u9fff]")


def finish_in(
    servers: Servers, sender: str, said: list[dict[str, Any]], answers: dict[str, str], default: str
) -> list[dict[str, Any]]:
    for _ in range(60):
        if any(m.get("kind") == "result" for m in said):
            return said
        asked = [m["question"] for m in said if m.get("question")]
        if asked:
            said = servers.say(sender, answers.get(asked[-1], answers.get(asked[-1].split(":")[0], default)))
        else:
            said = servers.say(sender, "/affirm")  # the recap is right
    raise AssertionError(f"the screen did not end: {said}")


def test_a_conversation_opened_in_chinese_is_in_chinese_to_the_end_and_so_is_its_record(servers: Servers) -> None:
    sender = "zh-whole-1"
    opening = servers.texts(sender, "你好")
    assert ZH.texts["consent_question"] in opening and all(CJK.search(t) for t in opening)
    said = servers.say(sender, "好的")
    assert said[0]["text"] == ZH.texts["consent_yes"] and said[-1]["text"].startswith(ZH.questions["age"].text)
    said = finish_in(servers, sender, said, ZH_ANSWERS, "没有")
    texts = [m.get("text", "") for m in said]
    assert all(CJK.search(t) for t in texts if t), texts
    assert ZH.outcomes["may_fit"] in texts[0]
    record = Records(servers.db).get(reference_in(texts))
    assert record is not None and record["language"] == "zh" and record["outcome"] == "may_fit"


def test_switching_language_mid_screen_keeps_every_answer(servers: Servers) -> None:
    sender = "switch-1"
    servers.say(sender, "hello")
    servers.say(sender, "yes")
    servers.say(sender, "40")  # age, in English
    switched = servers.say(sender, "中文")
    assert switched[0]["text"] == ZH.texts["language_chosen"]
    assert switched[-1]["question"] == "lupus_diagnosis" and switched[-1]["text"].startswith(
        ZH.questions["lupus_diagnosis"].text
    )
    said = servers.say(sender, "是")  # answered in Chinese
    assert said[-1]["question"] == "kidney_involvement" and CJK.search(said[-1]["text"])
    back = servers.say(sender, "English please")
    assert back[0]["text"] == EN.texts["language_chosen"]
    assert back[-1]["question"] == "kidney_involvement" and back[-1]["text"].startswith(
        EN.questions["kidney_involvement"].text
    )
    said = finish_in(
        servers,
        sender,
        servers.say(sender, "yes"),
        {
            "age": "40",
            "protein_result": "UPCR 1.8 g/g",
            "medicines": "hydroxychloroquine",
            "dose": "same dose",
            "willing": "yes",
            "could_have_children": "yes",
            "could_become_pregnant": "yes",
            "contraception_agree": "yes",
        },
        "no",
    )
    record = Records(servers.db).get(reference_in([m.get("text", "") for m in said]))
    assert record is not None and record["language"] == "en"
    assert record["answers"]["age"]["min_years"] == 40 and record["answers"]["lupus_diagnosis"] == "yes"


def test_the_channel_may_ask_for_a_language_and_a_plain_yes_keeps_it(servers: Servers) -> None:
    sender = "asked-zh-1"
    opening = servers.texts(sender, "hi")  # no language in the words
    assert ZH.texts["consent_question"] not in opening
    asked = [m.get("text", "") for m in servers.say("asked-zh-2", "hi", {"language": "zh"})]
    assert ZH.texts["consent_question"] in asked
    said = servers.say("asked-zh-2", "ok", {"language": "zh"})
    assert said[-1]["text"].startswith(ZH.questions["age"].text)


def test_the_rasa_server_refuses_to_start_when_a_channel_serves_another_trial(tmp_path: Path) -> None:
    """A channel asking one trial file's questions while the actions score another's would give wrong
    results: the Rasa server checks the action server's trial at start, and refuses."""
    other = tmp_path / "trials"
    other.mkdir()
    for path in TRIALS_DIR.glob("NCT05631717*.yml"):
        shutil.copy(path, other / path.name)
    changed = other / "NCT05631717.yml"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n# another version of the criteria\n", encoding="utf-8")
    credentials = tmp_path / "credentials.yml"
    credentials.write_text(f"channels.rest.RestChannel:\n  trial: {changed}\n", encoding="utf-8")
    with (
        pytest.raises(RuntimeError, match="did not start") as refused,
        running_servers(tmp_path, credentials=credentials),
    ):
        pass
    assert "serve another trial file: channels.rest.RestChannel" in str(refused.value)
