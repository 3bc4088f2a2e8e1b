"""What every text channel needs (SMS and WhatsApp through Twilio, WeChat): one layer both use.

- Quick replies become numbered options, and a reply of a number (or of an option's title) is
  taken as that option; where a bare number is an answer, the options are offered as words.
- A question that opens a part of the screen says which part.
- Long messages are split at sentence boundaries (``split_message``).
- Keywords (STOP / HELP / START and their Chinese 退订 / 帮助 / 订阅, lexicon/languages.yml), each
  answered in its own language; an opt-out silences the person until they opt back in.
- Who is texting is a keyed hash of their address (``sender_id``): the address itself stays in the
  channel state, to reply, and never reaches Rasa, its trackers, the records or the logs.

The per-person state (the options on offer, the address, the conversation's language, opt-outs),
de-duplication of retried posts and cached values (WeChat's access token) live behind one small
interface, ``TextState``. ``LocalState`` keeps them in this process, opt-outs on disk; a store
shared by several servers implements the same methods.

A channel subclasses ``TextChannel`` and ``TextOutput``: the channel checks the request and finds
the address, the output says how one text reaches the person (``TextOutput.put``).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel, UserMessage

from bot.language import language_of, sms_keyword
from bot.session.messages import contacts_text
from bot.settings import Settings
from bot.storage.opt_outs import OptOuts
from channels import OnNewMessage, ServesTrial, always_answer

logger = logging.getLogger(__name__)

MAX_PEOPLE = 20_000  # people remembered in memory, the most recent first
MAX_SEEN = 100_000  # de-duplication keys remembered in memory

# Where a long message may be cut, strongest first: after a sentence (not after
# "Dr." or an initial), at a line break, at a space.
_NOT_AFTER = r"(?<!\bDr)(?<!\bMr)(?<!\bMs)(?<!\bMrs)(?<!\bSt)(?<!\b[A-Z])"
BOUNDARIES = (
    re.compile(_NOT_AFTER + r"[.!?…][\"'”’)\]]*\s+|[。！？][”’」』）]*\s*"),
    re.compile(r"\n\s*"),
    re.compile(r"\s+"),
)


Size = Callable[[str], int]


def split_message(text: str, limit: int, size: Size = len) -> list[str]:
    """Pieces of at most ``limit`` (as ``size`` measures: characters, or bytes for WeChat), each cut
    at the strongest boundary that fits."""
    return _split(text.strip(), limit, 0, size)


def _split(text: str, limit: int, level: int, size: Size) -> list[str]:
    if size(text) <= limit:
        return [text] if text else []
    if level == len(BOUNDARIES):  # a single word longer than a message: no better place to cut
        return _cut(text, limit, size)
    pieces, current = [], ""
    for unit in _units(text, BOUNDARIES[level]):
        if size((current + unit).rstrip()) <= limit:
            current += unit
            continue
        pieces.append(current.strip())
        current = unit
        if size(unit.strip()) > limit:
            pieces += _split(unit.strip(), limit, level + 1, size)
            current = ""
    pieces.append(current.strip())
    return [p for p in pieces if p]


def _cut(text: str, limit: int, size: Size) -> list[str]:
    """``text`` cut into runs of characters at most ``limit`` long, never inside a character."""
    pieces, current = [], ""
    for character in text:
        if current and size(current + character) > limit:
            pieces.append(current)
            current = ""
        current += character
    return [*pieces, current] if current else pieces


def _units(text: str, boundary: re.Pattern[str]) -> list[str]:
    """``text`` cut after each boundary, the boundary kept with the text before it."""
    cuts = [m.end() for m in boundary.finditer(text)]
    return [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True) if b > a]


def utf8_size(text: str) -> int:
    return len(text.encode("utf-8"))


def joined(texts: list[str], limit: int, size: Size = len) -> list[str]:
    """A turn's messages in as few as fit: whole messages joined by a blank line while they fit in
    ``limit``, a longer one split (``split_message``)."""
    pieces: list[str] = []
    for text in texts:
        for piece in split_message(text, limit, size):
            if pieces and size(f"{pieces[-1]}\n\n{piece}") <= limit:
                pieces[-1] = f"{pieces[-1]}\n\n{piece}"
            else:
                pieces.append(piece)
    return pieces


def with_options(text: str, buttons: list[dict[str, Any]], texts: dict[str, str], numbered: bool = True) -> str:
    """The text, then "Reply 1 for Yes, 2 for No..." (text channels have no buttons). Where a bare
    number is an answer ("1.2" to a lab question), the options are offered as words: 'You can also
    reply "I don't know".'"""
    if not numbered:
        return f"{text}\n{texts['text_words'].format(answer=texts['text_or'].join(str(b['title']) for b in buttons))}"
    options = [texts["text_option"].format(number=n, answer=b["title"]) for n, b in enumerate(buttons, 1)]
    # "1 for Yes, show my result; 2 for Change an answer": a comma in a title would blur the list.
    separator = "; " if any("," in str(b["title"]) for b in buttons) else ", "
    return f"{text}\n{texts['text_options'].format(answer=separator.join(options))}"


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


