"""SMS and WhatsApp through Twilio: Rasa's Twilio connector, made safe to expose.

What it adds to the stock connector:
- every request must carry a valid X-Twilio-Signature (the stock one checks
  none); without an auth token nothing is processed at all;
- a phone number never becomes the Rasa sender id, so trackers and logs never
  hold it: the conversation is keyed by a keyed hash of the address, and the
  address itself stays in memory only, to reply;
- quick replies become numbered options, and a reply of a number (or of an
  option's title) is taken as that option; a question that opens a part of the
  screen says which part;
- long messages are split at sentence boundaries;
- STOP / HELP / START keywords are handled as carriers expect, and their Chinese equivalents
  (退订 / 帮助 / 订阅, lexicon/languages.yml), each answered in its own language;
- sending does not block Sanic's event loop (Twilio's async client).

Settings come from the environment, never from a file (docs/twilio.md).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import aiohttp
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel, UserMessage
from rasa.core.channels.twilio import TwilioInput
from sanic import Blueprint, response
from sanic.request import Request, RequestParameters
from sanic.response import HTTPResponse
from twilio.base.exceptions import TwilioException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot.language import language_of, sms_keyword
from bot.session.messages import contacts_text
from channels import OnNewMessage, ServesTrial, always_answer
from channels.opt_outs import OptOuts

logger = logging.getLogger(__name__)
# The Twilio client logs every request at INFO; keep our logs to what matters.
_http_logger = logging.getLogger(__name__ + ".http")
_http_logger.setLevel(logging.WARNING)

DEFAULT_API_URL = "https://api.twilio.com"
TWILIO_MAX_LENGTH = 1600  # Twilio refuses a longer body
DEFAULT_MAX_LENGTH = 600  # easier to read on a phone
MIN_LENGTH = 160  # one SMS; shorter would cut most sentences
SEND_TIMEOUT_S = 10.0
MAX_PEOPLE = 20_000
WHATSAPP = "whatsapp:"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'

# Where a long message may be cut, strongest first: after a sentence (not after
# "Dr." or an initial), at a line break, at a space.
_NOT_AFTER = r"(?<!\bDr)(?<!\bMr)(?<!\bMs)(?<!\bMrs)(?<!\bSt)(?<!\b[A-Z])"
BOUNDARIES = (
    re.compile(_NOT_AFTER + r"[.!?…][\"'”’)\]]*\s+|[。！？][”’」』）]*\s*"),
    re.compile(r"\n\s*"),
    re.compile(r"\s+"),
)


def split_message(text: str, limit: int) -> list[str]:
    """Pieces of at most ``limit`` characters, each cut at the strongest boundary that fits."""
    return _split(text.strip(), limit, 0)


def _split(text: str, limit: int, level: int) -> list[str]:
    if len(text) <= limit:
        return [text] if text else []
    if level == len(BOUNDARIES):  # a single word longer than a message: no better place to cut
        return [text[i : i + limit] for i in range(0, len(text), limit)]
    pieces, current = [], ""
    for unit in _units(text, BOUNDARIES[level]):
        if len((current + unit).rstrip()) <= limit:
            current += unit
            continue
        pieces.append(current.strip())
        current = unit
        if len(unit.strip()) > limit:
            pieces += _split(unit.strip(), limit, level + 1)
            current = ""
    pieces.append(current.strip())
    return [p for p in pieces if p]


def _units(text: str, boundary: re.Pattern[str]) -> list[str]:
    """``text`` cut after each boundary, the boundary kept with the text before it."""
    cuts = [m.end() for m in boundary.finditer(text)]
    return [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True) if b > a]


def posted_form(body: bytes) -> RequestParameters:
    """The form exactly as posted. Twilio signs blank fields too (a picture comes with Body=),
    and Sanic's ``request.form`` drops them."""
    return RequestParameters(parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True))


def with_options(text: str, buttons: list[dict[str, Any]], texts: dict[str, str], numbered: bool = True) -> str:
    """The text, then "Reply 1 for Yes, 2 for No..." (SMS has no buttons). Where a bare number is
    an answer ("1.2" to a lab question), the options are offered as words: 'You can also reply "I don't know".'"""
    if not numbered:
        return f"{text}\n{texts['sms_words'].format(answer=texts['sms_or'].join(str(b['title']) for b in buttons))}"
    options = [texts["sms_option"].format(number=n, answer=b["title"]) for n, b in enumerate(buttons, 1)]
    # "1 for Yes, show my result; 2 for Change an answer": a comma in a title would blur the list.
    separator = "; " if any("," in str(b["title"]) for b in buttons) else ", "
    return f"{text}\n{texts['sms_options'].format(answer=separator.join(options))}"


def with_part(text: str, progress: Any) -> str:
    """A question that opens a part of the screen says which ("Part 3 of 7: Cancer"): a text
    channel has no header to show progress in, and once a part is enough."""
    if isinstance(progress, dict) and progress.get("opens") and progress.get("label"):
        return f"{progress['label']}\n{text}"
    return text


