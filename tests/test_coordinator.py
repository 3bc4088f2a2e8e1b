"""The study coordinator's view (coordinator/, tools/coordinator.py) and the funnel report (tools/report.py).

In process, through Datasette's own ASGI client: nothing without a login, the call list, changing a
status (and its audit row), CSV export, the funnel page. In Debian's Chromium against a real
`python -m tools.coordinator` on loopback (marked `servers`): a coordinator's whole round, at phone and
desktop sizes, screenshots in test-artifacts/.
"""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import json
import os
import re
import secrets
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from datasette.app import Datasette
from datasette_auth_passwords.utils import hash_password, verify_password
from playwright.sync_api import Browser, Page, expect

from bot import PROJECT_ROOT
from bot.storage import callbacks, funnel
from bot.storage.callbacks import CallBack
from bot.storage.records import Records, ScreeningRecord
from tests.browser import ARTIFACTS, DESKTOP, PHONE, chromium
from tests.servers import free_port
from tools import coordinator, report
from tools.wait_for_port import wait_for_port

USER = "coordinator"
PASSWORD = "correct horse battery staple"
HASH_VARIABLE = "SCREENER_COORDINATOR_HASH"
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)
# Oldest first: the call list shows them newest first.
PEOPLE = [
    CallBack("S-23456789AB", "Li Wei", "+8613812345678", "morning", "zh", "socketio", "may_fit", "Kidney biopsy date"),
    CallBack("S-CDEFGHJKMN", "Ann Smith", "+447700900123", "evening", "en", "twilio", "needs_team", "Dose of MMF"),
    CallBack("S-PQRSTUVWXY", "Zhang Min", "+8613998765432", "afternoon", "zh", "twilio", "may_fit", "Last UPCR"),
]
OWNER = "owner-hash-7f3a9c2e"  # a hash of a chat id, in `owners`: shown to no one
# Nothing of these may reach anyone not logged in.
PRIVATE = [OWNER, *(v for p in PEOPLE for v in (p.reference, p.name, p.phone, p.checks))]
NEWEST_FIRST = [p.reference for p in reversed(PEOPLE)]
MILLISECONDS_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$")


def seed(path: Path) -> None:
    records = Records(path)
    try:
        for i, person in enumerate(PEOPLE):
            records.save_callback(person, now=T0 + timedelta(hours=i))
        record = ScreeningRecord(PEOPLE[0].reference, "socketio", "NCT05631717", "1", "digest", T0)
        records.save(record, now=T0, owner=OWNER)
    finally:
        records.close()


def rows(path: Path, sql: str) -> list[dict[str, Any]]:
    with sqlite3.connect(path) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql)]


def call_list_order(path: Path) -> list[str]:
    return [r["reference"] for r in rows(path, "SELECT reference FROM call_list")]


