"""Rasa input channels for the screener: the web widget's socket.io, the REST
channel of the terminal chat and the tests, and SMS / WhatsApp through Twilio.

Each wraps one of Rasa's own connectors; what they all add is here:
- every message gets an answer. Rasa predicts nothing for a message with no
  words, and when the action server is down it logs the error and stays
  silent; in both cases the person would hear nothing back;
- no message is longer than the widget allows, so none can stall the server
  for everyone (the NLU's cost grows with the length);
- a typed "/restart", "/session_start", "/back" or "/inform{...}" is no Rasa
  command: only the payloads of the bot's own buttons pass as commands.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage

from bot.language import language_of
from bot.settings import Settings
from bot.trial.model import Trial, cached_trial

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]

MAX_MESSAGE_CHARS = 1000  # the widget answer box's maxlength (web/widget.js), for every channel
# The payloads of the bot's own buttons (bot/session/messages.py, actions/) and the widget's opening
# (web/widget.js): the only "/commands" a message may be.
BUTTON_COMMANDS = frozenset({"/greet", "/affirm", "/deny", "/correct", "/resume", "/start_over", "/details"})
# What any other typed command becomes: small talk, which gets a polite redirect and the question again.
NOT_A_COMMAND = "/out_of_scope"
_COMMAND = re.compile(r"\s*/")
# Fields of a bot message besides text and buttons (bot/session/messages.py) that a channel may pass
# on: the widget reads them; the REST channel returns them to its callers (the tests). ``language`` is
# on the messages that open the conversation or change its language: the widget's words follow it.
EXTRA_FIELDS = ("kind", "question", "progress", "outcome", "details", "report", "language", "groups")


_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,2}")


def language_metadata(data: Any) -> dict[str, str]:
    """The language a page asks for (the widget's ``data-lang``, sent as ``metadata.language``), as a
    bare tag ("zh-CN" is "zh"); nothing else a browser sends is passed on to the conversation."""
    metadata = data.get("metadata") if isinstance(data, dict) else None
    asked = metadata.get("language") if isinstance(metadata, dict) else None
    if isinstance(asked, str) and _LANGUAGE_TAG.fullmatch(asked):
        return {"language": asked.split("-")[0].lower()}
    return {}


def is_blank(text: str | None) -> bool:
    return not (text or "").strip()


def as_typed(text: str) -> str:
    """A typed Rasa command ("/restart", "/inform{...}") is no command: it becomes small talk."""
    if _COMMAND.match(text) and text.strip() not in BUTTON_COMMANDS:
        return NOT_A_COMMAND
    return text


class _CountingOutput(OutputChannel):
    """Passes every reply on to the real output channel, counting them."""

    def __init__(self, inner: OutputChannel) -> None:
        self.inner, self.sent = inner, 0

    def name(self) -> str:  # type: ignore[override]
        return str(self.inner.name())

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        self.sent += 1
        await self.inner.send_response(recipient_id, message)


def trial_choice(credentials: dict[str, Any] | None) -> str | None:
    """The trial a channel serves: the `trial:` of its entry in credentials.yml (a registry id or a
    path), else the deployment's ($SCREENER_TRIAL, bot/settings.py), else the only file in trials/."""
    return (credentials or {}).get("trial") or Settings.from_env().trial


class ServesTrial:
    """A channel serves one trial, in its language (``trial_choice``, set when Rasa loads it)."""

    trial_choice: str | None = None

    @property
    def trial(self) -> Trial:
        return cached_trial(self.trial_choice)

    def trial_in(self, language: str | None) -> Trial:
        """The trial in ``language``, if it has texts in it, else in its own."""
        return cached_trial(self.trial_choice, language if language in self.trial.languages else None)


def asked_language(message: UserMessage) -> str | None:
    """The language the page asks for (``language_metadata``): the widget's follows the conversation."""
    return (message.metadata or {}).get("language")


def always_answer(
    on_new_message: OnNewMessage,
    channel: ServesTrial,
    language: Callable[[UserMessage], str | None] = asked_language,
) -> OnNewMessage:
    """Blank messages get a kind reply; a message that got no reply at all gets an apology. Both are
    in the message's language: its own if it says (Chinese characters), else ``language(message)``,
    the conversation's as the channel knows it.

    Nothing is lost when Rasa fails: a failed action's events are dropped, so
    the screen stays where it was and the person can send the answer again.
    """

    async def handle(message: UserMessage) -> Any:
        output = message.output_channel
        said = message.text if isinstance(message.text, str) else ""
        trial = channel.trial_in(language_of(said, language(message), channel.trial.languages))
        if not isinstance(message.text, str) or is_blank(message.text):
            await output.send_text_message(message.sender_id, trial.texts["blank_message"])
            return None
        if len(message.text) > MAX_MESSAGE_CHARS:
            await output.send_text_message(message.sender_id, trial.texts["too_long"])
            return None
        message.text = as_typed(message.text)
        counting = _CountingOutput(output)
        message.output_channel = counting
        try:
            return await on_new_message(message)
        except Exception:
            logger.exception("Handling a message failed")
            return None
        finally:
            if not counting.sent:
                await output.send_text_message(message.sender_id, trial.texts["technical_problem"])

    return handle
