"""SMS and WhatsApp through Twilio: Rasa's Twilio connector, made safe to expose.

What it adds to the stock connector:
- every request must carry a valid X-Twilio-Signature (the stock one checks
  none); without an auth token nothing is processed at all;
- what every text channel does (channels/text.py): a phone number never becomes
  the Rasa sender id (a keyed hash of it does), numbered options, part headings,
  split messages, STOP / HELP / START and their Chinese equivalents;
- sending does not block Sanic's event loop (Twilio's async client).

Settings come from the environment, never from a file (docs/twilio.md).
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any
from urllib.parse import parse_qs

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel
from rasa.core.channels.twilio import TwilioInput
from sanic import Blueprint, response
from sanic.request import Request, RequestParameters
from sanic.response import HTTPResponse
from twilio.base.exceptions import TwilioException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot.settings import Settings
from channels import OnNewMessage, trial_choice
from channels.text import LocalState, Person, TextChannel, TextOutput, TextState, sender_id, split_message, text_state

logger = logging.getLogger(__name__)
# The Twilio client logs every request at INFO; keep our logs to what matters.
_http_logger = logging.getLogger(__name__ + ".http")
_http_logger.setLevel(logging.WARNING)

DEFAULT_API_URL = "https://api.twilio.com"
TWILIO_MAX_LENGTH = 1600  # Twilio refuses a longer body
DEFAULT_MAX_LENGTH = 600  # easier to read on a phone
MIN_LENGTH = 160  # one SMS; shorter would cut most sentences
SEND_TIMEOUT_S = 10.0
WHATSAPP = "whatsapp:"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def posted_form(body: bytes) -> RequestParameters:
    """The form exactly as posted. Twilio signs blank fields too (a picture comes with Body=),
    and Sanic's ``request.form`` drops them."""
    return RequestParameters(parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True))


def reply_from(number: str | None, to_us: str | None, address: str) -> str | None:
    """Our sending address: the configured number (else the one they wrote to), as WhatsApp if they wrote on it."""
    own = (number or to_us or "").removeprefix(WHATSAPP)
    if not own:
        return None
    return WHATSAPP + own if address.startswith(WHATSAPP) else own


class TwilioSender(TextOutput):
    """Replies through Twilio's API, each text as soon as the bot says it."""

    channel: TwilioChannel

    @classmethod
    def name(cls) -> str:
        return "twilio"

    async def put(self, person: Person, text: str) -> None:
        await self.channel.deliver(person, text)


class TwilioChannel(TextChannel, TwilioInput):
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
            state=text_state(Settings.from_env()),
        )
        channel.trial_choice = trial_choice(credentials)
        return channel

    def __init__(
        self,
        account_sid: str | None,
        auth_token: str | None,
        twilio_number: str | None,
        webhook_url: str | None = None,
        api_url: str = DEFAULT_API_URL,
        max_length: int = DEFAULT_MAX_LENGTH,
        state: TextState | None = None,
    ) -> None:
        super().__init__(account_sid, auth_token, twilio_number, debug_mode=False)
        self.webhook_url = webhook_url
        self.api_url = api_url
        self.max_length = min(max(max_length, MIN_LENGTH), TWILIO_MAX_LENGTH)
        self.state: TextState = state if state is not None else LocalState()  # an empty LocalState is falsy
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
        sender = sender_id("twilio", address, self.auth_token)
        person = self.state.see(sender, address, form.get("To"))
        await self.take_text(
            sender, person, form.get("Body") or "", TwilioSender(self), on_new_message, form.get("MessageSid")
        )
        return 200

    async def deliver(self, person: Person, text: str) -> None:
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
