"""Helpers for the widget's browser tests: the widget as a person sees it, and a stand-in server.

The stand-in speaks the socket.io channel's protocol (channels/socketio.py) and
says whatever a test needs, including what the real bot never says (HTML,
links of every kind).
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import socketio
from aiohttp import web
from playwright.sync_api import Browser, Locator, Page, sync_playwright

from bot import PROJECT_ROOT
from tests.loopback import serving

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
ARTIFACTS = PROJECT_ROOT / "test-artifacts"


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless (`playwright install` cannot download browsers here)."""
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"no Chromium at {CHROMIUM}: `apt-get install chromium` (make test does it)")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# The widget's own names for its parts (web/widget.js STRINGS), as a person hears them, per language.
NAMES = {
    "en": {"log": "Conversation", "input": "Your answer", "send": "Send", "replies": "Suggested answers"},
    "zh": {"log": "对话", "input": "您的回答", "send": "发送", "replies": "建议的回答"},
}


class Widget:
    """The chat widget on a page, found by roles and names where a person would find it (in ``lang``)."""

    def __init__(self, page: Page, lang: str = "en") -> None:
        names = NAMES[lang]
        self.page = page
        self.panel = page.locator(".scr")
        self.log = page.get_by_role("log", name=names["log"])
        self.input = page.get_by_label(names["input"])
        self.send_button = page.get_by_role("button", name=names["send"], exact=True)
        self.replies = page.get_by_role("group", name=names["replies"])
        self.status = page.get_by_role("status")
        self.progress = page.locator(".scr-progress")

    def reply_button(self, title: str) -> Locator:
        return self.replies.get_by_role("button", name=title, exact=True)

    def bot_texts(self) -> list[str]:
        return self.page.locator(".scr-msg-bot .scr-text").all_inner_texts()

    def user_texts(self) -> list[str]:
        return self.page.locator(".scr-msg-user .scr-text").all_inner_texts()

    def wait_for_replies(self, *titles: str) -> None:
        """Until the bot has finished and offers these quick replies."""
        for title in titles:
            self.reply_button(title).wait_for()
        self.page.locator(".scr-typing").wait_for(state="hidden")

    def after_reply(self, action: Callable[[], Any]) -> None:
        """Do something, then wait until the bot has answered and stopped typing."""
        before = self.page.locator(".scr-msg-bot").count()
        action()
        self.page.wait_for_function(
            "n => document.querySelectorAll('.scr-msg-bot').length > n && document.querySelector('.scr-typing').hidden",
            arg=before,
        )

    def say(self, text: str) -> None:
        def type_and_send() -> None:
            self.input.fill(text)
            self.send_button.click()

        self.after_reply(type_and_send)

    def choose(self, title: str) -> None:
        self.after_reply(lambda: self.reply_button(title).click())


def focused(page: Page) -> dict[str, Any]:
    """What has keyboard focus, and whether its focus indicator can be seen."""
    return dict(
        page.evaluate(
            """() => {
                const el = document.activeElement;
                const style = getComputedStyle(el);
                return {
                    text: el.textContent.trim(),
                    isInput: el.classList.contains('scr-input'),
                    visible: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
                };
            }"""
        )
    )


class FakeRasa:
    """A socket.io server on loopback in a thread: ``script`` maps what a person says to the bot's messages.

    Anything not in the script is echoed back (``Echo: ...``), so a person's text also comes back as a
    bot message. ``heard`` lists every event received. It binds a port of its own choosing (no race
    with another process for a port picked beforehand); ``allow`` names the page's origin once the
    page is served.
    """

    def __init__(self) -> None:
        self.script: dict[str, list[dict[str, Any]]] = {}
        self.heard: list[tuple[str, Any]] = []
        self._loop = asyncio.new_event_loop()
        threading.Thread(target=self._loop.run_forever, daemon=True).start()
        port = self._call(self._start())
        self.url = f"http://127.0.0.1:{port}"

    def allow(self, origin: str) -> None:
        self._sio.eio.cors_allowed_origins = [origin]

    def _call(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(15)

    async def _start(self) -> int:
        sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins=[])
        self._sio = sio
        app = web.Application()
        sio.attach(app)

        @sio.on("session_request")
        async def session_request(sid: str, data: dict[str, Any]) -> None:
            self.heard.append(("session_request", data))
            await sio.emit("session_confirm", data.get("session_id") or uuid.uuid4().hex, to=sid)

        @sio.on("user_uttered")
        async def user_uttered(sid: str, data: dict[str, Any]) -> None:
            text = data.get("message", "")
            self.heard.append(("user_uttered", text))
            await sio.emit("bot_typing", {"typing": True}, to=sid)
            for message in self.script.get(text, [{"text": f"Echo: {text}"}]):
                await sio.emit("bot_uttered", message, to=sid)
            await sio.emit("bot_typing", {"typing": False}, to=sid)

        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        return int(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]

    def said(self) -> list[str]:
        return [data for event, data in self.heard if event == "user_uttered"]

    def stop(self) -> None:
        async def shutdown() -> None:
            await self._sio.shutdown()
            await self._runner.cleanup()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        self._call(shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)


@contextmanager
def serving_page(port: int, html: str) -> Iterator[str]:
    """One HTML page at / on loopback (another site that embeds the widget); yields its address."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    with serving(Page, port) as url:
        yield url