def chosen(reply: str, options: list[dict[str, str]]) -> str | None:
    """The payload of the option a reply names by its number or its title, if it names one."""
    answer = reply.strip().rstrip(".)").strip().casefold()
    if answer.isdecimal() and 1 <= int(answer) <= len(options):
        return options[int(answer) - 1]["payload"]
    return next((o["payload"] for o in options if o["title"].casefold() == answer), None)


def sender_id(address: str, key: str) -> str:
    """A stable id for a phone or WhatsApp address that does not reveal it."""
    return "twilio-" + hmac.new(key.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]


def reply_from(number: str | None, to_us: str | None, address: str) -> str | None:
    """Our sending address: the configured number (else the one they wrote to), as WhatsApp if they wrote on it."""
    own = (number or to_us or "").removeprefix(WHATSAPP)
    if not own:
        return None
    return WHATSAPP + own if address.startswith(WHATSAPP) else own


@dataclass
class Person:
    address: str  # where replies go: "+15551234567" or "whatsapp:+8613..."
    to_us: str | None = None  # the number they wrote to
    options: list[dict[str, str]] = field(default_factory=list)  # of the last bot message
    opted_out: bool = False
    language: str | None = None  # the conversation's, as their messages and the bot's say it


class People:
    """Who is texting, by sender id: in memory only, and only the ``size`` most recent.

    Opt-outs are also kept on disk (``OptOuts``), so one outlives a restart or
    the person being forgotten here.
    """

    def __init__(self, size: int = MAX_PEOPLE, opt_outs: OptOuts | None = None) -> None:
        self.size, self.opt_outs = size, opt_outs
        self._people: OrderedDict[str, Person] = OrderedDict()

    def see(self, sender: str, address: str, to_us: str | None) -> Person:
        person = self._people.pop(sender, None)
        if person is None:
            person = Person(address, opted_out=self.opt_outs is not None and sender in self.opt_outs)
        person.to_us = to_us or person.to_us
        self._people[sender] = person
        while len(self._people) > self.size:
            self._people.popitem(last=False)
        return person

    def get(self, sender: str) -> Person | None:
        return self._people.get(sender)

    def __len__(self) -> int:
        return len(self._people)


class TwilioSender(OutputChannel):
    """Replies through Twilio's API to the person behind a sender id."""

    @classmethod
    def name(cls) -> str:
        return "twilio"

    def __init__(self, channel: TwilioChannel) -> None:
        self.channel = channel

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        # Only the bot's own messages set or clear the options: a question without
        # options ("How old are you?") must take "1" as an answer, not as an option.
        person = self.channel.people.get(recipient_id)
        if person is not None:
            person.language = message.get("language") or person.language  # the bot opened or switched
            buttons = message.get("buttons") or message.get("quick_replies") or []
            if message.get("numbers_answer"):
                buttons = []  # "1" to "what was your urine protein result?" is a value, not option 1
            person.options = [{"title": str(b["title"]), "payload": str(b["payload"])} for b in buttons]
        await super().send_response(recipient_id, message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.channel.send(recipient_id, with_part(text, kwargs.get("progress")))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        text = with_part(text, kwargs.get("progress"))
        person = self.channel.people.get(recipient_id)
        texts = self.channel.trial_in(person.language if person else None).texts
        numbered = not kwargs.get("numbers_answer")
        await self.channel.send(recipient_id, with_options(text, buttons, texts, numbered))

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)


