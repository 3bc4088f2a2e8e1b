"""Serve the widget's demo page: ``python -m web.serve --port 8080 --rasa-url http://127.0.0.1:5005``.

Only the files in ROUTES are served (no directory listing, no paths from the
request ever reach the file system). The page gets a Content-Security-Policy
that allows scripts and styles from this server only and connections to the
Rasa server only, and the Rasa URL is written into the page so any port works.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
VENDOR = HERE.parent / "node_modules" / "socket.io-client" / "dist"
HTML, JS, CSS = "text/html; charset=utf-8", "text/javascript; charset=utf-8", "text/css; charset=utf-8"
ROUTES = {
    "/": (HERE / "index.html", HTML),
    "/index.html": (HERE / "index.html", HTML),
    "/zh.html": (HERE / "zh.html", HTML),  # the same page in Chinese: the widget takes the page's language
    "/demo.css": (HERE / "demo.css", CSS),
    "/widget.js": (HERE / "widget.js", JS),
    "/widget.css": (HERE / "widget.css", CSS),
    "/vendor/socket.io.min.js": (VENDOR / "socket.io.min.js", JS),
}
SERVER_URL_ATTRIBUTE = re.compile(r'data-server-url="[^"]*"')


def rasa_url(value: str) -> str:
    """An http(s) origin with nothing after it: it goes into the page and into the CSP."""
    parts = urlsplit(value.strip().rstrip("/"))
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query:
        raise argparse.ArgumentTypeError(f"not an http(s) server address like http://127.0.0.1:5005: {value!r}")
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(rasa: str) -> str:
    # The widget talks to the Rasa server by WebSocket (ws:, or wss: behind TLS); its http origin stays allowed.
    socket = "ws" + rasa[len("http") :]
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            f"connect-src {rasa} {socket}",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )


def handler(rasa: str, quiet: bool = False) -> type[BaseHTTPRequestHandler]:
    csp = content_security_policy(rasa)

    class Handler(BaseHTTPRequestHandler):
        server_version = "screener-demo"
        sys_version = ""

        def do_GET(self) -> None:
            self._serve(body=True)

        def do_HEAD(self) -> None:
            self._serve(body=False)

        def _serve(self, body: bool) -> None:
            route = ROUTES.get(self.path.split("?", 1)[0])
            if route is None or not route[0].is_file():
                self._send(404, b"Not found\n", "text/plain; charset=utf-8", body)
                return
            path, content_type = route
            data = path.read_bytes()
            if content_type == HTML:
                page = SERVER_URL_ATTRIBUTE.sub(f'data-server-url="{html.escape(rasa)}"', data.decode("utf-8"))
                data = page.encode("utf-8")
            self._send(200, data, content_type, body, {"Content-Security-Policy": csp} if content_type == HTML else {})

        def _send(
            self, status: int, data: bytes, content_type: str, body: bool, extra: dict[str, str] | None = None
        ) -> None:
            self.send_response(status)
            headers = {
                "Content-Type": content_type,
                "Content-Length": str(len(data)),
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer",
                # Files are read on each request; no-cache makes an edited widget show on reload.
                "Cache-Control": "no-cache",
                **(extra or {}),
            }
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if body:
                self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            if not quiet:
                super().log_message(format, *args)

    return Handler


def make_server(host: str, port: int, rasa: str, quiet: bool = False) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), handler(rasa_url(rasa), quiet))
    server.daemon_threads = True
    return server


@contextmanager
def serving(host: str, port: int, rasa: str) -> Iterator[str]:
    """The demo page served from a thread (for tests); yields the page's address."""
    server = make_server(host, port, rasa, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--rasa-url", type=rasa_url, default="http://127.0.0.1:5005", help="the Rasa server")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    args = parser.parse_args(argv)
    if not ROUTES["/vendor/socket.io.min.js"][0].is_file():
        print("socket.io-client is missing: run `npm ci` in the project folder.", file=sys.stderr)
        raise SystemExit(1)
    server = make_server(args.host, args.port, args.rasa_url, args.quiet)
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"Open http://{host}:{server.server_address[1]} in your browser", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