def call_list_references(html: str) -> list[str]:
    return re.findall(r'<td class="col-reference[^"]*"><a href="[^"]*"[^>]*>(S-[A-Z0-9]+)</a></td>', html)


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrftoken" value="([^"]+)"', html)
    assert found, "no CSRF token in the form"
    return found.group(1)


# ------------------------------------------------------------------------------- in process


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "records.db"  # not screenings.db: the plugin serves it as `screenings` all the same
    seed(path)
    return path


@pytest.fixture
def ds(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Datasette:
    # A cheap hash (1,000 rounds) for speed; tools/coordinator.py uses the plugin's default.
    monkeypatch.setenv(HASH_VARIABLE, hash_password(PASSWORD, iterations=1000))
    datasette = Datasette(
        [str(db_path)],
        metadata=coordinator.load_metadata(),
        plugins_dir=str(coordinator.PLUGINS_DIR),
        template_dir=str(coordinator.TEMPLATES_DIR),
        settings=coordinator.SETTINGS,
    )
    asyncio.run(datasette.invoke_startup())
    return datasette


async def log_in(ds: Datasette, username: str = USER, password: str = PASSWORD) -> dict[str, str]:
    """Through datasette-auth-passwords' /-/login form; the cookies a browser would keep."""
    form = await ds.client.get("/-/login")
    cookies = dict(form.cookies)
    response = await ds.client.post(
        "/-/login",
        data={"username": username, "password": password, "csrftoken": csrf_token(form.text)},
        cookies=cookies,
    )
    assert response.status_code in (200, 302)
    return {**cookies, **dict(response.cookies)}


async def post_status(ds: Datasette, cookies: dict[str, str], reference: str, status: str) -> httpx.Response:
    """The set_status form as a coordinator submits it (its CSRF token included)."""
    form = await ds.client.get(f"/screenings/set_status?reference={reference}", cookies=cookies)
    assert form.status_code == 200
    jar = {**cookies, **dict(form.cookies)}
    response: httpx.Response = await ds.client.post(
        "/screenings/set_status",
        data={"reference": reference, "status": status, "csrftoken": csrf_token(form.text)},
        cookies=jar,
    )
    return response


async def follow(ds: Datasette, response: httpx.Response, cookies: dict[str, str]) -> str:
    """The page a redirect leads to, with the message Datasette set for it."""
    assert response.status_code == 302, response.text
    page = await ds.client.get(response.headers["location"], cookies={**cookies, **dict(response.cookies)})
    return str(page.text)


ANONYMOUS_PATHS = [
    "/",
    "/.json",
    "/screenings",
    "/screenings.json",
    "/screenings/callbacks",
    "/screenings/callbacks.json",
    "/screenings/callbacks.csv",
    f"/screenings/callbacks/{PEOPLE[0].reference}",
    "/screenings.json?sql=select+*+from+callbacks",
    "/screenings?sql=select+*+from+callbacks",
    "/screenings/call_list",
    "/screenings/call_list.json",
    "/screenings/call_list.csv",
    "/screenings/call_list.csv?_stream=1&_dl=1",
    "/screenings/callback_audit",
    "/screenings/owners.json",
    "/screenings/set_status",
    f"/screenings/set_status?reference={PEOPLE[0].reference}",
    "/screenings.db",
    "/-/funnel",
    "/-/metadata.json",
    "/-/databases.json",
]


def test_nothing_without_a_login(ds: Datasette, db_path: Path) -> None:
    async def scenario() -> list[tuple[str, int, str]]:
        seen = []
        for path in ANONYMOUS_PATHS:
            response = await ds.client.get(path)
            seen.append((path, response.status_code, response.headers.get("location", "")))
            for private in PRIVATE:
                assert private not in response.text, (path, private)
            if response.status_code == 403 and not path.endswith((".json", ".csv")) and ".csv?" not in path:
                assert 'href="/-/login"' in response.text, path  # a way in
        # Writing without a login: refused, as a form and as JSON.
        for kwargs in (
            {"data": {"reference": PEOPLE[0].reference, "status": "called"}},
            {"json": {"status": "called"}},
        ):
            response = await ds.client.post("/screenings/set_status", **kwargs)  # type: ignore[arg-type]
            assert response.status_code == 403
        return seen

    seen = asyncio.run(scenario())
    refused = {path for path, status, _ in seen if status == 403}
    to_login = {path for path, status, location in seen if status == 302 and location.endswith("/-/login")}
    assert refused | to_login == set(ANONYMOUS_PATHS), seen
    assert to_login == {"/"}  # the address a coordinator types leads to the login form
    assert asyncio.run(ds.client.get("/-/password-tool")).status_code == 404  # no hashing for anyone who asks
    assert {r["status"] for r in rows(db_path, "SELECT status FROM callbacks")} == {"to_call"}
    assert rows(db_path, "SELECT * FROM callback_audit") == []


def test_a_wrong_password_or_an_unlisted_actor_gets_nothing(ds: Datasette) -> None:
    async def scenario() -> None:
        cookies = await log_in(ds, password="not the password")
        assert "ds_actor" not in cookies
        # A signed actor cookie, but for someone not in the metadata's `allow` list.
        stranger = {"ds_actor": ds.sign({"a": {"id": "stranger"}}, "actor")}
        for path in ("/screenings/call_list", "/screenings/call_list.csv", "/-/funnel", "/"):
            response = await ds.client.get(path, cookies=stranger)
            assert response.status_code == 403, path
            assert PEOPLE[0].phone not in response.text

    asyncio.run(scenario())


def test_the_call_list_comes_first_newest_first(ds: Datasette) -> None:
    async def scenario() -> None:
        cookies = await log_in(ds)
        assert cookies.get("ds_actor")
        home = await ds.client.get("/", cookies=cookies)
        assert home.status_code == 302 and home.headers["location"] == "/screenings/call_list"
        page = await ds.client.get("/screenings/call_list", cookies=cookies)
        assert page.status_code == 200
        assert call_list_references(page.text) == NEWEST_FIRST
        for person in PEOPLE:  # the outcome, what to check, and the way to the form, per row
            assert person.checks in page.text and person.phone in page.text
            assert f'href="/screenings/set_status?reference={person.reference}"' in page.text
        assert "may_fit" in page.text and "needs_team" in page.text
        # The database page leads there too, and hides `owners`.
        database = await ds.client.get("/screenings", cookies=cookies)
        assert 'href="/screenings/call_list"' in database.text
        assert "owners" not in database.text

    asyncio.run(scenario())


def test_owners_stay_hidden_from_coordinators(ds: Datasette) -> None:
    async def scenario() -> None:
        cookies = await log_in(ds)
        for path in (
            "/screenings/owners",
            "/screenings/owners.json",
            "/screenings.json?sql=select+owner+from+owners",
            "/screenings.db",
        ):
            response = await ds.client.get(path, cookies=cookies)
            assert response.status_code == 403, path
            assert OWNER not in response.text
        screenings = await ds.client.get("/screenings/screenings.json", cookies=cookies)
        assert screenings.status_code == 200 and OWNER not in screenings.text

    asyncio.run(scenario())


def test_changing_a_status_is_saved_and_audited(ds: Datasette, db_path: Path) -> None:
    person = PEOPLE[1]

    async def scenario() -> str:
        cookies = await log_in(ds)
        form = await ds.client.get(f"/screenings/set_status?reference={person.reference}", cookies=cookies)
        assert f'value="{person.reference}"' in form.text  # filled in from the link
        offered = re.findall(r'<option value="([a-z_]+)"', form.text)
        assert offered == list(callbacks.STATUSES)
        first = await post_status(ds, cookies, person.reference, "called")
        assert first.headers["location"] == "/screenings/call_list"
        # A second change within the same second passes the trigger too (milliseconds).
        second = await post_status(ds, cookies, person.reference, "scheduled")
        return await follow(ds, second, cookies)

    page = asyncio.run(scenario())
    assert "Saved" in page and "message-info" in page
    row = rows(db_path, f"SELECT * FROM callbacks WHERE reference = '{person.reference}'")[0]
    assert (row["status"], row["status_changed_by"]) == ("scheduled", USER)
    audit = callbacks.audit(Records(db_path).db, person.reference)
    assert [(a["old_status"], a["new_status"], a["changed_by"]) for a in audit] == [
        ("to_call", "called", USER),
        ("called", "scheduled", USER),
    ]
    assert all(MILLISECONDS_UTC.match(a["changed_at"]) for a in audit), audit
    assert audit[0]["changed_at"] < audit[1]["changed_at"] == row["status_changed_at"]
    others = rows(db_path, f"SELECT status FROM callbacks WHERE reference != '{person.reference}'")
    assert {r["status"] for r in others} == {"to_call"}


def test_the_audit_reads_newest_first(ds: Datasette) -> None:
    async def scenario() -> str:
        cookies = await log_in(ds)
        await post_status(ds, cookies, PEOPLE[0].reference, "could_not_reach")
        await post_status(ds, cookies, PEOPLE[2].reference, "not_interested")
        return str((await ds.client.get("/screenings/callback_audit.json?_shape=array", cookies=cookies)).text)

    audit = json.loads(asyncio.run(scenario()))
    assert [(a["reference"], a["new_status"], a["changed_by"]) for a in audit] == [
        (PEOPLE[2].reference, "not_interested", USER),
        (PEOPLE[0].reference, "could_not_reach", USER),
    ]


@pytest.mark.parametrize("status", ["bogus", "", "CALLED", "called'; --"])
def test_an_unknown_status_changes_nothing(ds: Datasette, db_path: Path, status: str) -> None:
    before = rows(db_path, "SELECT * FROM callbacks ORDER BY reference")

    async def scenario() -> str:
        cookies = await log_in(ds)
        return await follow(ds, await post_status(ds, cookies, PEOPLE[0].reference, status), cookies)

    page = asyncio.run(scenario())
    assert rows(db_path, "SELECT * FROM callbacks ORDER BY reference") == before
    assert rows(db_path, "SELECT * FROM callback_audit") == []
    error = re.search(r'<p class="message-error">([^<]+)</p>', page)
    assert error and error.group(1).startswith("Nothing was changed")
    assert all(s in error.group(1) for s in callbacks.STATUSES)  # the message names every status


def test_csv_export_of_the_call_list(ds: Datasette) -> None:
    async def scenario() -> tuple[httpx.Response, httpx.Response]:
        cookies = await log_in(ds)
        page = await ds.client.get("/screenings/call_list", cookies=cookies)
        link = re.search(r'<a href="([^"]+)">CSV</a>', page.text)
        assert link, "no CSV link on the call list"
        return await ds.client.get(link.group(1).replace("&amp;", "&"), cookies=cookies), await ds.client.get(
            "/screenings/call_list.csv?_stream=1&_dl=1", cookies=cookies
        )

    for response in asyncio.run(scenario()):
        assert response.status_code == 200
        table = list(csv.DictReader(io.StringIO(response.text)))
        assert [r["reference"] for r in table] == NEWEST_FIRST
        assert [(r["name"], r["phone"], r["checks"]) for r in table] == [
            (p.name, p.phone, p.checks) for p in reversed(PEOPLE)
        ]


def test_the_funnel_page_is_for_coordinators(ds: Datasette, db_path: Path) -> None:
    records = Records(db_path)
    funnel.count(records.db, "2026-W49", "socketio", "en", "started", n=7)
    funnel.moved(records.db, "2026-W49", "socketio", None, "age")
    records.close()

    async def scenario() -> tuple[httpx.Response, httpx.Response]:
        cookies = await log_in(ds)
        return await ds.client.get("/-/funnel"), await ds.client.get("/-/funnel", cookies=cookies)

    anonymous, page = asyncio.run(scenario())
    assert anonymous.status_code == 403 and "funnel-weekly" not in anonymous.text
    assert page.status_code == 200
    tables = Tables.of(page.text)
    assert tables["funnel-weekly"][0][:4] == ["2026-W49", "socketio", "en", "7"]
    assert tables["funnel-left"] == [["age", "1"]]
    assert 'src="data:image/png;base64,' in page.text
    assert page.headers["cache-control"] == "no-store"


# --------------------------------------------------------------------------- the tool itself


def test_the_tool_refuses_to_start_without_a_password(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def no_exec(*args: Any) -> None:
        raise AssertionError("Datasette was started")

    monkeypatch.setattr(os, "execve", no_exec)
    monkeypatch.delenv("SCREENER_COORDINATOR_PASSWORD", raising=False)
    old = os.umask(0o022)
    try:
        assert coordinator.main(["--db", str(tmp_path / "screenings.db")]) == 2
        monkeypatch.setenv("SCREENER_COORDINATOR_PASSWORD", PASSWORD)
        monkeypatch.setenv("SCREENER_COORDINATOR_USER", "nobody")  # no account for this name
        assert coordinator.main(["--db", str(tmp_path / "screenings.db")]) == 2
    finally:
        os.umask(old)


def test_the_hash_goes_by_environment_and_the_password_not_at_all(tmp_path: Path) -> None:
    env = coordinator.environment(USER, PASSWORD, {"SCREENER_COORDINATOR_PASSWORD": PASSWORD, "PATH": "/bin"})
    assert verify_password(PASSWORD, env[HASH_VARIABLE]) and not verify_password("other", env[HASH_VARIABLE])
    assert PASSWORD not in env.values() and "SCREENER_COORDINATOR_PASSWORD" not in env
    command = coordinator.command(tmp_path / "screenings.db", 8001)
    assert not any(PASSWORD in arg or "pbkdf2" in arg for arg in command)
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert "pbkdf2" not in coordinator.METADATA.read_text()  # the repository holds no hash


# ----------------------------------------------------------------------------- the report


class Tables(HTMLParser):
    """The text of each cell of each table with an id, row by row (the header row first)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.current: list[list[str]] | None = None
        self.cell: list[str] | None = None

    @classmethod
    def of(cls, html: str) -> dict[str, list[list[str]]]:
        parser = cls()
        parser.feed(html)
        return {name: rows[1:] for name, rows in parser.tables.items()} | {
            f"{name}:head": rows[:1] for name, rows in parser.tables.items()
        }

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.current = self.tables.setdefault(dict(attrs).get("id") or "", [])
        elif tag == "tr" and self.current is not None:
            self.current.append([])
        elif tag in ("td", "th") and self.current is not None:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.current is not None and self.cell is not None:
            self.current[-1].append("".join(self.cell).strip())
            self.cell = None
        elif tag == "table":
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


@pytest.fixture
def counted(tmp_path: Path) -> Path:
    """A records database with funnel counts over two weeks, two channels and two languages, and people."""
    path = tmp_path / "screenings.db"
    seed(path)
    records = Records(path)
    for week, channel, language, event, n in [
        ("2026-W48", "socketio", "en", "started", 12),
        ("2026-W48", "socketio", "en", "agreed", 9),
        ("2026-W48", "socketio", "en", "completed", 6),
        ("2026-W48", "socketio", "en", "outcome:may_fit", 2),
        ("2026-W48", "socketio", "en", "outcome:likely_not", 4),
        ("2026-W48", "socketio", "zh", "started", 5),
        ("2026-W48", "socketio", "zh", "stopped", 2),
        ("2026-W49", "twilio", "zh", "started", 8),
        ("2026-W49", "twilio", "zh", "completed", 3),
        ("2026-W49", "twilio", "zh", "outcome:needs_team", 3),
        ("2026-W49", "twilio", "zh", "callback_asked", 2),
        ("2026-W49", "twilio", "zh", "callback_cancelled", 1),
    ]:
        funnel.count(records.db, week, channel, language, event, n=n)
    for before, after in [(None, "age"), (None, "age"), ("age", "lupus"), (None, "lupus"), (None, "kidneys")]:
        funnel.moved(records.db, "2026-W48", "socketio", before, after)
    funnel.moved(records.db, "2026-W48", "socketio", "kidneys", None)  # that one completed
    records.close()
    return path


def test_the_report_shows_the_funnels_counts(counted: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    old = os.umask(0o022)
    try:
        assert report.main([str(counted), "--out", str(out)]) == 0
    finally:
        os.umask(old)
    records = Records(counted)
    weekly, left = funnel.weekly(records.db), funnel.left_at(records.db)
    records.close()
    assert left == {"age": 1, "lupus": 2}  # the seeding is what the test thinks it is

    html = (out / "funnel.html").read_text(encoding="utf-8")
    tables = Tables.of(html)
    assert tables["funnel-weekly:head"][0] == [
        "Week",
        "Channel",
        "Language",
        *(report.LABELS[c] for c in report.COLUMNS),
    ]
    assert tables["funnel-weekly"] == [
        [r["week"], r["channel"], r["language"], *(str(r[c]) for c in report.COLUMNS)] for r in weekly
    ]
    assert len(weekly) == 3 and weekly[0]["started"] == 12
    assert tables["funnel-left"] == [["lupus", "2"], ["age", "1"]]

    png = (out / "funnel.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    embedded = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert embedded and base64.b64decode(embedded.group(1)) == png  # the page stands alone
    assert "<script" not in html and "http" not in html.replace("http-equiv", "")
    for private in PRIVATE:  # counts only
        assert private not in html
    for file in (out / "funnel.png", out / "funnel.html"):
        assert file.stat().st_mode & 0o777 == 0o600


def test_the_report_of_an_empty_database(tmp_path: Path) -> None:
    records = Records(tmp_path / "screenings.db")
    try:
        html = report.funnel_html(records.db)
    finally:
        records.close()
    assert html.count("Nothing counted yet.") == 2
    assert Tables.of(html)["funnel-weekly"] == [["Nothing counted yet."]]


# ----------------------------------------------------------------------------- in a browser


@dataclass
class View:
    url: str
    db: Path
    process: subprocess.Popen[bytes]


@pytest.fixture(scope="module")
def view(tmp_path_factory: pytest.TempPathFactory) -> Iterator[View]:
    """`python -m tools.coordinator` on a free loopback port, on a seeded database of its own."""
    workdir = tmp_path_factory.mktemp("coordinator")
    db = workdir / "records.db"
    seed(db)
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SCREENER_COORDINATOR")},
        "PYTHONPATH": str(PROJECT_ROOT),
        "SCREENER_COORDINATOR_PASSWORD": PASSWORD,
        "DATASETTE_SECRET": secrets.token_hex(32),
        "COORDINATOR_PORT": str(port),
    }
    log = workdir / "coordinator.log"
    with log.open("wb") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "tools.coordinator", "--db", str(db)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    try:
        while not wait_for_port("127.0.0.1", port, 1):
            if process.poll() is not None:
                pytest.fail(f"the coordinator's view did not start:\n{log.read_text(errors='replace')}")
        yield View(f"http://127.0.0.1:{port}", db, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.mark.servers
def test_the_password_is_not_on_the_command_line_nor_in_the_environment(view: View) -> None:
    cmdline = Path(f"/proc/{view.process.pid}/cmdline").read_bytes().decode(errors="replace")
    environ = Path(f"/proc/{view.process.pid}/environ").read_bytes().decode(errors="replace")
    assert "datasette" in cmdline and "serve" in cmdline  # Datasette itself, in the tool's place
    assert PASSWORD not in cmdline and "pbkdf2" not in cmdline
    assert PASSWORD not in environ and f"{HASH_VARIABLE}=pbkdf2_sha256$" in environ


@pytest.mark.servers
@pytest.mark.parametrize(
    ("size", "person", "status", "label"), [("phone", 1, "called", "Called"), ("desktop", 2, "scheduled", "Scheduled")]
)
def test_a_coordinators_round_in_the_browser(
    view: View, browser: Browser, size: str, person: int, status: str, label: str
) -> None:
    reference = PEOPLE[person].reference
    phone = size == "phone"
    width, height = (PHONE if phone else DESKTOP).values()
    context = browser.new_context(
        viewport={"width": width, "height": height}, is_mobile=phone, has_touch=phone, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    page: Page = context.new_page()
    try:
        # Anonymous: the address leads to the login form; a wrong password gets nowhere.
        page.goto(view.url + "/")
        expect(page).to_have_url(re.compile(r"/-/login$"))
        page.get_by_label("Username").fill(USER)
        page.get_by_label("Password").fill("wrong")
        page.get_by_role("button", name="Log in").click()
        expect(page.locator(".message-error")).to_contain_text("Invalid username or password")
        page.get_by_label("Username").fill(USER)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()

        # The call list first: those still to call, newest first, then the others; with the outcome
        # and what to check.
        expect(page).to_have_url(re.compile(r"/screenings/call_list$"))
        cells = page.locator("td.col-reference")
        expect(cells).to_have_count(len(PEOPLE))
        shown = cells.all_inner_texts()
        assert shown == call_list_order(view.db)
        to_call = [r["reference"] for r in rows(view.db, "SELECT reference FROM callbacks WHERE status = 'to_call'")]
        assert shown[: len(to_call)] == [r for r in NEWEST_FIRST if r in to_call]
        expect(page.locator("table.rows-and-columns")).to_contain_text(PEOPLE[person].checks)
        page.screenshot(path=str(ARTIFACTS / f"coordinator-{size}-call-list.png"), full_page=True)

        # The reference leads to the form, filled in; the status is chosen from the list.
        page.get_by_role("link", name=reference, exact=True).click()
        expect(page).to_have_url(re.compile(rf"/screenings/set_status\?reference={reference}$"))
        expect(page.get_by_label("Reference")).to_have_value(reference)
        page.get_by_label("New status").select_option(label=label)
        page.screenshot(path=str(ARTIFACTS / f"coordinator-{size}-set-status.png"), full_page=True)
        page.get_by_role("button", name="Save the status").click()
        expect(page).to_have_url(re.compile(r"/screenings/call_list$"))
        expect(page.locator(".message-info")).to_contain_text("Saved")
        row = page.locator("tr", has=page.get_by_role("link", name=reference, exact=True))
        expect(row.locator("td.col-status")).to_have_text(status)
        expect(row.locator("td.col-status_changed_by")).to_have_text(USER)

        # The audit: who changed what, and when, newest first.
        page.goto(view.url + "/screenings/callback_audit")
        first = page.locator("table.rows-and-columns tbody tr").first
        expect(first.locator("td.col-reference")).to_have_text(reference)
        expect(first.locator("td.col-new_status")).to_have_text(status)
        expect(first.locator("td.col-changed_by")).to_have_text(USER)
        page.screenshot(path=str(ARTIFACTS / f"coordinator-{size}-audit.png"), full_page=True)

        # The CSV, downloaded from the call list's export form.
        page.goto(view.url + "/screenings/call_list")
        page.get_by_label("download file").check()
        with page.expect_download() as download:
            page.get_by_role("button", name="Export CSV").click()
        table = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
        assert [r["reference"] for r in table] == call_list_order(view.db)
        assert {r["reference"]: r["status"] for r in table}[reference] == status

        # The funnel, logged in.
        page.goto(view.url + "/-/funnel")
        expect(page.get_by_role("heading", name="Screening funnel")).to_be_visible()
        expect(page.locator("img[src^='data:image/png;base64,']")).to_be_visible()
    finally:
        context.close()
    audit = rows(view.db, f"SELECT * FROM callback_audit WHERE reference = '{reference}'")
    assert [(a["new_status"], a["changed_by"]) for a in audit] == [(status, USER)]