class TwilioChannel(ServesTrial, TwilioInput):
    """Webhook /webhooks/twilio/webhook: Twilio posts each incoming SMS or WhatsApp message here."""

    @classmethod
    def name(cls) -> str:
        return "twilio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        # credentials.yml holds no values: Rasa's ${VAR} expansion fails on an unset variable.
        env = os.environ
        channel = cls(
            env.get("TWILIO_ACCOUNT_SID"),
            env.get("TWILIO_AUTH_TOKEN"),
            env.get("TWILIO_NUMBER"),
            webhook_url=env.get("TWILIO_WEBHOOK_URL"),
            api_url=env.get("TWILIO_API_URL") or DEFAULT_API_URL,
            max_length=int(env.get("TWILIO_MAX_LENGTH") or DEFAULT_MAX_LENGTH),
        )
        channel.trial_choice = (credentials or {}).get("trial")
        return channel

    def __init__(
        self,
        account_sid: str | None,
        auth_token: str | None,
        twilio_number: str | None,
        webhook_url: str | None = None,
        api_url: str = DEFAULT_API_URL,
        max_length: int = DEFAULT_MAX_LENGTH,
        opt_outs: OptOuts | None = None,
    ) -> None:
        super().__init__(account_sid, auth_token, twilio_number, debug_mode=False)
        self.webhook_url = webhook_url
        self.api_url = api_url
        self.max_length = min(max(max_length, MIN_LENGTH), TWILIO_MAX_LENGTH)
        self.people = People(opt_outs=opt_outs or OptOuts())
        self._client: Client | None = None
        if not auth_token:
            logger.warning(
                "TWILIO_AUTH_TOKEN is not set: the Twilio channel refuses every request, "
                "because it cannot check that they come from Twilio."
            )
        elif not account_sid:
            logger.warning("TWILIO_ACCOUNT_SID is not set: the Twilio channel cannot send replies.")

    def get_output_channel(self) -> OutputChannel:
        return TwilioSender(self)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = Blueprint("twilio_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.auth_token else "not configured"})

        @webhook.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            status = await self.receive(
                self.webhook_url or request.url,
                posted_form(request.body),
                request.headers.get("X-Twilio-Signature"),
                on_new_message,
            )
            if status != 200:
                return response.text("", status=status)
            return response.text(EMPTY_TWIML, content_type="text/xml")  # we reply through the API

        @webhook.listener("after_server_stop")
        async def close(*_: Any) -> None:
            if self._client is not None:
                await self._client.http_client.close()  # type: ignore[attr-defined]

        return webhook

    async def receive(
        self, url: str, form: RequestParameters, signature: str | None, on_new_message: OnNewMessage
    ) -> int:
        """Handle one post from Twilio; the HTTP status to answer with."""
        if not self.auth_token:
            return 503
        # The form exactly as posted: Twilio signs the URL and every parameter.
        if not signature or not RequestValidator(self.auth_token).validate(url, form, signature):
            logger.warning("Refused a post without a valid Twilio signature (is TWILIO_WEBHOOK_URL right?).")
            return 403
        address = form.get("From")
        if not address:
            return 400
        sender = sender_id(address, self.auth_token)
        person = self.people.see(sender, address, form.get("To"))
        text = form.get("Body") or ""
        spoken = language_of(text, person.language, self.trial.languages)
        word, language = sms_keyword(text) or ("", spoken)
        trial = self.trial_in(language)  # a keyword's reply is in the keyword's language
        texts = trial.texts
        # On SMS the carrier's meaning of these words wins over the screen's own "stop".
        if word == "stop":
            if not person.opted_out:
                await self._stop_screen(sender, on_new_message)
                await self._deliver(person, texts["sms_stopped"])
                person.opted_out = True
                person.options = []
                self._remember_opt_out(sender, True)
            return 200
        if word == "start" or (word == "yes" and person.opted_out):
            person.opted_out = False
            self._remember_opt_out(sender, False)
            await self.send(sender, texts["sms_started"])
            return 200
        if word == "help":  # answered even when opted out, as carriers expect; the screen keeps its place
            help_text = texts["sms_help"].format(short_name=trial.info["short_name"])
            await self._deliver(person, f"{help_text}\n{contacts_text(trial)}")
            return 200
        if person.opted_out:
            return 200
        person.language = spoken  # "yes" passed on to the screen says nothing about the language
        message = UserMessage(
            chosen(text, person.options) or text,
            TwilioSender(self),
            sender,
            input_channel=self.name(),
            message_id=form.get("MessageSid"),
        )
        # A blank message, or Rasa failing, still gets a reply, in the conversation's language.
        await always_answer(on_new_message, self, lambda _: person.language)(message)
        return 200

    def _remember_opt_out(self, sender: str, opted_out: bool) -> None:
        if self.people.opt_outs is not None:
            (self.people.opt_outs.add if opted_out else self.people.opt_outs.discard)(sender)

    async def _stop_screen(self, sender: str, on_new_message: OnNewMessage) -> None:
        """Close the screen as stopped (the record says so); its closing words are not sent."""
        try:
            await on_new_message(UserMessage("/stop", CollectingOutputChannel(), sender, input_channel=self.name()))
        except Exception:
            logger.exception("Could not stop the screen of someone who opted out.")

    async def send(self, recipient_id: str, text: str) -> None:
        person = self.people.get(recipient_id)
        if person is None or person.opted_out:  # forgotten, or asked for no more messages
            return
        await self._deliver(person, text)

    async def _deliver(self, person: Person, text: str) -> None:
        for piece in split_message(text, self.max_length):  # in order: each waits for Twilio to accept the last
            try:
                await self.client().messages.create_async(
                    to=person.address, from_=reply_from(self.twilio_number, person.to_us, person.address), body=piece
                )
            except (TwilioException, aiohttp.ClientError, asyncio.TimeoutError) as error:
                # Twilio's error text can hold the phone number: log only the code.
                logger.error("Twilio did not take a message: %s", getattr(error, "code", None) or type(error).__name__)

    def client(self) -> Client:
        # Made on first use, inside the server's event loop, where aiohttp wants its session.
        if self._client is None:
            http = AsyncTwilioHttpClient(timeout=SEND_TIMEOUT_S, logger=_http_logger)
            client = Client(self.account_sid, self.auth_token, http_client=http)
            client.api.base_url = self.api_url
            self._client = client
        return self._client
