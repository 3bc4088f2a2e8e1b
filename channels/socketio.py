"""The web widget's channel: Rasa's socket.io connector, made safe to expose.

What it adds to the stock connector:
- only the configured widget origins may connect (the stock one accepts any);
- the session id a page sends must look like one this server could have issued
  (32 hex characters), otherwise a new one is issued;
- typing events around each reply, so the widget can show that the bot is busy
  (counted per session: the indicator stays while any message is in hand);
- a switch of session leaves the previous session's room; messages are capped
  in size (the widget sends at most 1,000 characters);
- each bot message goes out whole, with what the widget needs beside the text
  (``kind``: question / summary..., ``progress``), and blank messages get a reply.
"""

from __future__ import annotations

import logging
import os
import re
import uuid
from typing import Any, cast

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from channels import EXTRA_FIELDS, OnNewMessage, ServesTrial, always_answer, language_metadata, trial_choice

logger = logging.getLogger(__name__)

SESSION_ID = re.compile(r"[0-9a-f]{32}")
DEFAULT_ORIGINS = "http://127.0.0.1:8080,http://localhost:8080"
MAX_PACKET_BYTES = 64 * 1024


def allowed_origins(configured: str | list[str] | None) -> list[str]:
    """From credentials.yml, else $SCREENER_WIDGET_ORIGINS, else the local demo page."""
    value = configured or os.environ.get("SCREENER_WIDGET_ORIGINS") or DEFAULT_ORIGINS
    items = value.split(",") if isinstance(value, str) else value
    origins = [o.strip().rstrip("/") for o in items if o.strip()]
    if "*" in origins:
        raise ValueError("a wildcard origin would let any site talk to the screener; list the widget's origins")
    return origins


class ScreenerSocketIOOutput(SocketIOOutput):
    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send_message(recipient_id, _message(text, [], kwargs))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._send_message(recipient_id, _message(text, buttons, kwargs))


def _message(text: str, buttons: list[dict[str, Any]], extra: dict[str, Any]) -> dict[str, Any]:
    quick_replies = [{"content_type": "text", "title": b["title"], "payload": b["payload"]} for b in buttons]
    message = {"text": text, "quick_replies": quick_replies}
    message.update({k: extra[k] for k in EXTRA_FIELDS if extra.get(k) is not None})
    return message


class ScreenerSocketIO(ServesTrial, SocketIOInput):
    origins: tuple[str, ...] | list[str] = ()  # set by from_credentials

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        channel = cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            session_persistence=True,
            socketio_path=credentials.get("socketio_path", "/socket.io"),
        )
        channel.origins = allowed_origins(credentials.get("allowed_origins"))
        channel.trial_choice = trial_choice(credentials)
        return channel

    def get_output_channel(self) -> ScreenerSocketIOOutput | None:  # type: ignore[override]
        return ScreenerSocketIOOutput(self.sio, self.bot_message_evt) if self.sio else None

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=list(self.origins) or allowed_origins(None),
            cors_credentials=False,  # the widget uses no cookies
            max_http_buffer_size=MAX_PACKET_BYTES,
        )
        self.sio = sio
        busy: dict[str, int] = {}  # messages in hand per session, for the typing indicator
        webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        handle = always_answer(on_new_message, self)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            wanted = data.get("session_id") if isinstance(data, dict) else None
            session_id = wanted if isinstance(wanted, str) and SESSION_ID.fullmatch(wanted) else uuid.uuid4().hex
            previous = (await sio.get_session(sid, namespace=self.namespace)).get("session_id")
            if previous and previous != session_id:
                await sio.leave_room(sid, previous, namespace=self.namespace)
            await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.save_session(sid, {"session_id": session_id}, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            session = await sio.get_session(sid, namespace=self.namespace)
            session_id = session.get("session_id")
            if not session_id:
                logger.debug("A message came before session_request; ignored.")
                return
            text = data.get("message") if isinstance(data, dict) else None
            text = text if isinstance(text, str) else ""  # always_answer refuses one that is too long
            output = ScreenerSocketIOOutput(sio, self.bot_message_evt)
            busy[session_id] = busy.get(session_id, 0) + 1
            await sio.emit("bot_typing", {"typing": True}, room=session_id, namespace=self.namespace)
            try:
                metadata = language_metadata(data)
                await handle(UserMessage(text, output, session_id, input_channel=self.name(), metadata=metadata))
            finally:
                busy[session_id] -= 1
                if not busy[session_id]:
                    del busy[session_id]
                    await sio.emit("bot_typing", {"typing": False}, room=session_id, namespace=self.namespace)

        return cast(Blueprint, webhook)