def sender_id(prefix: str, address: str, key: str) -> str:
    """A stable id for an address (a phone number, a WeChat openid) that does not reveal it."""
    return f"{prefix}-" + hmac.new(key.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]


@dataclass
class Person:
    address: str  # where replies go: "+15551234567", "whatsapp:+8613...", a WeChat openid
    to_us: str | None = None  # the number or account they wrote to
    options: list[dict[str, str]] = field(default_factory=list)  # of the last bot message
    opted_out: bool = False
    language: str | None = None  # the conversation's, as their messages and the bot's say it


class TextState(Protocol):
    """What a text channel remembers between requests. A shared store (several servers) implements
    the same methods; ``first_time`` must then be atomic (Redis: SET NX EX)."""

    def see(self, sender: str, address: str, to_us: str | None = None) -> Person:
        """The person behind ``sender``, remembered (with their opt-out) if new."""

    def get(self, sender: str) -> Person | None:
        """The person, if remembered."""

    def keep(self, sender: str, person: Person) -> None:
        """Store a person whose options or language changed."""

    def opt_out(self, sender: str, person: Person, opted_out: bool) -> None:
        """Record an opt-out (kept until they opt back in) or its end."""

    def first_time(self, key: str, seconds: float) -> bool:
        """True the first time ``key`` is seen within ``seconds``, then False (retried posts)."""

    def cached(self, key: str) -> str | None:
        """A value stored with ``cache`` that has not expired."""

    def cache(self, key: str, value: str, seconds: float) -> None:
        """Store ``value`` under ``key`` for ``seconds``."""


class LocalState:
    """``TextState`` in this process: the ``size`` most recent people, opt-outs also on disk
    (``OptOuts``) so that one outlives a restart or the person being forgotten here."""

    def __init__(self, size: int = MAX_PEOPLE, opt_outs: OptOuts | None = None) -> None:
        self.size, self.opt_outs = size, opt_outs
        self._people: OrderedDict[str, Person] = OrderedDict()
        self._seen: OrderedDict[str, float] = OrderedDict()  # key -> when it stops counting
        self._values: dict[str, tuple[str, float]] = {}

    def see(self, sender: str, address: str, to_us: str | None = None) -> Person:
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

    def keep(self, sender: str, person: Person) -> None:
        if sender in self._people:  # the same object: nothing to write, and a forgotten one stays so
            self._people[sender] = person

    def opt_out(self, sender: str, person: Person, opted_out: bool) -> None:
        person.opted_out = opted_out
        if opted_out:
            person.options = []
        if self.opt_outs is not None:
            (self.opt_outs.add if opted_out else self.opt_outs.discard)(sender)

    def first_time(self, key: str, seconds: float) -> bool:
        now = time.monotonic()
        while self._seen and (next(iter(self._seen.values())) <= now or len(self._seen) >= MAX_SEEN):
            self._seen.popitem(last=False)  # every key lives as long, so the oldest expire first
        if key in self._seen:
            return False
        self._seen[key] = now + seconds
        return True

    def cached(self, key: str) -> str | None:
        value, until = self._values.get(key, ("", 0.0))
        return value if until > time.monotonic() else None

    def cache(self, key: str, value: str, seconds: float) -> None:
        self._values[key] = (value, time.monotonic() + seconds)

    def __len__(self) -> int:
        return len(self._people)


