"""One call to the action server per answer: the form's validation reads the answer and asks the next
question in the same call (actions/screening_form.py; the form has no ask action of its own).

Through the real servers, with a pass-through in front of the action server noting each action Rasa
calls. Every way the form asks is played: after an answer, when it opens, and when it resumes after
an interruption; each time the question comes once, last, after what came before it.
"""

from __future__ import annotations

import json
import re
import sqlite3
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import pytest

from bot.session import messages
from channels.rest import SENDER_PREFIX
from tests.loopback import JSONHandler, serving
from tests.servers import Servers
from tests.test_end_to_end import SAFE_FIT, TRIAL, ZH

pytestmark = pytest.mark.servers
VALIDATE = "validate_screening_form"
LOGGED_PROBLEM = re.compile(r"^\S+ \S+ (ERROR|WARNING|CRITICAL)\b", re.MULTILINE)


class Forwarding(JSONHandler):
    """Passes each request on to the action server, noting the action Rasa asks it to run."""

    target: ClassVar[str] = ""
    called: ClassVar[list[str]] = []  # each subclass gets its own list (counted_servers)

    def do_GET(self) -> None:  # the trial the action server serves (rasa_plugins/server.py)
        self.forward(None)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.called.append(json.loads(body)["next_action"])
        self.forward(body)

    def forward(self, body: bytes | None) -> None:
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "authorization")}
        request = urllib.request.Request(self.target + self.path, body, headers, method=self.command)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, data = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, data = error.code, error.read()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@contextmanager
def counted_servers(workdir: Path) -> Iterator[tuple[Servers, list[str]]]:
    """Both servers, Rasa reaching the action server through ``Forwarding``; and the actions called."""
    servers = Servers(workdir)
    called: list[str] = []
    try:
        servers.start_actions()
        actions = f"http://127.0.0.1:{servers.actions_port}"
        handler = type("ToActions", (Forwarding,), {"target": actions, "called": called})
        with serving(handler) as proxy:
            endpoints = servers.endpoints.read_text(encoding="utf-8").replace(actions, proxy)
            servers.endpoints.write_text(endpoints, encoding="utf-8")
            servers.start_rasa()
            yield servers, called
    finally:
        servers.stop()


@pytest.fixture(scope="module")
def counted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Servers, list[str]]]:
    with counted_servers(tmp_path_factory.mktemp("one-call")) as running:
        yield running


def turn(counted: tuple[Servers, list[str]], sender: str, text: str) -> tuple[list[dict[str, Any]], list[str]]:
    """What the bot said to ``text``, and the actions Rasa called for it, in order."""
    servers, called = counted
    called.clear()
    said = servers.say(sender, text)
    return said, list(called)


def to_the_recap(counted: tuple[Servers, list[str]], sender: str) -> list[dict[str, Any]]:
    """Begin a screen and answer as someone who may fit until the recap."""
    said = turn(counted, sender, "hello")[0] + turn(counted, sender, "yes")[0]
    for _ in range(40):
        if said[-1]["text"] == TRIAL.texts["recap_question"]:
            return said
        said = turn(counted, sender, SAFE_FIT[said[-1]["question"]])[0]
    raise AssertionError("the recap never came")


def asks_once(said: list[dict[str, Any]], question_id: str, text: str) -> None:
    """The question ``question_id`` comes once, as the last message, worded ``text``; no message is empty."""
    assert [m.get("question") for m in said if m.get("kind") == "question"] == [question_id], said
    assert said[-1]["text"] == text
    assert all(m.get("text") for m in said), said


def test_each_answer_is_read_and_the_next_question_asked_in_one_call(
    counted: tuple[Servers, list[str]],
) -> None:
    sender = "one-call-answers"
    turn(counted, sender, "hello")
    said, called = turn(counted, sender, "yes")
    assert called == ["action_record_consent", VALIDATE]  # the form opens: one call, not three
    asks_once(said, "age", TRIAL.questions["age"].text)
    answers = 0
    while said[-1].get("kind") == "question":
        said, called = turn(counted, sender, SAFE_FIT[said[-1]["question"]])
        answers += 1
        assert called[0] == VALIDATE and called.count(VALIDATE) == 1, called
        if said[-1].get("kind") == "question":
            assert called == [VALIDATE]
            assert [m.get("kind") for m in said] == ["question"]
    assert called == [VALIDATE, "action_recap"] and said[-1]["text"] == TRIAL.texts["recap_question"]
    assert answers > 15


def test_an_answer_not_understood_is_asked_again_then_given_up_in_one_call(counted: tuple[Servers, list[str]]) -> None:
    sender = "one-call-misses"
    for text in ("hello", "yes", "40"):
        turn(counted, sender, text)
    said, called = turn(counted, sender, "yes and no")
    assert called == [VALIDATE]
    asks_once(said, "lupus_diagnosis", TRIAL.questions["lupus_diagnosis"].retry)
    said, called = turn(counted, sender, "no and yes")
    assert called == [VALIDATE]
    assert said[0]["text"] == TRIAL.texts["gave_up"]  # then the next question, as before
    asks_once(said[1:], "kidney_involvement", TRIAL.questions["kidney_involvement"].text)


