"""Rasa's REST channel (terminal chat, tests, benchmarks), answering blank messages."""

from __future__ import annotations

from rasa.core.channels.rest import RestInput
from sanic import Blueprint

from channels import OnNewMessage, always_answer, with_server_hooks


class RestChannel(RestInput):
    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        return with_server_hooks(super().blueprint(always_answer(on_new_message)))
