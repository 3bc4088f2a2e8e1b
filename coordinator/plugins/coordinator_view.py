"""Datasette plugin for the study coordinator's view (loaded with --plugins-dir; docs/coordinator.md).

- ``/`` opens the call list (anonymous: the login page); ``/-/funnel`` shows tools/report.py's funnel;
  there is no ``/-/password-tool``.
- The call list's references link to the set_status form, with the reference filled in.
- The form offers the statuses the database accepts (bot/storage/callbacks.py STATUSES).
- An anonymous request that is refused gets a 403 page with a link to log in.
- No response may be kept by a browser or a proxy (``Cache-Control: no-store``): health data.
- Whatever the records file is called, the database is served as ``screenings``, the name
  coordinator/metadata.yml configures.

Who may see what is coordinator/metadata.yml's ``allow``; these hooks only ask Datasette.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

import datasette
from datasette.utils.asgi import Forbidden, Response
from markupsafe import Markup
from sqlite_utils import Database

from bot.storage.callbacks import STATUSES
from tools import report

DATABASE = "screenings"
SET_STATUS_TEMPLATE = f"query-{DATABASE}-set_status.html"
ASGI = Callable[[dict[str, Any], Any, Any], Awaitable[None]]
F = TypeVar("F", bound=Callable[..., Any])


def hook(function: F) -> F:
    """datasette.hookimpl, typed."""
    return cast(F, datasette.hookimpl(function))


async def is_coordinator(ds: Any, actor: dict[str, Any] | None) -> bool:
    """A logged-in actor the metadata's ``allow`` lets in."""
    return actor is not None and bool(await ds.permission_allowed(actor, "view-instance", default=True))


@hook
def startup(datasette: Any) -> None:
    names = [name for name in datasette.databases if name != "_internal"]
    if len(names) == 1 and names[0] != DATABASE:
        db = datasette.databases[names[0]]
        datasette.remove_database(names[0])
        datasette.add_database(db, name=DATABASE, route=DATABASE)


async def home(request: Any, datasette: Any) -> Any:
    if request.actor is None:
        return Response.redirect(datasette.urls.path("/-/login"))
    if not await is_coordinator(datasette, request.actor):
        raise Forbidden("This view is for the study coordinators.")
    return Response.redirect(datasette.urls.table(DATABASE, "call_list"))


async def funnel_page(request: Any, datasette: Any) -> Any:
    if not await is_coordinator(datasette, request.actor):
        raise Forbidden("The funnel is for the study coordinators.")
    db = datasette.get_database(DATABASE)
    fragment = await db.execute_fn(lambda conn: report.funnel_section(Database(conn, recursive_triggers=False)))
    html = await datasette.render_template("coordinator_funnel.html", {"funnel": Markup(fragment)}, request=request)
    return Response.html(html)


def not_here() -> Any:
    return Response.text("Not found", status=404)


@hook
def register_routes() -> list[tuple[str, Callable[..., Any]]]:
    # Routes of plugins loaded later come first: these take the place of Datasette's index page and of
    # datasette-auth-passwords' password tool (a PBKDF2 hash for anyone who asks; use
    # `datasette hash-password` instead).
    return [(r"^/$", home), (r"^/-/funnel$", funnel_page), (r"^/-/password-tool$", not_here)]


@hook
def render_cell(value: Any, column: str, table: str | None, database: str, datasette: Any) -> Markup | None:
    if database != DATABASE or table != "call_list" or column != "reference" or not isinstance(value, str):
        return None
    href = datasette.urls.database(DATABASE) + "/set_status?" + urlencode({"reference": value})
    return Markup('<a href="{}" title="Change the status of {}">{}</a>').format(href, value, value)


@hook
def extra_template_vars(template: str) -> dict[str, Any]:
    if template != SET_STATUS_TEMPLATE:
        return {}
    return {"statuses": [(status, status.replace("_", " ").capitalize()) for status in STATUSES]}


@hook
def menu_links(datasette: Any, actor: dict[str, Any] | None) -> list[dict[str, str]]:
    if actor is None:
        return []
    return [
        {"href": datasette.urls.table(DATABASE, "call_list"), "label": "Call list"},
        {"href": datasette.urls.database(DATABASE) + "/set_status", "label": "Change a status"},
        {"href": datasette.urls.table(DATABASE, "callback_audit"), "label": "Audit of status changes"},
        {"href": datasette.urls.path("/-/funnel"), "label": "Funnel"},
    ]


@hook
def forbidden(datasette: Any, request: Any, message: str) -> Callable[[], Awaitable[Any]] | None:
    if request.actor is not None:
        return None  # Datasette's own 403 page

    async def please_log_in() -> Any:
        login = datasette.urls.path("/-/login")
        error = Markup('This view is for the study coordinators: please <a href="{}">log in</a>.').format(login)
        html = await datasette.render_template(
            "error.html", {"title": "Please log in", "error": error}, request=request
        )
        return Response.html(html, status=403)

    return please_log_in


@hook
def asgi_wrapper() -> Callable[[ASGI], ASGI]:
    def wrap(app: ASGI) -> ASGI:
        async def no_store(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] != "http" or scope["path"].startswith("/-/static"):
                await app(scope, receive, send)
                return

            async def send_no_store(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                    message = {**message, "headers": [*headers, (b"cache-control", b"no-store")]}
                await send(message)

            await app(scope, receive, send_no_store)

        return no_store

    return wrap
