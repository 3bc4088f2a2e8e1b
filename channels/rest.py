"""Rasa's REST channel, for the terminal chat, the tests and the benchmark: never for people.

It answers only a caller that shows the token in $SCREENER_REST_TOKEN
(``Authorization: Bearer <token>``); with no token set it refuses every
request, so `make run` and a production configuration expose nothing here. A
post must name its sender, and every sender id is put in a namespace of its
own ("rest-..."), so no REST post can reach a conversation of the web widget
or of SMS, whatever id it claims.
"""

from __future__ import annotations

import hmac
import os
from typing import Any, cast

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import EXTRA_FIELDS, OnNewMessage, ServesTrial, always_answer, trial_choice

TOKEN_ENV = "SCREENER_REST_TOKEN"
SENDER_PREFIX = "rest-"


def refusal(request: Request) -> HTTPResponse | None:
    """Why a request may not pass (a response), or None when it may."""
    token = os.environ.get(TOKEN_ENV)
    if not token:
        return response.json({"error": "This channel is switched off."}, status=403)
    if not hmac.compare_digest(request.headers.get("Authorization", "").encode(), f"Bearer {token}".encode()):
        return response.json({"error": "Not allowed."}, status=401)
    if request.method == "POST":
        try:
            body = request.json
        except Exception:  # Sanic's own error would describe the body
            body = None
        sender = body.get("sender") if isinstance(body, dict) else None
        if not isinstance(sender, str) or not sender.strip():
            return response.json({"error": "Say who is sending: a 'sender' is required."}, status=400)
    return None


class _KeepingFields(CollectingOutputChannel):
    """Rasa's collector, also keeping the fields the widget gets (which question is asked, the kind
    of message...), on the first part of a text: callers need not tell a question by its words."""

    def __init__(self, inner: CollectingOutputChannel) -> None:
        self.messages = inner.messages  # the list Rasa's handler returns

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._keep(recipient_id, text, None, kwargs)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._keep(recipient_id, text, buttons, kwargs)

    async def _keep(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]] | None, extra: dict[str, Any]
    ) -> None:
        parts = text.strip().split("\n\n") if buttons is None else [text]  # as Rasa's collector splits them
        fields = {k: extra[k] for k in EXTRA_FIELDS if extra.get(k) is not None}
        for number, part in enumerate(parts):
            message = self._message(recipient_id, text=part, buttons=buttons)
            await self._persist_message({**message, **fields} if number == 0 else message)


def keeping_fields(on_new_message: OnNewMessage) -> OnNewMessage:
    async def handle(message: UserMessage) -> Any:
        if isinstance(message.output_channel, CollectingOutputChannel):
            message.output_channel = _KeepingFields(message.output_channel)
        return await on_new_message(message)

    return handle


class RestChannel(ServesTrial, RestInput):
    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        channel = cls()
        channel.trial_choice = trial_choice(credentials)
        return channel

    async def _extract_sender(self, req: Request) -> str:
        return SENDER_PREFIX + str(req.json["sender"])

    def _extract_input_channel(self, req: Request) -> str:
        return str(self.name())  # a caller may not pose as another channel in the records

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = super().blueprint(keeping_fields(always_answer(on_new_message, self)))

        @blueprint.on_request
        async def only_with_the_token(request: Request) -> HTTPResponse | None:
            return refusal(request)

        return cast(Blueprint, blueprint)
