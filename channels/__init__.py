"""Rasa input channels for the screener: the web widget's socket.io, the REST
channel of the terminal chat and the tests, and SMS / WhatsApp through Twilio.

Each wraps one of Rasa's own connectors; what they add is in one place here:
a blank message gets a kind reply instead of silence.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage

from bot.trial import cached_trial

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def is_blank(text: str | None) -> bool:
    return not (text or "").strip()


def answer_blank_messages(on_new_message: OnNewMessage) -> OnNewMessage:
    """Rasa predicts nothing for a message with no words, so the person would hear nothing back."""

    async def handle(message: UserMessage) -> Any:
        if is_blank(message.text):
            await message.output_channel.send_text_message(message.sender_id, cached_trial().texts["blank_message"])
            return None
        return await on_new_message(message)

    return handle