WHERE = "where is the study done"
RECAP = "<answer as someone who may fit until the recap>"
AGE, LUPUS, KIDNEY = (TRIAL.questions[q].text for q in ("age", "lupus_diagnosis", "kidney_involvement"))
# name, said before, the message, what comes before the question, the question and its words, the actions called.
# The form runs first on a message that is no answer, and Rasa sets it aside (nothing to validate); the
# action for the message follows, then the form again, which validates nothing and asks.
INTERRUPTIONS = [
    ("faq", ["40"], "what is lupus nephritis?", [TRIAL.faq["what_is_lupus_nephritis"]], "lupus_diagnosis", LUPUS,
     [VALIDATE, "action_answer_faq", VALIDATE]),
    ("why", [], "why do you need to know that?", [f"{TRIAL.texts['why_prefix']} {TRIAL.questions['age'].why}"],
     "age", AGE, [VALIDATE, "action_explain_why", VALIDATE]),
    ("person", [], "can I talk to a real person?", [TRIAL.texts["human"], messages.contacts_text(TRIAL)], "age", AGE,
     [VALIDATE, "action_talk_to_person", VALIDATE]),
    ("red-flag", ["40"], "I have crushing chest pain right now", [TRIAL.texts["emergency"]], "lupus_diagnosis", LUPUS,
     [VALIDATE, "action_emergency", VALIDATE]),
    ("continue", ["40", "I have crushing chest pain right now"], "continue", [], "lupus_diagnosis", LUPUS,
     [VALIDATE, "action_resume", VALIDATE]),
    ("details", ["40"], "show details", [TRIAL.texts["details_later"]], "lupus_diagnosis", LUPUS,
     [VALIDATE, "action_result_details", VALIDATE]),
    ("correct", ["I'm 34", "yes"], "actually I'm 45", [TRIAL.texts["corrected"].format(topic="your age")],
     "kidney_involvement", KIDNEY, [VALIDATE, "action_correct", VALIDATE]),
    ("go-back", ["40", "yes"], "go back", [], "lupus_diagnosis", LUPUS, [VALIDATE, "action_go_back", VALIDATE]),
    ("language", ["40"], "中文", [ZH.texts["language_chosen"]], "lupus_diagnosis", ZH.questions["lupus_diagnosis"].text,
     [VALIDATE, "action_choose_language", VALIDATE]),
    # The same words a third time: the last miss (said by the FAQ action), then the next question.
    ("sent-again", [WHERE, WHERE], WHERE, [TRIAL.texts["gave_up"]], "lupus_diagnosis", LUPUS,
     [VALIDATE, "action_answer_faq", VALIDATE]),
    # The form opens again: Rasa validates once, with the form active, and that call asks.
    ("start-over-declined", ["40", "i want to start over"], "no", [], "lupus_diagnosis", LUPUS, [VALIDATE]),
    ("stop-then-continue", ["40", "stop"], "continue", [], "lupus_diagnosis", LUPUS, [VALIDATE]),
    ("recap-go-back", [RECAP], "go back", [], "willing", TRIAL.questions["willing"].text,
     ["action_go_back", VALIDATE]),
    ("recap-line-picked", [RECAP, "/correct"], TRIAL.questions["vaccine_recent"].topic, [], "vaccine_recent",
     TRIAL.questions["vaccine_recent"].text, ["validate_correction_form", "action_recap", VALIDATE]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "before", "message", "first", "question_id", "question", "actions"),
    INTERRUPTIONS,
    ids=[path[0] for path in INTERRUPTIONS],
)
def test_the_question_follows_every_interruption_once(
    counted: tuple[Servers, list[str]],
    name: str,
    before: list[str],
    message: str,
    first: list[str],
    question_id: str,
    question: str,
    actions: list[str],
) -> None:
    sender = f"one-call-{name}"
    at_the_recap = before[:1] == [RECAP]
    if at_the_recap:
        to_the_recap(counted, sender)
    else:
        turn(counted, sender, "hello")
        turn(counted, sender, "yes")
    for text in before[1:] if at_the_recap else before:
        turn(counted, sender, text)
    said, called = turn(counted, sender, message)
    assert [m["text"] for m in said[:-1]] == first
    asks_once(said, question_id, question)
    assert called == actions


def test_no_empty_message_is_kept_and_nothing_is_logged_as_a_problem(counted: tuple[Servers, list[str]]) -> None:
    """A whole screen with interruptions: every message the conversation keeps has words, and neither
    server logs an error or a warning for any turn."""
    servers, _ = counted
    logs = [servers.workdir / "rasa.log", servers.workdir / "actions.log"]
    start = [log.stat().st_size for log in logs]
    sender = "one-call-tour"
    for text in ("hello", "yes", "40", "why do you ask?", "what is lupus nephritis?", "yes", "go back", "stop"):
        turn(counted, sender, text)
    turn(counted, sender, "continue")
    to_the_end = to_the_recap(counted, "one-call-tour-2")
    assert to_the_end[-1]["text"] == TRIAL.texts["recap_question"]
    with sqlite3.connect(servers.conversations_db) as db:
        query = "SELECT data FROM events WHERE type_name = 'bot' AND sender_id IN (?, ?)"
        rows = db.execute(query, [SENDER_PREFIX + s for s in (sender, "one-call-tour-2")]).fetchall()
    assert len(rows) > 30
    assert all(json.loads(data).get("text") for (data,) in rows)
    for log, offset in zip(logs, start, strict=True):
        written = log.read_bytes()[offset:].decode("utf-8", "replace")
        assert not LOGGED_PROBLEM.findall(written), written[-3000:]
