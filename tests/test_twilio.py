"""SMS and WhatsApp through Twilio: the channel's parts, then whole screenings through the real servers.

The end-to-end tests post signed forms to the webhook, as Twilio does, and a
stand-in of Twilio's API on loopback records what the screener sends back.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import sqlite3
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlencode

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from sanic.request import RequestParameters
from twilio.request_validator import RequestValidator

from bot.session import messages
from bot.session.messages import contacts_text
from bot.session.screening import Screening
from bot.storage import callbacks
from bot.storage.opt_outs import OptOuts
from bot.storage.records import Records
from bot.trial.model import load_trial
from channels.text import LocalState, chosen, sender_id, split_message, with_options
from channels.twilio import (
    DEFAULT_MAX_LENGTH,
    TwilioChannel,
    TwilioSender,
    posted_form,
    reply_from,
)
from tests.servers import Servers, running_servers
from tests.test_end_to_end import Answering
from tests.twilio_standin import TwilioStandIn, running_standin

TRIAL, ZH = load_trial(), load_trial(None, "zh")
TEXTS = TRIAL.texts
# Made-up test values: an account id in Twilio's shape, Twilio's documented test number.
ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "test-auth-token-not-a-secret"
NUMBER = "+15005550006"
CONTACT = "+86 135 0519 3169"
YES_NO = [
    {"title": "Yes", "payload": "Yes"},
    {"title": "No", "payload": "No"},
    {"title": "Not sure", "payload": "Not sure"},
]
RECAP = [{"title": TEXTS["recap_yes"], "payload": "/affirm"}, {"title": TEXTS["recap_change"], "payload": "/correct"}]
HELP_TEXT = TEXTS["sms_help"].format(short_name=TRIAL.info["short_name"])


# ------------------------------------------------------------------ numbered options
def test_quick_replies_become_numbered_options() -> None:
    assert with_options("Do you?", YES_NO, TEXTS) == "Do you?\nReply 1 for Yes, 2 for No, 3 for Not sure."
    # A title with a comma in it: the options are set apart with semicolons.
    recap = f"OK?\nReply 1 for {TEXTS['recap_yes']}; 2 for {TEXTS['recap_change']}."
    assert "," in TEXTS["recap_yes"] and with_options("OK?", RECAP, TEXTS) == recap


@pytest.mark.parametrize(
    ("reply", "options", "payload"),
    [
        ("1", YES_NO, "Yes"),
        (" 2 ", YES_NO, "No"),
        ("3.", YES_NO, "Not sure"),
        ("１", YES_NO, "Yes"),  # a full-width digit, as Chinese keyboards type it
        ("not SURE", YES_NO, "Not sure"),
        ("1", RECAP, "/affirm"),
        ("2", RECAP, "/correct"),
        (TEXTS["recap_change"].upper(), RECAP, "/correct"),
        ("4", YES_NO, None),
        ("0", YES_NO, None),
        ("yes please", YES_NO, None),
        ("1", [], None),
    ],
)
def test_a_reply_maps_back_to_its_option(reply: str, options: list[dict[str, str]], payload: str | None) -> None:
    assert chosen(reply, options) == payload


# --------------------------------------------------------------------------- splitting
def test_a_short_message_is_sent_whole() -> None:
    assert split_message("  Hello there.  ", 600) == ["Hello there."]
    assert split_message("", 600) == []


def test_a_long_message_is_split_at_sentence_ends() -> None:
    sentences = [f"Sentence number {n} has a few words in it." for n in range(30)]
    pieces = split_message(" ".join(sentences), 200)
    assert len(pieces) > 1
    assert all(len(p) <= 200 and p.endswith(".") for p in pieces)
    assert " ".join(pieces) == " ".join(sentences)


def test_chinese_sentences_are_split_after_the_full_stop() -> None:
    text = "这是第一句话，比较长一些。" * 10
    pieces = split_message(text, 30)
    assert all(len(p) <= 30 and p.endswith("。") for p in pieces)
    assert "".join(pieces) == text


def test_no_split_after_a_title_or_an_initial() -> None:
    text = "Please call Dr. Jun Liang or J. Smith at the hospital today. Then come back here."
    assert split_message(text, 65) == [
        "Please call Dr. Jun Liang or J. Smith at the hospital today.",
        "Then come back here.",
    ]


def test_a_list_is_split_at_line_breaks_and_a_long_line_at_spaces() -> None:
    lines = "Here are your answers:\n" + "\n".join(f"- answer {n}: yes" for n in range(40))
    pieces = split_message(lines, 120)
    assert all(len(p) <= 120 for p in pieces)
    assert "\n".join(pieces) == lines
    words = " ".join(["word"] * 100)
    pieces = split_message(words, 50)
    assert all(len(p) <= 50 and set(p.split()) == {"word"} for p in pieces)
    assert " ".join(pieces) == words


def test_only_a_word_longer_than_a_message_is_cut() -> None:
    assert split_message("a" * 25, 10) == ["a" * 10, "a" * 10, "a" * 5]


# ---------------------------------------------------------------------- small parts
def hashed_id(address: str) -> str:
    """What the sender id must be: HMAC-SHA256 of the address keyed with the auth token."""
    return "twilio-" + hmac.new(AUTH_TOKEN.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]


def test_sender_ids_are_keyed_hashes_of_the_address() -> None:
    one = sender_id("twilio", "+15551230001", AUTH_TOKEN)
    assert one == hashed_id("+15551230001")
    assert one.startswith("twilio-") and "5551230001" not in one
    assert one == sender_id("twilio", "+15551230001", AUTH_TOKEN)
    assert one != sender_id("twilio", "+15551230002", AUTH_TOKEN)
    assert one != sender_id("twilio", "whatsapp:+15551230001", AUTH_TOKEN)
    assert one != sender_id("twilio", "+15551230001", "another token")  # not guessable without the token


def test_replies_go_from_the_whatsapp_form_of_the_number_to_whatsapp_users() -> None:
    assert reply_from("+15005550006", "+15005550006", "+8613900000001") == "+15005550006"
    assert reply_from("+15005550006", None, "whatsapp:+8613900000001") == "whatsapp:+15005550006"
    assert reply_from("whatsapp:+15005550006", None, "+8613900000001") == "+15005550006"
    assert reply_from(None, "whatsapp:+15005550009", "whatsapp:+8613900000001") == "whatsapp:+15005550009"


def test_people_are_remembered_in_a_bounded_map() -> None:
    people = LocalState(size=3)
    for n in range(5):
        people.see(f"s{n}", f"+1555000000{n}", NUMBER)
    assert len(people) == 3 and people.get("s0") is None and people.get("s4") is not None


# ------------------------------------------------- the webhook's logic, without servers
class FakeTwilio:
    """In place of the Twilio client: records each message the channel creates."""

    def __init__(self) -> None:
        self.messages = self
        self.sent: list[dict[str, Any]] = []

    async def create_async(self, **kwargs: Any) -> None:
        self.sent.append(kwargs)

    def bodies(self) -> list[str]:
        return [m["body"] for m in self.sent]


@dataclass
class Bot:
    """In place of Rasa: records what it is given and answers with ``replies``."""

    replies: list[dict[str, Any]] = field(default_factory=list)
    given: list[UserMessage] = field(default_factory=list)

    async def __call__(self, message: UserMessage) -> None:
        self.given.append(message)
        for reply in self.replies:
            await message.output_channel.send_response(message.sender_id, dict(reply))


URL = "https://screener.example.org/webhooks/twilio/webhook"


def form(body: str, sender: str = "+15551230001", **extra: str) -> RequestParameters:
    fields = {"From": sender, "To": NUMBER, "Body": body, "MessageSid": "SM" + "1" * 32, "AccountSid": ACCOUNT_SID}
    return RequestParameters({k: [v] for k, v in {**fields, **extra}.items()})


def sign(params: RequestParameters | dict[str, str], url: str = URL, token: str = AUTH_TOKEN) -> str:
    return str(RequestValidator(token).compute_signature(url, params))


def make_channel(opt_outs: OptOuts) -> TwilioChannel:
    made = TwilioChannel(ACCOUNT_SID, AUTH_TOKEN, NUMBER, webhook_url=URL, state=LocalState(opt_outs=opt_outs))
    fake = FakeTwilio()
    made.client = lambda: fake  # type: ignore[method-assign]
    return made


@pytest.fixture
def opt_outs(tmp_path: Path) -> OptOuts:
    return OptOuts(tmp_path / "screenings.db")


@pytest.fixture
def channel(opt_outs: OptOuts) -> TwilioChannel:
    return make_channel(opt_outs)


def receive(channel: TwilioChannel, bot: Bot, body: str, sender: str = "+15551230001") -> int:
    params = form(body, sender)
    return asyncio.run(channel.receive(URL, params, sign(params), bot))


def sent(channel: TwilioChannel) -> FakeTwilio:
    return cast(FakeTwilio, channel.client())


def test_a_signed_message_reaches_rasa_under_a_hashed_sender_id(channel: TwilioChannel) -> None:
    bot = Bot([{"text": "How old are you?"}])
    assert receive(channel, bot, "hello") == 200
    (message,) = bot.given
    assert message.text == "hello" and message.input_channel == "twilio"
    assert message.sender_id == hashed_id("+15551230001")
    assert sent(channel).sent == [{"to": "+15551230001", "from_": NUMBER, "body": "How old are you?"}]


@pytest.mark.parametrize(
    ("signature", "url", "token"),
    [
        (None, URL, AUTH_TOKEN),
        ("", URL, AUTH_TOKEN),
        ("bm90IGEgc2lnbmF0dXJl", URL, AUTH_TOKEN),
        ("sign", "https://elsewhere.example.org/webhooks/twilio/webhook", AUTH_TOKEN),
        ("sign", URL, "other token"),
    ],
    ids=["missing", "empty", "wrong", "another-url", "another-token"],
)
def test_a_post_without_a_valid_signature_is_refused_unread(
    channel: TwilioChannel, signature: str | None, url: str, token: str
) -> None:
    bot = Bot([{"text": "How old are you?"}])
    params = form("hello")
    if signature == "sign":
        signature = sign(params, url, token)
    assert asyncio.run(channel.receive(URL, params, signature, bot)) == 403
    assert bot.given == [] and sent(channel).sent == []


def test_the_form_is_read_as_posted_blank_fields_included() -> None:
    posted = posted_form(b"Body=&From=%2B15551230001&FromCity=&NumMedia=1")
    assert posted.get("Body") == "" and posted.get("FromCity") == ""
    as_twilio_signs = {"Body": "", "From": "+15551230001", "FromCity": "", "NumMedia": "1"}
    assert RequestValidator(AUTH_TOKEN).validate(URL, posted, sign(as_twilio_signs))


def test_a_changed_body_breaks_the_signature(channel: TwilioChannel) -> None:
    signature = sign(form("no"))
    assert asyncio.run(channel.receive(URL, form("yes"), signature, Bot())) == 403
    assert asyncio.run(channel.receive(URL, form("no"), signature, Bot())) == 200


def test_without_an_auth_token_every_request_is_refused(tmp_path: Path) -> None:
    bot = Bot()
    params = form("hello")
    unconfigured = TwilioChannel(ACCOUNT_SID, None, NUMBER)
    assert asyncio.run(unconfigured.receive(URL, params, sign(params), bot)) == 503
    assert bot.given == []


def test_options_map_back_only_until_a_message_without_options(channel: TwilioChannel) -> None:
    receive(channel, Bot([{"text": "Has a doctor told you?", "buttons": YES_NO}]), "hello")
    assert sent(channel).bodies() == ["Has a doctor told you?\nReply 1 for Yes, 2 for No, 3 for Not sure."]
    bot = Bot([{"text": "How old are you?", "buttons": []}])
    receive(channel, bot, "2")
    assert bot.given[0].text == "No"
    bot = Bot([{"text": "Thanks."}])
    receive(channel, bot, "1")
    assert bot.given[0].text == "1"  # an age, not an option: the last question had none
    other = Bot()
    receive(channel, other, "2", sender="+15551230002")
    assert other.given[0].text == "2"  # options belong to one person


def test_where_a_number_is_an_answer_the_options_are_words_and_numbers_stay_values(channel: TwilioChannel) -> None:
    """ "1" to "what was your last urine protein result?" is a value to ask about, never "I don't know"."""
    screening = Screening(TRIAL)
    for text in ("40", "yes", "yes"):
        screening.answer(text, date(2026, 11, 30))
    asked = messages.question(screening, "protein_result")
    receive(channel, Bot([asked]), "hello")
    assert sent(channel).bodies()[-1] == f'{asked["text"]}\nYou can also reply "I don\'t know".'
    bot = Bot()
    receive(channel, bot, "1")
    assert bot.given[0].text == "1"
    bot = Bot()
    receive(channel, Bot([{"text": "Which?", "buttons": YES_NO, "numbers_answer": True}]), "x")
    receive(channel, bot, "Not sure")
    assert bot.given[0].text == "Not sure"  # the words still answer
    assert with_options("When?", YES_NO, TEXTS, numbered=False).endswith('reply "Yes" or "No" or "Not sure".')


def test_help_and_blank_replies_keep_the_options(channel: TwilioChannel) -> None:
    receive(channel, Bot([{"text": "Has a doctor told you?", "buttons": YES_NO}]), "hello")
    receive(channel, Bot(), "help")
    receive(channel, Bot(), "")
    assert sent(channel).bodies()[-1] == TEXTS["blank_message"]
    bot = Bot()
    receive(channel, bot, "1")
    assert bot.given[0].text == "Yes"


def test_stop_stops_the_screen_confirms_once_and_silences_the_number(channel: TwilioChannel) -> None:
    bot = Bot([{"text": "OK, we can stop here."}])
    assert receive(channel, bot, "  Stop ") == 200
    (stop,) = bot.given
    assert stop.text == "/stop" and isinstance(stop.output_channel, CollectingOutputChannel)  # its replies unsent
    assert sent(channel).bodies() == [TEXTS["text_stopped"]]
    for text in ("STOP", "hello", "1", "yes please"):
        receive(channel, bot, text)
    assert len(bot.given) == 1 and len(sent(channel).sent) == 1
    receive(channel, bot, "START")
    assert sent(channel).bodies()[-1] == TEXTS["text_started"] and len(bot.given) == 1
    receive(channel, bot, "hi")
    assert bot.given[-1].text == "hi"


def test_an_opt_out_outlives_a_restart_until_start(opt_outs: OptOuts) -> None:
    receive(make_channel(opt_outs), Bot(), "STOP")
    restarted = make_channel(opt_outs)  # a new process: nothing in memory
    bot = Bot([{"text": "Hello!"}])
    receive(restarted, bot, "hello")
    assert bot.given == [] and sent(restarted).sent == []
    assert hashed_id("+15551230001") in opt_outs and "+15551230001" not in opt_outs.path.read_bytes().decode("latin-1")
    receive(restarted, bot, "START")
    assert sent(restarted).bodies() == [TEXTS["text_started"]]
    assert hashed_id("+15551230001") not in opt_outs
    receive(make_channel(opt_outs), bot, "hello")
    assert [m.text for m in bot.given] == ["hello"]


@pytest.mark.parametrize("word", ["STOPALL", "unsubscribe", "Cancel", "end", "QUIT"])
def test_every_opt_out_word_opts_out(channel: TwilioChannel, word: str) -> None:
    bot = Bot()
    receive(channel, bot, word)
    assert sent(channel).bodies() == [TEXTS["text_stopped"]]
    receive(channel, bot, "hello")
    assert [m.text for m in bot.given] == ["/stop"]


def test_yes_opts_back_in_only_when_opted_out(channel: TwilioChannel) -> None:
    bot = Bot()
    receive(channel, bot, "yes")
    assert [m.text for m in bot.given] == ["yes"]  # an answer
    receive(channel, bot, "unsubscribe")
    receive(channel, bot, "YES")
    assert sent(channel).bodies()[-1] == TEXTS["text_started"]
    assert [m.text for m in bot.given] == ["yes", "/stop"]
    receive(channel, bot, "stop please")  # not a keyword: the whole message must be one
    assert bot.given[-1].text == "stop please"


@pytest.mark.parametrize("word", ["HELP", "info", " Help "])
def test_help_gives_the_service_and_contacts_without_reaching_rasa(channel: TwilioChannel, word: str) -> None:
    bot = Bot()
    receive(channel, bot, word)
    assert bot.given == []
    assert sent(channel).bodies() == [f"{HELP_TEXT}\n{contacts_text(TRIAL)}"]


@pytest.mark.parametrize(("word", "reply"), [("退订", "text_stopped"), ("TD", "text_stopped"), ("td", "text_stopped")])
def test_chinese_opt_out_words_opt_out_and_are_answered_in_chinese(
    channel: TwilioChannel, word: str, reply: str
) -> None:
    bot = Bot()
    receive(channel, bot, word)
    assert sent(channel).bodies() == [ZH.texts[reply]] and [m.text for m in bot.given] == ["/stop"]
    receive(channel, bot, "你好")
    assert len(bot.given) == 1  # silenced
    receive(channel, bot, "是")  # "yes" in Chinese opts back in someone who opted out
    assert sent(channel).bodies()[-1] == ZH.texts["text_started"]
    receive(channel, bot, "STOP")
    receive(channel, bot, "订阅")
    assert sent(channel).bodies()[-2:] == [TEXTS["text_stopped"], ZH.texts["text_started"]]


def test_help_in_chinese_and_a_blank_message_in_a_chinese_conversation_are_answered_in_chinese(
    channel: TwilioChannel,
) -> None:
    receive(channel, Bot(), "帮助")
    assert sent(channel).bodies() == [
        f"{ZH.texts['sms_help'].format(short_name=ZH.info['short_name'])}\n{contacts_text(ZH)}"
    ]
    # The bot opens in Chinese: its options are offered in Chinese, and a blank message gets Chinese.
    opening = {"text": "我们可以保存您的回答吗？", "buttons": [{"title": "是", "payload": "是"}], "language": "zh"}
    receive(channel, Bot([opening]), "你好")
    assert (
        sent(channel).bodies()[-1] == f"我们可以保存您的回答吗？\n{ZH.texts['text_options'].format(answer='1表示“是”')}"
    )
    receive(channel, Bot(), "")
    assert sent(channel).bodies()[-1] == ZH.texts["blank_message"]
    receive(channel, Bot(), "x" * 2000)  # no Chinese in it: the conversation's language
    assert sent(channel).bodies()[-1] == ZH.texts["too_long"]
    # The bot switches to English (the person typed "English"): options and replies follow.
    receive(channel, Bot([{"text": "OK", "buttons": YES_NO[:1], "language": "en"}]), "English")
    assert sent(channel).bodies()[-1] == f"OK\n{TEXTS['text_options'].format(answer='1 for Yes')}"
    receive(channel, Bot(), "")
    assert sent(channel).bodies()[-1] == TEXTS["blank_message"]


def test_a_long_reply_is_split_and_sent_in_order(channel: TwilioChannel) -> None:
    long = " ".join(f"This is sentence {n} of a long reply from the screener." for n in range(40))
    receive(channel, Bot([{"text": long}, {"text": "Last."}]), "hello")
    bodies = sent(channel).bodies()
    assert len(bodies) > 3 and all(len(b) <= DEFAULT_MAX_LENGTH for b in bodies)
    assert " ".join(bodies[:-1]) == long and bodies[-1] == "Last."


def test_the_output_channel_is_named_twilio() -> None:
    assert TwilioSender.name() == TwilioChannel.name() == "twilio"


# ------------------------------------------------------------- through the real servers
PHONE = "+15557654321"
SCREEN_ANSWERS = {
    # Yes/No questions answered by option number or title, as people do on SMS.
    "age": "I'm 34",
    "lupus_diagnosis": "1",
    "kidney_involvement": "yes",
    "protein_result": "UPCR 1.8 g/g",
    "pregnant_or_breastfeeding": "2",
    "could_have_children": "2",
    "cancer_history": "No",
    "medicines": "cellcept and plaquenil",
    "infusions": "no",
    "dose:mycophenolate_mofetil": "same dose",
    "plasma_procedure": "no",
    "infection_serious": "2",
    "infection_treated": "2",
    "chronic_infection": "no",
    "surgery_recent": "no",
    "surgery_planned": "2",
    "vaccine_recent": "no",
    "vaccine_planned": "no",
    "serious_illness": "2",
    "willing": "1",
}


@dataclass
class Twilio:
    servers: Servers
    standin: TwilioStandIn
    webhook: str

    def post(self, params: dict[str, str], signature: str | None = "sign", url: str | None = None) -> int:
        if signature == "sign":
            signature = sign(params, url or self.webhook)
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signature is not None:
            headers["X-Twilio-Signature"] = signature
        request = urllib.request.Request(self.webhook, data=urlencode(params).encode(), headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as error:
            return int(error.code)


@dataclass
class Phone(Answering):
    twilio: Twilio
    address: str
    to_us: str = NUMBER
    last: list[str] = field(default_factory=list)

    def params(self, body: str) -> dict[str, str]:
        return {
            "ToCountry": "US",
            "SmsMessageSid": "SM" + "2" * 32,
            "NumMedia": "0",
            "FromCity": "",  # Twilio posts blank fields, and signs them
            "SmsStatus": "received",
            "Body": body,
            "FromCountry": "US",
            "To": self.to_us,
            "MessageSid": "SM" + "2" * 32,
            "AccountSid": ACCOUNT_SID,
            "From": self.address,
            "ApiVersion": "2010-04-01",
        }

    def send(self, *bodies: str) -> list[str]:
        for body in bodies:
            before = len(self.twilio.standin.sent)
            assert self.twilio.post(self.params(body)) == 200
            # The webhook answers once every reply has been handed to Twilio.
            new = self.twilio.standin.sent[before:]
            assert all(s.to == self.address for s in new)
            self.last = [s.body for s in new]
        return self.last


@pytest.fixture(scope="module")
def twilio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Twilio]:
    with running_standin(ACCOUNT_SID, AUTH_TOKEN) as standin:
        env = {
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_NUMBER": NUMBER,
            "TWILIO_API_URL": standin.url,
        }
        with running_servers(tmp_path_factory.mktemp("twilio"), env=env) as servers:
            yield Twilio(servers, standin, f"{servers.rasa_url}/webhooks/twilio/webhook")


def records_of(twilio: Twilio) -> dict[str, dict[str, Any]]:
    return {r["reference"]: r for r in Records(twilio.servers.db).all()}


def reference_in(texts: list[str]) -> str:
    line = next(t for t in texts if t.startswith("Your reference is"))
    return line.split()[3].rstrip(".")


def question_in(qid: str, text: str) -> bool:
    return TRIAL.questions[qid].text in text


@pytest.mark.servers
def test_a_complete_screening_by_sms(twilio: Twilio) -> None:
    phone = Phone(twilio, PHONE)
    intro, storage, consent = (m["text"] for m in messages.intro(TRIAL))
    assert phone.send("hello") == [intro, storage, f"{consent}\nReply 1 for Yes, 2 for No."]
    age = phone.send("1")
    assert TEXTS["consent_yes"] in age and question_in("age", age[-1]) and "Reply" not in age[-1]
    assert age[-1].startswith("Part 1 of 7: About you and your lupus\n")  # each part is named as it opens
    phone.send(SCREEN_ANSWERS["age"])
    assert question_in("lupus_diagnosis", phone.last[-1]) and not phone.last[-1].startswith("Part")
    assert phone.last[-1].endswith("\nReply 1 for Yes, 2 for No, 3 for Not sure.")
    recap = phone.answer_until_done(SCREEN_ANSWERS)
    assert recap[-1] == f"{TEXTS['recap_question']}\nReply 1 for {TEXTS['recap_yes']}; 2 for {TEXTS['recap_change']}."
    # The recap is longer than one message: cut at a line break, every line whole.
    heading = next(i for i, b in enumerate(recap) if b.startswith(TEXTS["recap_heading"]))
    assert recap[heading + 1].startswith("- ") and recap[heading + 2] == recap[-1]
    lines = "\n".join(recap[heading : heading + 2]).splitlines()
    assert {"- a lupus diagnosis: yes", "- whether you could have a child: no", "- bad infections: no"} <= set(lines)
    assert {"- other serious illness: no", "- taking part: yes"} <= set(lines)
    result = phone.send("1")
    # The result is short messages: the outcome and what decided it, what to do next (with the
    # hours the study team answers the phone), the reference, and a call-back offered with the
    # details as the options of the last one: options are numbered for the last message only.
    assert len(result) == 4 and result[0].startswith(TRIAL.outcomes["may_fit"])
    assert result[1] == "\n".join(
        [TEXTS["next_heading"], TEXTS["provider"], contacts_text(TRIAL), messages.phone_hours(TRIAL)]
    )
    assert "Reply" not in result[2] and TEXTS["reference"].split("{")[0] in result[2]
    assert result[3].endswith(
        f"\nReply 1 for {TEXTS['callback_yes']}; 2 for {TEXTS['callback_no']}; 3 for {TEXTS['details_button']}."
    )
    details = phone.send("3")
    assert details[0].startswith(TEXTS["details_heading"])
    assert all(c.summary in "\n".join(details) for c in TRIAL.criteria)
    assert TEXTS["callback_name"] in phone.send("yes")  # the call-back is still on offer
    phone.send("Li Na", "+86 137 0000 1234")
    times = [TEXTS[f"callback_time_{k}"] for k in ("morning", "afternoon", "any")]
    assert phone.last[-1].endswith("Reply " + ", ".join(f"{n} for {t}" for n, t in enumerate(times, 1)) + ".")
    phone.send("2")
    assert all(s.from_ == NUMBER and len(s.body) <= DEFAULT_MAX_LENGTH for s in twilio.standin.to(PHONE))
    saved = records_of(twilio)[reference_in(result)]
    assert (saved["channel"], saved["status"], saved["outcome"]) == ("twilio", "completed", "may_fit")
    assert saved["answers"]["could_have_children"] == "no" and saved["answers"]["willing"] == "yes"
    call = next(c for c in callbacks.call_list(Records(twilio.servers.db).db) if c["reference"] == saved["reference"])
    assert (call["channel"], call["phone"], call["best_time"]) == ("twilio", "+8613700001234", "afternoon")
    assert twilio.standin.refused == 0


ZH_SCREEN_ANSWERS = {
    **SCREEN_ANSWERS,
    "age": "我今年34岁",
    "kidney_involvement": "是的",
    "protein_result": "24小时尿蛋白定量1.8克",
    "cancer_history": "没有",
    "medicines": "吗替麦考酚酯和羟氯喹",
    "infusions": "没有",
    "dose:mycophenolate_mofetil": "剂量一直没变",
    "plasma_procedure": "没做过",
    "chronic_infection": "没有",
    "surgery_recent": "没有",
    "vaccine_recent": "没打过",
    "vaccine_planned": "不打算",
}


@pytest.mark.servers
def test_a_complete_screening_by_sms_in_chinese(twilio: Twilio) -> None:
    """A first message in Chinese: the whole screen, its numbered options and the record are Chinese."""
    phone = Phone(twilio, "+8613900001111")
    intro, storage, consent = (m["text"] for m in messages.intro(ZH))
    options = ZH.texts["text_options"].format(answer="1表示“是”, 2表示“否”")
    assert phone.send("你好") == [intro, storage, f"{consent}\n{options}"]
    phone.send("1")
    assert phone.last[-1].endswith(ZH.questions["age"].text)
    phone.send(ZH_SCREEN_ANSWERS["age"])
    assert ZH.questions["lupus_diagnosis"].text in phone.last[-1]
    recap = phone.answer_until_done(ZH_SCREEN_ANSWERS, trial=ZH)
    assert recap[-1].startswith(ZH.texts["recap_question"]) and "1表示" in recap[-1]
    result = phone.send("1")
    assert result[0].startswith(ZH.outcomes["may_fit"]) and contacts_text(ZH) in result[1]
    assert all(re.search(r"[\u4e00-\u9fff]", body) for body in result)
    reference = re.search(r"S-[A-Z0-9]{10}", "\n".join(result))
    assert reference
    saved = records_of(twilio)[reference.group(0)]
    assert (saved["channel"], saved["outcome"], saved["language"]) == ("twilio", "may_fit", "zh")
    assert phone.send("帮助")[0].startswith(ZH.texts["sms_help"].format(short_name=ZH.info["short_name"])[:20])
    assert phone.send("退订") == [ZH.texts["text_stopped"]]


@pytest.mark.servers
def test_one_is_an_age_when_the_question_has_no_options(twilio: Twilio) -> None:
    phone = Phone(twilio, "+15557650001")
    phone.send("hello", "1")
    assert question_in("age", phone.last[-1])
    ended = phone.send("1")  # an age of 1: too young, straight to the recap
    assert any("- your age: 1" in t.splitlines() for t in ended) and TEXTS["recap_question"] in ended[-1]


@pytest.mark.servers
@pytest.mark.parametrize(
    ("signature", "url"),
    [
        (None, None),
        ("bm90IGEgc2lnbmF0dXJl", None),
        ("sign", "https://screener.example.org/webhooks/twilio/webhook"),
        ("sign", "{webhook}?extra=1"),
    ],
    ids=["unsigned", "wrong", "another-url", "another-query"],
)
def test_a_post_without_a_valid_signature_is_refused_and_nothing_is_sent(
    twilio: Twilio, signature: str | None, url: str | None
) -> None:
    before = len(twilio.standin.sent)
    params = Phone(twilio, "+15557650002").params("hello")
    assert twilio.post(params, signature, url and url.format(webhook=twilio.webhook)) == 403
    time.sleep(0.5)  # anything processed would have answered by now
    assert len(twilio.standin.sent) == before
    assert twilio.post(params) == 200 and len(twilio.standin.sent) > before  # the same post, signed, is taken


@pytest.mark.servers
def test_stop_closes_the_screen_and_nothing_more_is_sent_until_start(twilio: Twilio) -> None:
    phone = Phone(twilio, "+15557650003")
    phone.send("hello", "1", "I'm 47", "1")
    assert question_in("kidney_involvement", phone.last[-1])
    assert phone.send("STOP") == [TEXTS["text_stopped"]]
    (saved,) = [r for r in records_of(twilio).values() if r["answers"]["age"].get("min_years") == 47]
    assert (saved["channel"], saved["status"]) == ("twilio", "stopped")
    assert saved["answers"]["lupus_diagnosis"] == "yes"
    assert phone.send("hello") == [] and phone.send("1") == [] and phone.send("stop") == []
    assert phone.send("START") == [TEXTS["text_started"]]
    assert TEXTS["consent_question"] in phone.send("hi")[-1]


@pytest.mark.servers
def test_help_answers_without_disturbing_the_screen(twilio: Twilio) -> None:
    phone = Phone(twilio, "+15557650004")
    phone.send("hello", "1", "I'm 40")
    assert question_in("lupus_diagnosis", phone.last[-1])
    assert phone.send("HELP") == [f"{HELP_TEXT}\n{contacts_text(TRIAL)}"]
    assert question_in("kidney_involvement", phone.send("1")[-1])  # the options outlived the help


@pytest.mark.servers
def test_a_picture_without_words_gets_the_kind_reply(twilio: Twilio) -> None:
    phone = Phone(twilio, "+15557650005")
    assert phone.send("") == [TEXTS["blank_message"]]


@pytest.mark.servers
def test_whatsapp_is_answered_from_the_whatsapp_number(twilio: Twilio) -> None:
    phone = Phone(twilio, "whatsapp:+8613912345678", to_us=f"whatsapp:{NUMBER}")
    phone.send("你好")
    replies = twilio.standin.to("whatsapp:+8613912345678")
    assert replies and all(s.from_ == f"whatsapp:{NUMBER}" for s in replies)


@pytest.mark.servers
def test_the_phone_number_is_neither_the_sender_id_nor_stored(twilio: Twilio) -> None:
    address = "+15557659876"
    phone = Phone(twilio, address)
    phone.send("hello", "1")
    assert question_in("age", phone.last[-1])
    phone.send("I'm 34")
    assert question_in("lupus_diagnosis", phone.last[-1])
    # Rasa knows the conversation by the hash, and under the number there is none.
    with sqlite3.connect(twilio.servers.conversations_db) as db:
        senders = {row[0] for row in db.execute("SELECT DISTINCT sender_id FROM events")}
    assert hashed_id(address) in senders and address not in senders
    # Records, stored conversations (when Rasa keeps them on disk) and logs: no phone number anywhere.
    digits = [a.split(":")[-1].lstrip("+") for a in (address, PHONE, "whatsapp:+8613912345678")]
    workdir = Path(twilio.servers.db).parent
    contents = {path.name: path.read_bytes() for path in [*workdir.glob("*.db*"), *workdir.glob("*.log")]}
    for name, content in contents.items():
        assert not any(d.encode() in content for d in digits), name
    conversations = b"".join(c for name, c in contents.items() if name.startswith("conversations.db"))
    assert not conversations or hashed_id(address).encode() in conversations  # the check sees sender ids
    assert any(r["channel"] == "twilio" for r in records_of(twilio).values())
