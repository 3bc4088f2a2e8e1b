"""Rasa's REST channel (terminal chat, tests, benchmarks), answering blank messages."""

from __future__ import annotations

from rasa.core.channels.rest import RestInput
from sanic import Blueprint

from channels import OnNewMessage, answer_blank_messages


class RestChannel(RestInput):
    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        return super().blueprint(answer_blank_messages(on_new_message))