def text_state(settings: Settings) -> TextState:
    """The state of a deployment's text channels: in Redis when several servers share it
    (``redis_url``), else in this process with opt-outs in the records database."""
    if settings.redis_url:
        from channels.shared_state import RedisState  # only a cluster needs the Redis client

        return RedisState(settings.redis_url)
    return LocalState(opt_outs=OptOuts(settings.records_db))


class TextOutput(OutputChannel):
    """Replies to the person behind a sender id, as text: buttons become options."""

    def __init__(self, channel: TextChannel) -> None:
        self.channel = channel

    async def put(self, person: Person, text: str) -> None:
        """Hand one text to the channel for ``person`` (Twilio's API, WeChat's reply)."""
        raise NotImplementedError

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        # Only the bot's own messages set or clear the options: a question without
        # options ("How old are you?") must take "1" as an answer, not as an option.
        person = self.channel.state.get(recipient_id)
        if person is not None:
            person.language = message.get("language") or person.language  # the bot opened or switched
            buttons = message.get("buttons") or message.get("quick_replies") or []
            if message.get("numbers_answer"):
                buttons = []  # "1" to "what was your urine protein result?" is a value, not option 1
            person.options = [{"title": str(b["title"]), "payload": str(b["payload"])} for b in buttons]
            self.channel.state.keep(recipient_id, person)
        await super().send_response(recipient_id, message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        person = self.channel.state.get(recipient_id)
        if person is not None and not person.opted_out:  # forgotten, or asked for no more messages
            await self.put(person, with_part(text, kwargs.get("progress")))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        person = self.channel.state.get(recipient_id)
        texts = self.channel.trial_in(person.language if person else None).texts
        numbered = not kwargs.get("numbers_answer")
        await self.send_text_message(recipient_id, with_options(text, buttons, texts, numbered), **kwargs)

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)


class TextChannel(ServesTrial):
    """The conversation of a text channel once a request is checked and its sender known."""

    state: TextState
    help_text = "sms_help"  # the channel's own words for HELP

    def name(self) -> str:  # type: ignore[override]
        raise NotImplementedError

    def metadata(self, person: Person) -> dict[str, Any] | None:
        """Message metadata for Rasa (WeChat asks for Chinese); none by default."""
        return None

    async def take_text(
        self,
        sender: str,
        person: Person,
        text: str,
        output: TextOutput,
        on_new_message: OnNewMessage,
        message_id: str | None = None,
    ) -> None:
        """One message from ``person``: a keyword, or a message for the screen."""
        spoken = language_of(text, person.language, self.trial.languages)
        word, language = sms_keyword(text) or ("", spoken)
        trial = self.trial_in(language)  # a keyword's reply is in the keyword's language
        texts = trial.texts
        # On a text channel the carrier's meaning of these words wins over the screen's own "stop".
        if word == "stop":
            if not person.opted_out:
                await self.stop_screen(sender, on_new_message)
                await output.put(person, texts["text_stopped"])
                self.state.opt_out(sender, person, True)
            return
        if word == "start" or (word == "yes" and person.opted_out):
            self.state.opt_out(sender, person, False)
            await output.put(person, texts["text_started"])
            return
        if word == "help":  # answered even when opted out, as carriers expect; the screen keeps its place
            help_text = texts[self.help_text].format(short_name=trial.info["short_name"])
            await output.put(person, f"{help_text}\n{contacts_text(trial)}")
            return
        if person.opted_out:
            return
        person.language = spoken  # "yes" passed on to the screen says nothing about the language
        self.state.keep(sender, person)
        message = UserMessage(
            chosen(text, person.options) or text,
            output,
            sender,
            input_channel=self.name(),
            message_id=message_id,
            metadata=self.metadata(person),
        )
        # A blank message, or Rasa failing, still gets a reply, in the conversation's language.
        await always_answer(on_new_message, self, lambda _: person.language)(message)

    async def stop_screen(self, sender: str, on_new_message: OnNewMessage) -> None:
        """Close the screen as stopped (the record says so); its closing words are not sent."""
        try:
            await on_new_message(UserMessage("/stop", CollectingOutputChannel(), sender, input_channel=self.name()))
        except Exception:
            logger.exception("Could not stop the screen of someone who opted out.")
