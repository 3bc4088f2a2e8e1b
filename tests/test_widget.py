"""The web chat widget in Debian's Chromium: whole screenings against the real servers, and the
widget's own behaviour (safety, links, summary, reconnecting) against a stand-in server.

Screenshots at desktop and phone sizes go to test-artifacts/.
"""

from __future__ import annotations

import io
import re
import shutil
import sqlite3
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, ConsoleMessage, FloatRect, Locator, Page, expect
from pypdf import PdfReader

from bot.session import messages
from bot.session.screening import Screening
from bot.trial.model import Trial, load_trial
from tests.browser import ARTIFACTS, DESKTOP, PHONE, FakeRasa, Widget, chromium, focused, serving_page
from tests.servers import Servers, free_port, running_servers
from tests.test_end_to_end import reference_in
from tests.test_messages import TODAY, answered
from web.serve import VENDOR, serving

pytestmark = pytest.mark.servers
TRIAL, ZH = load_trial(), load_trial(None, "zh")
CONTACT = "+86 135 0519 3169"
SIZES = {"desktop": DESKTOP, "phone": PHONE}
expect.set_options(timeout=15_000)  # two cores, shared with other test runs

# A whole screening of someone who may be a fit (the answers of bench/run.py's SCRIPT):
# ("click", title) uses a quick reply, ("type", text) types into the answer box.
SCREENING = [
    ("click", "Yes"),  # may we keep your answers
    ("type", "I'm 34"),
    ("click", "Yes"),  # lupus
    ("click", "Yes"),  # kidneys
    ("type", "UPCR 1.8 g/g"),
    ("click", "No"),  # pregnant or breastfeeding
    ("click", "No"),  # could have children
    ("click", "No"),  # cancer
    ("type", "cellcept and plaquenil"),
    ("click", "No"),  # infusions
    ("type", "same"),  # the dose of mycophenolate
    ("click", "No"),  # plasma exchange
    ("click", "No"),  # serious infection
    ("click", "No"),  # infection treated
    ("type", "no"),  # chronic infection
    ("click", "No"),  # surgery
    ("click", "No"),  # surgery planned
    ("click", "No"),  # vaccine
    ("type", "no"),  # vaccine planned
    ("click", "No"),  # serious illness
    ("click", "Yes"),  # willing
    ("click", TRIAL.texts["recap_yes"]),
]
# The same person in Chinese, tapping the Chinese buttons and typing as people in China type.
ZH_SCREENING = [
    ("click", "是"),
    ("type", "我今年34岁"),
    ("click", "是"),
    ("click", "是"),
    ("type", "24小时尿蛋白定量1.8克"),
    ("click", "否"),
    ("click", "否"),
    ("click", "否"),
    ("type", "吗替麦考酚酯和羟氯喹"),
    ("click", "否"),
    ("click", ZH.reply_titles["same"]),
    ("click", "否"),
    ("click", "否"),
    ("click", "否"),
    ("type", "没有"),
    ("click", "否"),
    ("click", "否"),
    ("click", "否"),
    ("type", "不打算"),
    ("click", "否"),
    ("click", "是"),
    ("click", ZH.texts["recap_yes"]),
]
# The question each step after the first answers, for checking what the widget offered with it.
ASKED = [
    *["age", "lupus_diagnosis", "kidney_involvement", "protein_result", "pregnant_or_breastfeeding"],
    *["could_have_children", "cancer_history", "medicines", "infusions", "dose:mycophenolate_mofetil"],
    *["plasma_procedure", "infection_serious", "infection_treated", "chronic_infection", "surgery_recent"],
    *["surgery_planned", "vaccine_recent", "vaccine_planned", "serious_illness", "willing"],
]


@dataclass
class Site:
    url: str  # the demo page, on an origin the Rasa server allows
    other_url: str  # the same page on an origin it does not allow
    any_site_url: str  # another allowed site that embeds the widget with nothing but its script tag
    servers: Servers


def any_site(widget_js: str, rasa_url: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Any site</title>'
        f'<script src="{widget_js}" defer data-server-url="{rasa_url}" data-primary-color="#f7c"></script>'
        "</head><body><main><h1>Any site</h1><p>Some text.</p></main></body></html>"
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    if not (VENDOR / "socket.io.min.js").is_file():
        pytest.fail("node_modules/socket.io-client is missing: run `npm ci` (make test does it)")
    port, other_port, any_port = free_port(), free_port(), free_port()
    origins = f"http://127.0.0.1:{port},http://127.0.0.1:{any_port}"
    workdir = tmp_path_factory.mktemp("widget-servers")
    with (
        running_servers(workdir, env={"SCREENER_WIDGET_ORIGINS": origins}) as servers,
        serving("127.0.0.1", port, servers.rasa_url) as url,
        serving("127.0.0.1", other_port, servers.rasa_url) as other_url,
        serving_page(any_port, any_site(f"{url}/widget.js", servers.rasa_url)) as any_site_url,
    ):
        yield Site(url, other_url, any_site_url, servers)


@dataclass
class FakeSite:
    url: str
    rasa: FakeRasa


@pytest.fixture
def fake() -> Iterator[FakeSite]:
    rasa = FakeRasa()
    rasa.script["/greet"] = [{"text": "Hello! Shall we start?", "quick_replies": [{"title": "Yes", "payload": "Yes"}]}]
    try:
        with serving("127.0.0.1", 0, rasa.url) as url:
            rasa.allow(url)
            yield FakeSite(url, rasa)
    finally:
        rasa.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def new_page(browser: Browser, size: str = "desktop") -> Page:
    phone = size == "phone"
    width, height = SIZES[size]["width"], SIZES[size]["height"]
    context = browser.new_context(
        viewport={"width": width, "height": height},
        is_mobile=phone,
        has_touch=phone,
        device_scale_factor=2 if phone else 1,
    )
    context.set_default_timeout(15_000)
    return context.new_page()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh tab (its own sessionStorage), at desktop size unless parametrized with another;
    fails the test on a script error or a CSP violation."""
    page = new_page(browser, getattr(request, "param", "desktop"))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            errors.append(message.text)

    page.on("console", on_console)
    yield page
    page.context.close()
    assert errors == []


def open_widget(page: Page, url: str) -> Widget:
    page.goto(url)
    widget = Widget(page)
    expect(widget.send_button).to_be_enabled()
    return widget


def start(page: Page, url: str) -> Widget:
    """The demo page, with the bot's opening and its consent question on screen."""
    widget = open_widget(page, url)
    widget.wait_for_replies("Yes", "No")
    assert TRIAL.texts["consent_question"] in widget.bot_texts()
    return widget


def screen(widget: Widget, steps: list[tuple[str, str]]) -> None:
    for how, value in steps:
        if how == "click":
            widget.choose(value)
        else:
            widget.say(value)


def assert_no_axe_violations(page: Page, where: str) -> None:
    results = Axe().run(page)
    found = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
    ]
    assert found == [], f"axe-core, {where}:\n" + "\n".join(found)


def snapshot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"widget-{name}.png"))


def scrolling_areas(page: Page) -> list[str]:
    """Every element (and the page itself) whose content is taller than it and can scroll."""
    return list(
        page.evaluate(
            """() => {
                const found = [];
                const page = document.scrollingElement;
                if (page.scrollHeight > page.clientHeight + 1) found.push('the page');
                for (const el of document.querySelectorAll('body *')) {
                    const style = getComputedStyle(el);
                    const scrolls = ['auto', 'scroll'].includes(style.overflowY);
                    if (scrolls && el.scrollHeight > el.clientHeight + 1) found.push(el.className || el.tagName);
                }
                return found;
            }"""
        )
    )


def box_of(locator: Locator) -> FloatRect:
    box = locator.bounding_box()
    assert box, f"{locator} is not on the page"
    return box


def inside(inner: FloatRect, outer: FloatRect) -> bool:
    """Whether the box ``inner`` lies wholly within ``outer`` (to the pixel: borders round)."""
    return (
        inner["x"] >= outer["x"] - 1
        and inner["y"] >= outer["y"] - 1
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 1
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 1
    )


def assert_on_screen(page: Page, locator: Locator, what: str, within: Locator | None = None) -> None:
    """The element is wholly inside the viewport (and inside ``within``, the area that scrolls it)."""
    box, size = box_of(locator), page.viewport_size
    assert size
    screen_box: FloatRect = {"x": 0, "y": 0, "width": size["width"], "height": size["height"]}
    assert inside(box, screen_box), f"{what} is not wholly on screen: {box} in {size}"
    if within is not None:
        assert inside(box, box_of(within)), f"{what} is scrolled out of view: {box} in {box_of(within)}"


def part_heading(trial: Trial, topic: str) -> str:
    """The heading of the part of the screen that a recap topic of SCREENING's questions belongs to."""
    questions = [Screening(trial).question(qid) for qid in ASKED]
    question = next(q for q in questions if q.topic == topic)
    return trial.sections[trial.section_number(question.section) - 1].name


def assert_each_answer_under_its_part(trial: Trial, under: list[tuple[str, str | None]], where: str) -> None:
    wrong = [(title, heading, part_heading(trial, title)) for title, heading in under]
    wrong = [w for w in wrong if w[1] != w[2]]
    assert not wrong, f"{where}: answers under another part's heading (answer, heading, its part): {wrong}"


def check_the_list_of_answers_to_change(
    page: Page, widget: Widget, trial: Trial, where: str
) -> tuple[str, list[tuple[str, str | None]]]:
    """After "Change an answer": the question and the answer box stay on screen, the answers are a
    list under the parts' headings in a box that scrolls by itself, and each of them can be scrolled
    to and pressed (mouse, touch, keyboard). Returns the last one's title, and each answer with the
    heading it is under (for assert_each_answer_under_its_part: the bot's grouping, checked last)."""
    assert widget.bot_texts()[-1] == trial.texts["which_answer"]
    question = page.locator(".scr-msg-bot").last
    listed = widget.replies.get_by_role("button")
    titles = listed.all_inner_texts()
    assert len(titles) >= 20, titles  # one for each answer given
    expect(page.locator(".scr-reply")).to_have_count(0)  # a list, not a row of quick replies

    # The parts' headings, each naming the list of its answers, over every answer.
    headings = widget.replies.get_by_role("heading", level=3).all_inner_texts()
    assert headings and set(headings) <= {section.name for section in trial.sections}, headings
    for heading in headings:
        expect(widget.replies.get_by_role("list", name=heading, exact=True)).to_have_count(1)
    under = [
        (str(title), heading)
        for title, heading in widget.replies.evaluate(
            """box => [...box.querySelectorAll('button')].map(b => {
                const heading = b.closest('ul').previousElementSibling;
                return [b.textContent, heading && heading.tagName === 'H3' ? heading.textContent : null];
            })"""
        )
    ]
    assert all(heading for _, heading in under), under

    # The list scrolls by itself; the page does not.
    assert widget.replies.evaluate("box => box.scrollHeight > box.clientHeight"), "the list is not long here"
    assert "the page" not in scrolling_areas(page)
    for i in range(len(titles)):
        choice = listed.nth(i)
        choice.scroll_into_view_if_needed()
        assert_on_screen(page, choice, f"{where}: {titles[i]!r}", within=widget.replies)
        choice.click(trial=True)  # visible, enabled, and nothing lies over it (a part's sticky heading)
        # Scrolling the list moves nothing else: the question and the answer box stay in view.
        assert_on_screen(page, question, f"{where}: the question", within=widget.log)
        assert_on_screen(page, widget.input, f"{where}: the answer box")
        assert_on_screen(page, widget.send_button, f"{where}: Send")

    # From the keyboard: the list sits just before the answer box, so Shift+Tab reaches its last answer.
    widget.input.focus()
    page.keyboard.press("Shift+Tab")
    assert focused(page)["text"] == titles[-1] and focused(page)["visible"], focused(page)
    assert_on_screen(page, listed.last, f"{where}: the focused last answer", within=widget.replies)
    return titles[-1], under


def pdf_text(page: Page, keep_as: str | None = None) -> tuple[int, str]:
    """The page printed to an A4 PDF by Chromium (kept in test-artifacts/ under ``keep_as``): its
    number of pages and its text. Printing fires "afterprint", so the widget's sheet is then gone."""
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    if keep_as:
        (ARTIFACTS / keep_as).write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    # NFKC undoes the typeset ligatures ("ﬁt" is "fit").
    return len(reader.pages), unicodedata.normalize("NFKC", "\n".join(p.extract_text() for p in reader.pages))


# ----------------------------------------------------------------- against the real servers


@pytest.mark.parametrize("page", SIZES, indirect=True)
def test_the_widget_talks_by_websocket_only(site: Site, page: Page) -> None:
    """No HTTP polling first (issue 21): a connection stays on the Rasa server it reached, so several
    servers behind a load balancer need no sticky sessions."""
    polled: list[str] = []
    sockets: list[str] = []
    page.on("request", lambda request: polled.append(request.url) if "transport=polling" in request.url else None)
    page.on("websocket", lambda socket: sockets.append(socket.url))
    start(page, site.url)
    assert polled == []
    assert len(sockets) == 1 and "transport=websocket" in sockets[0] and sockets[0].startswith("ws://127.0.0.1")


def test_complete_screening_by_clicking_and_typing(site: Site, page: Page) -> None:
    """At both sizes: every closed question with its buttons, the card, the details, the summary."""
    page.add_init_script("window.print = () => { window.__printed = (window.__printed || 0) + 1; };")
    widget = start(page, site.url)
    expect(widget.progress).to_be_hidden()
    screen(widget, SCREENING[:1])
    progress = []
    for step, qid in zip(SCREENING[1:], ASKED, strict=False):
        asked = Screening(TRIAL).question(qid)
        assert widget.bot_texts()[-1] == asked.text, qid
        if asked.replies:  # every closed question offers its answers as buttons
            widget.wait_for_replies(*asked.replies)
            assert widget.replies.get_by_role("button").count() == len(asked.replies)
        else:
            expect(widget.replies).to_be_hidden()
        progress.append(widget.progress.inner_text())
        screen(widget, [step])
    # One progress, in the header only: a part of a fixed total, never going back.
    parts = [int(re.match(r"Part (\d) of 7: ", p).group(1)) for p in progress]  # type: ignore[union-attr]
    assert parts == sorted(parts) and parts[0] == 1 and parts[-1] == 7, progress
    assert not any(text.startswith(("Part ", "Question ")) for text in widget.bot_texts())
    screen(widget, SCREENING[len(ASKED) + 1 :])

    # The result opens with its card: the outcome first, what decided it, then what to do next.
    card = page.locator(".scr-card")
    expect(card.locator(".scr-card-outcome")).to_be_in_viewport()  # the outcome, as the result arrives
    expect(card.locator(".scr-card-outcome")).to_have_text(TRIAL.outcomes["may_fit"])
    expect(card).to_contain_text(TRIAL.texts["reasons_heading"])
    expect(card).to_contain_text(TRIAL.texts["provider"])
    # The recap button's title is what the person sees; its payload (/affirm) is what was sent.
    assert widget.user_texts()[-1] == TRIAL.texts["recap_yes"]
    assert not any(text.startswith("/") for text in widget.user_texts())
    # The card has its own "Show details": the bot's button for text channels is not shown again.
    expect(widget.reply_button("Show details")).to_have_count(0)
    expect(widget.progress).to_contain_text("All questions answered")

    # Each rule, behind a disclosure button that says whether it is open.
    details = card.get_by_role("button", name="Show details")
    expect(details).to_have_attribute("aria-expanded", "false")
    region = page.locator("#" + str(details.get_attribute("aria-controls")))
    expect(region).to_be_hidden()
    details.click()
    expect(card.get_by_role("button", name="Hide details")).to_have_attribute("aria-expanded", "true")
    expect(region).to_be_visible()
    for criterion in TRIAL.criteria:
        expect(region).to_contain_text(criterion.summary)

    # The contacts are links that call or write.
    contacts = card.locator(".scr-card-next")
    expect(contacts.locator('a[href="tel:+8613505193169"]')).to_have_text(CONTACT)
    expect(contacts.locator('a[href="mailto:13505193169@139.com"]')).to_have_count(1)

    # Stored, through this channel, under the reference the person was given.
    reference = re.search(r"Your reference is (S-\w+)", "\n".join(widget.bot_texts()))
    assert reference, widget.bot_texts()
    with sqlite3.connect(site.servers.db) as db:
        row = db.execute(
            "SELECT channel, status, outcome FROM screenings WHERE reference = ?", [reference.group(1)]
        ).fetchone()
    assert row == ("socketio", "completed", "may_fit")

    # The summary for their doctor: a text file with headings, and a one-page A4 document.
    today = date.today().isoformat()
    with page.expect_download() as download:
        card.get_by_role("button", name="Save as text").click()
    assert download.value.suggested_filename == f"{TRIAL.registry_id}-screening-summary-{today}.txt"
    saved = Path(download.value.path()).read_text(encoding="utf-8")
    for line in (f"Registry number: {TRIAL.registry_id}", f"Date of the screen: {today}", "Age (years): 34"):
        assert line in saved
    assert f"Reference: {reference.group(1)}" in saved and "Answers given\n-------------" in saved

    card.get_by_role("button", name="Print or save as PDF").click()
    assert page.evaluate("window.__printed") == 1
    size = "phone" if page.viewport_size and page.viewport_size["width"] < 600 else "desktop"
    pages, text = pdf_text(page, keep_as=f"summary-{size}.pdf")
    shutil.copy(download.value.path(), ARTIFACTS / f"summary-{size}.txt")
    words = " ".join(text.split())
    assert pages == 1, f"the summary takes {pages} pages"
    for expected in (
        TRIAL.texts["report_title"],
        TRIAL.registry_id,
        today,
        TRIAL.texts["report_may_fit"],
        TRIAL.texts["report_answers"],
        TRIAL.texts["report_criteria"],
        TRIAL.texts["report_checks"],
        "Age (years) 34",
        reference.group(1),
        CONTACT,
    ):
        assert expected in words, f"{expected!r} is not in the printed summary: {words}"
    assert "About the study" not in words and TRIAL.texts["consent_question"] not in words  # only the sheet


def unspaced(text: str) -> str:
    """A PDF's text without its spaces and line breaks (Chinese lines break anywhere in a sentence), in
    NFKC as pdf_text gives it (full-width "（" is "(")."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@pytest.mark.parametrize("size", SIZES)
def test_a_whole_screening_in_chinese_on_a_chinese_page(site: Site, browser: Browser, size: str) -> None:
    """A page in Chinese (lang="zh-CN", no data-lang): every word the person sees is Chinese, axe finds
    nothing at phone and desktop size, the record keeps the language and the summary prints in Chinese."""
    page = new_page(browser, size)
    page.add_init_script("window.print = () => {};")
    try:
        widget = Widget(page, "zh")
        page.goto(site.url + "/zh.html")
        widget.wait_for_replies("是", "否")
        expect(widget.panel).to_have_attribute("lang", "zh-CN")
        expect(page.locator(".scr-title")).to_have_text("看看这项研究是否适合您")  # the widget's own, in Chinese
        assert ZH.texts["consent_question"] in widget.bot_texts()
        assert_no_axe_violations(page, f"{size}, Chinese opening")
        snapshot(page, f"zh-{size}-1-opening")
        screen(widget, ZH_SCREENING[:1])
        for step, qid in zip(ZH_SCREENING[1:], ASKED, strict=False):
            asked = Screening(ZH).question(qid)
            assert widget.bot_texts()[-1] == asked.text, qid
            if asked.replies:
                widget.wait_for_replies(*asked.replies)
            if qid == "kidney_involvement":
                assert_no_axe_violations(page, f"{size}, Chinese question with quick replies")
                snapshot(page, f"zh-{size}-2-question")
                assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
            screen(widget, [step])
        # At the recap, "修改回答": the list of answers under the parts' headings, in Chinese.
        widget.wait_for_replies(ZH.texts["recap_yes"], ZH.texts["recap_change"])
        widget.choose(ZH.texts["recap_change"])
        last, under = check_the_list_of_answers_to_change(page, widget, ZH, f"{size}, Chinese")
        assert_no_axe_violations(page, f"{size}, Chinese, which answer to change")
        snapshot(page, f"zh-{size}-which-answer")
        assert last == ZH.questions["willing"].topic
        widget.choose(last)
        assert widget.bot_texts()[-1] == Screening(ZH).question("willing").text
        widget.choose("是")
        screen(widget, ZH_SCREENING[len(ASKED) + 1 :])

        card = page.locator(".scr-card")
        expect(card.locator(".scr-card-outcome")).to_have_text(ZH.outcomes["may_fit"])
        expect(card.locator(".scr-card-outcome")).to_be_in_viewport()
        expect(widget.progress).to_contain_text("所有问题已回答")
        assert scrolling_areas(page) == ["scr-log"]
        assert_no_axe_violations(page, f"{size}, Chinese result")
        snapshot(page, f"zh-{size}-3-result")
        card.get_by_role("button", name="显示详情").click()
        region = card.locator(".scr-card-details")
        for criterion in ZH.criteria:
            expect(region).to_contain_text(criterion.summary)
        assert_no_axe_violations(page, f"{size}, Chinese details open")
        snapshot(page, f"zh-{size}-4-details")
        # Nothing the widget or the bot said is English (the registry number and the reference aside).
        shown = re.sub(r"NCT\d+|S-[A-Z0-9]{10}|IL-2|UPCR|PDF|[a-z0-9.+-]+@[a-z0-9.]+", "", widget.panel.inner_text())
        assert not re.search(r"\b(?:the|you|your|and|or|of|study)\b", shown, re.IGNORECASE), shown

        reference = reference_in(widget.bot_texts())
        with sqlite3.connect(site.servers.db) as db:
            row = db.execute(
                "SELECT channel, status, outcome, language FROM screenings WHERE reference = ?", [reference]
            ).fetchone()
        assert row == ("socketio", "completed", "may_fit", "zh")

        card.get_by_role("button", name="打印或存为 PDF").click()
        pages, text = pdf_text(page, keep_as=f"summary-zh-{size}.pdf")
        assert pages == 1, f"the Chinese summary takes {pages} pages"
        for expected in (
            ZH.texts["report_title"],
            ZH.texts["report_may_fit"],
            ZH.texts["report_answers"],
            ZH.texts["report_criteria"],
            ZH.texts["report_checks"],
            TRIAL.registry_id,
            reference,
        ):
            assert unspaced(expected) in unspaced(text), f"{expected!r} is not in the printed summary: {text}"
        assert TRIAL.texts["report_title"] not in text
        assert_each_answer_under_its_part(ZH, under, f"{size}, Chinese")
    finally:
        page.context.close()


def test_the_language_control_switches_mid_screen_and_keeps_every_answer(site: Site, page: Page) -> None:
    """The control says "中文" on an English chat: the bot goes on in Chinese where it was, the widget's own
    words follow, a reload keeps the language; typing "English" brings both back."""
    widget = start(page, site.url)
    screen(widget, SCREENING[:2])  # consent, age
    widget.wait_for_replies("Yes", "No", "Not sure")
    control = page.get_by_role("group", name="Language").get_by_role("button", name="中文")
    expect(control).to_have_attribute("lang", "zh-CN")
    widget.after_reply(control.click)
    zh = Widget(page, "zh")
    zh.wait_for_replies("是", "否", "不确定")
    assert zh.user_texts()[-1] == "中文"
    assert ZH.texts["language_chosen"] in zh.bot_texts()
    assert zh.bot_texts()[-1] == ZH.questions["lupus_diagnosis"].text  # the next question, not the age again
    expect(zh.panel).to_have_attribute("lang", "zh-CN")
    expect(zh.send_button).to_be_visible()
    expect(page.get_by_role("group", name="语言").get_by_role("button", name="English")).to_be_visible()
    zh.choose("是")
    assert zh.bot_texts()[-1] == ZH.questions["kidney_involvement"].text
    assert_no_axe_violations(page, "switched to Chinese")

    page.reload()
    expect(zh.send_button).to_be_enabled()
    expect(zh.panel).to_have_attribute("lang", "zh-CN")

    zh.say("English")
    widget.wait_for_replies("Yes", "No", "Not sure")
    expect(widget.panel).to_have_attribute("lang", "en")
    assert widget.bot_texts()[-1] == TRIAL.questions["kidney_involvement"].text
    screen(widget, [("click", "Yes"), *SCREENING[4:]])
    expect(page.locator(".scr-card .scr-card-outcome")).to_have_text(TRIAL.outcomes["may_fit"])
    with sqlite3.connect(site.servers.db) as db:
        row = db.execute(
            "SELECT outcome, language FROM screenings WHERE reference = ?", [reference_in(widget.bot_texts())]
        ).fetchone()
    assert row == ("may_fit", "en")


def test_a_reload_mid_screening_carries_on(site: Site, page: Page) -> None:
    widget = start(page, site.url)
    screen(widget, SCREENING[:3])
    widget.wait_for_replies("Yes", "No", "Not sure")
    before_bot, before_user = widget.bot_texts(), widget.user_texts()
    progress = widget.progress.inner_text()

    page.reload()
    expect(widget.send_button).to_be_enabled()
    assert (widget.bot_texts(), widget.user_texts()) == (before_bot, before_user)
    expect(widget.progress).to_have_text(progress)
    expect(page.locator(".scr-msg-bot").last).to_be_in_viewport()  # scrolled to the latest question
    widget.choose("Yes")  # the kidney question, answered after the reload
    assert widget.bot_texts()[-1] == TRIAL.questions["protein_result"].text

    # A new tab is a new conversation: nothing carries over (sessionStorage is per tab).
    other = page.context.new_page()
    assert TRIAL.texts["consent_question"] in start(other, site.url).bot_texts()
    assert Widget(other).user_texts() == []


def test_start_over_clears_the_conversation(site: Site, page: Page) -> None:
    widget = start(page, site.url)
    screen(widget, SCREENING[:2])
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Start over").click()
    assert widget.user_texts() == ["Yes", "I'm 34"]  # cancelled: nothing changed

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Start over").click()
    widget.wait_for_replies("Yes", "No")
    assert widget.bot_texts()[0] == TRIAL.texts["start_over"]
    assert widget.user_texts() == []
    expect(widget.progress).to_be_hidden()
    page.reload()
    expect(widget.send_button).to_be_enabled()
    assert widget.user_texts() == [] and widget.bot_texts()[0] == TRIAL.texts["start_over"]


@pytest.mark.parametrize("size", SIZES)
def test_changing_an_answer_then_starting_over(site: Site, browser: Browser, size: str) -> None:
    """At the recap, "Change an answer" lists every answer under its part of the screen, in a box that
    scrolls by itself: the question and the answer box stay on screen, every answer can be reached, and
    the one pressed is asked again. After the result, a start over confirmed to the bot (typed, then
    its button) clears the result card, the conversation and the progress, as the widget's own does."""
    page = new_page(browser, size)
    try:
        widget = start(page, site.url)
        screen(widget, SCREENING[:-1])
        widget.wait_for_replies(TRIAL.texts["recap_yes"], TRIAL.texts["recap_change"])
        widget.choose(TRIAL.texts["recap_change"])
        last, under = check_the_list_of_answers_to_change(page, widget, TRIAL, size)
        assert_no_axe_violations(page, f"{size}, which answer to change")
        widget.replies.evaluate("box => box.scrollTop = 0")
        page.mouse.move(0, 0)  # the pointer off the list: no answer looks chosen in the picture
        snapshot(page, f"{size}-5-which-answer")

        # The last answer (whether they would take part; found by scrolling the list and pressed there):
        # its question is asked again.
        assert last == TRIAL.questions["willing"].topic
        widget.reply_button(last).scroll_into_view_if_needed()
        widget.choose(last)
        asked = Screening(TRIAL).question("willing")
        assert widget.bot_texts()[-1] == asked.text
        widget.wait_for_replies(*asked.replies)  # its own quick replies, as before
        expect(page.locator(".scr-choice")).to_have_count(0)
        assert widget.user_texts()[-2:] == [TRIAL.texts["recap_change"], last]
        widget.choose("Yes")  # willing, still: the recap again, then the result
        widget.wait_for_replies(TRIAL.texts["recap_yes"], TRIAL.texts["recap_change"])
        widget.choose(TRIAL.texts["recap_yes"])
        card = page.locator(".scr-card")
        expect(card.locator(".scr-card-outcome")).to_have_text(TRIAL.outcomes["may_fit"])
        expect(widget.progress).to_contain_text("All questions answered")

        widget.say("start over")  # the bot asks first
        widget.wait_for_replies(TRIAL.texts["start_over_yes"], TRIAL.texts["start_over_no"])
        expect(card).to_have_count(1)
        widget.reply_button(TRIAL.texts["start_over_yes"]).click()
        widget.wait_for_replies("Yes", "No")  # the consent question of a new screening
        for _ in range(2):  # and the same after a reload
            expect(card).to_have_count(0)
            expect(widget.progress).to_be_hidden()
            assert widget.bot_texts()[0] == TRIAL.texts["start_over"], widget.bot_texts()
            assert TRIAL.texts["consent_question"] in widget.bot_texts()
            assert widget.user_texts() == []
            page.reload()
            expect(widget.send_button).to_be_enabled()
        screen(widget, SCREENING[:1])
        expect(widget.progress).to_contain_text("Part 1 of 7")
        assert_each_answer_under_its_part(TRIAL, under, size)
    finally:
        page.context.close()


@pytest.mark.parametrize(("size", "wants"), [("phone", True), ("desktop", False), ("desktop", True)])
def test_a_call_back_asked_for_or_declined(site: Site, browser: Browser, size: str, wants: bool) -> None:
    """After "may be a fit", the offer with what it keeps; "Yes" asks the name, the number (a
    mistyped one again) and a time, with the answer box on screen; "No, thank you" keeps nothing."""
    page = new_page(browser, size)
    try:
        widget = start(page, site.url)
        screen(widget, SCREENING)
        widget.wait_for_replies(TRIAL.texts["callback_yes"], TRIAL.texts["callback_no"])
        offer = TRIAL.texts["callback_offer"].split("?")[0]
        assert any(t.startswith(offer) for t in widget.bot_texts())
        reference = reference_in(widget.bot_texts())
        if not wants:
            widget.choose(TRIAL.texts["callback_no"])
            assert widget.bot_texts()[-1] == TRIAL.texts["callback_declined"]
        else:
            widget.choose(TRIAL.texts["callback_yes"])
            assert widget.bot_texts()[-1] == TRIAL.texts["callback_name"]
            assert_on_screen(page, widget.input, "the answer box")
            widget.say("Li Na")
            widget.say("138 1234")  # a digit short: asked again, kindly
            assert widget.bot_texts()[-1] == TRIAL.texts["callback_phone_retry"]
            widget.say("138 1234 5678")
            times = [TRIAL.texts[f"callback_time_{k}"] for k in ("morning", "afternoon", "any")]
            widget.wait_for_replies(*times)
            snapshot(page, f"{size}-callback-time")
            widget.choose(times[0])
            assert any("+8613812345678" in t and reference in t for t in widget.bot_texts()[-2:])
        with sqlite3.connect(site.servers.db) as db:
            rows = db.execute("SELECT name, phone, best_time, channel FROM callbacks WHERE reference = ?", [reference])
            found = rows.fetchall()
        assert found == ([("Li Na", "+8613812345678", "morning", "socketio")] if wants else [])
    finally:
        page.context.close()


def test_on_a_phone_the_conversation_has_the_screen(site: Site, browser: Browser) -> None:
    """At 390x844 the page's and the chat's headers together take under 12% of the height, with the
    chat's title still naming it for screen readers and the language and start-over controls on screen."""
    for url, lang, title in (
        (site.url, "en", "Check if this study might suit you"),
        (site.url + "/zh.html", "zh", "看看这项研究是否适合您"),
    ):
        page = new_page(browser, "phone")
        try:
            widget = Widget(page, lang)
            page.goto(url)
            widget.wait_for_replies(*(("Yes", "No") if lang == "en" else ("是", "否")))
            above = {"opening": box_of(widget.log)["y"]}
            widget.choose("Yes" if lang == "en" else "是")  # consent: the progress now shows
            expect(widget.progress).to_be_visible()
            above["with the progress"] = box_of(widget.log)["y"]
            for when, height in above.items():
                share = height / PHONE["height"]
                assert share < 0.12, f"{lang}, {when}: {height:.0f}px ({share:.1%}) above the conversation"
            expect(page.get_by_role("region", name=title)).to_have_count(1)  # the chat, named by its title
            expect(page.get_by_role("heading", name=title, level=2)).to_have_count(1)
            for name in ("中文" if lang == "en" else "English", "Start over" if lang == "en" else "重新开始"):
                assert_on_screen(page, page.get_by_role("button", name=name, exact=True), name)
            assert_on_screen(page, widget.progress, "the progress")
            snapshot(page, f"{'zh-' if lang == 'zh' else ''}phone-0-header")
        finally:
            page.context.close()


def test_buttons_come_back_after_an_answer_not_understood(site: Site, page: Page) -> None:
    widget = start(page, site.url)
    widget.say("hmm, what?")  # at the consent question
    widget.wait_for_replies("Yes", "No")
    assert widget.bot_texts()[-1] == TRIAL.texts["consent_question"]
    screen(widget, SCREENING[:2])
    widget.say("purple")  # at a yes/no question
    widget.wait_for_replies("Yes", "No", "Not sure")
    assert widget.bot_texts()[-1] == TRIAL.questions["lupus_diagnosis"].retry
    widget.say("what is lupus?")  # a question of their own: answered, then the question and its buttons
    widget.wait_for_replies("Yes", "No", "Not sure")
    assert widget.bot_texts()[-2] == TRIAL.faq["what_is_lupus"]


def test_keyboard_only(site: Site, page: Page) -> None:
    widget = start(page, site.url)
    # From the top of the page, Tab reaches the consent question's "Yes", each stop visibly focused.
    for _ in range(15):
        page.keyboard.press("Tab")
        now = focused(page)
        assert now["visible"], f"no visible focus on {now}"
        if now["text"] == "Yes":
            break
    else:
        raise AssertionError("Tab never reached the quick replies")
    widget.after_reply(lambda: page.keyboard.press("Enter"))
    assert focused(page)["isInput"], "after a quick reply, focus goes to the answer box"
    assert widget.user_texts() == ["Yes"]

    page.keyboard.type("I'm 34")
    widget.after_reply(lambda: page.keyboard.press("Enter"))
    assert focused(page)["isInput"] and widget.input.input_value() == ""
    widget.wait_for_replies("Yes", "No", "Not sure")

    # The quick replies sit just before the answer box: Shift+Tab reaches them, Space chooses.
    for _ in range(3):
        page.keyboard.press("Shift+Tab")
    assert focused(page)["text"] == "Yes" and focused(page)["visible"]
    widget.after_reply(lambda: page.keyboard.press("Space"))
    assert widget.user_texts() == ["Yes", "I'm 34", "Yes"]
    assert focused(page)["isInput"]
    assert widget.bot_texts()[-1] == TRIAL.questions["kidney_involvement"].text

    # The details of a result open and close from the keyboard too (Enter on the focused button).
    screen(widget, SCREENING[3:])
    details = page.get_by_role("button", name="Show details")
    details.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Hide details")).to_be_focused()
    page.keyboard.press("Space")
    expect(details).to_have_attribute("aria-expanded", "false")


@pytest.mark.parametrize("size", SIZES)
def test_accessibility_layout_and_screenshots(site: Site, browser: Browser, size: str) -> None:
    page = new_page(browser, size)
    try:
        widget = start(page, site.url)
        # The first screen shows the question and the answer box; only the conversation scrolls.
        expect(widget.log.get_by_text(TRIAL.texts["consent_question"])).to_be_in_viewport()
        expect(widget.reply_button("Yes")).to_be_in_viewport()
        expect(widget.input).to_be_in_viewport()
        assert_no_axe_violations(page, f"{size}, opening")
        snapshot(page, f"{size}-1-opening")

        screen(widget, SCREENING[:2])
        widget.wait_for_replies("Yes", "No", "Not sure")
        expect(page.locator(".scr-msg-bot").last).to_be_in_viewport()
        assert_no_axe_violations(page, f"{size}, mid-screen with quick replies")
        snapshot(page, f"{size}-2-question")

        # On a phone the messages must fit: nothing wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]

        screen(widget, [("type", value) for _, value in SCREENING[2:-1]])
        assert scrolling_areas(page) == ["scr-log"]
        screen(widget, SCREENING[-1:])
        # The result is read from its top: the outcome is on screen as it arrives, not the reference.
        card = page.locator(".scr-card")
        expect(card.locator(".scr-card-outcome")).to_be_in_viewport()
        top = card.evaluate("c => c.getBoundingClientRect().top - c.closest('.scr-log').getBoundingClientRect().top")
        assert 0 <= top <= 24, f"the card starts {top}px below the top of the conversation"
        assert scrolling_areas(page) == ["scr-log"]
        assert_no_axe_violations(page, f"{size}, finished")
        snapshot(page, f"{size}-3-result")
        card.get_by_role("button", name="Show details").click()
        assert_no_axe_violations(page, f"{size}, details open")
        snapshot(page, f"{size}-4-details")
        if size == "phone":  # reflow (WCAG 1.4.10): still no sideways scrolling at 320 px
            page.set_viewport_size({"width": 320, "height": 640})
            assert page.evaluate("document.documentElement.scrollWidth") <= 320
    finally:
        page.context.close()


def test_widget_from_an_origin_not_allowed_cannot_connect(site: Site, page: Page) -> None:
    page.goto(site.other_url)
    widget = Widget(page)
    expect(widget.status).to_have_text("Cannot reach the screener right now. Trying again…")
    expect(widget.send_button).to_be_disabled()
    assert widget.bot_texts() == []


def test_without_a_container_it_is_a_launcher(site: Site, page: Page) -> None:
    """One script tag on another site: a button that opens and closes the chat, keyboard included."""
    page.goto(site.any_site_url)
    widget = Widget(page)
    launcher = page.get_by_role("button", name="Check if this study might suit you")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    expect(widget.panel).to_be_hidden()

    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(launcher).to_have_attribute("aria-expanded", "true")
    assert focused(page)["isInput"]
    widget.wait_for_replies("Yes", "No")
    # A too-light colour (#f7c) is darkened until white text on it reads at 4.5:1.
    assert_no_axe_violations(page, "launcher open")
    page.screenshot(path=str(ARTIFACTS / "widget-desktop-launcher-open.png"))
    page.keyboard.press("Escape")
    expect(widget.panel).to_be_hidden()
    assert focused(page)["text"] == "Check if this study might suit you"


# ----------------------------------------------------------------- against a stand-in server


def test_nothing_anyone_writes_becomes_html(fake: FakeSite, page: Page) -> None:
    page.add_init_script("window.alert = () => { window.__alerted = true; };")
    fake.rasa.script["bold reply"] = [
        {
            "text": "<b>bold</b> <img src=x onerror=\"window.__alerted = true\"> <a href='javascript:1'>x</a>",
            "quick_replies": [{"title": "<i>Yes</i>", "payload": "<i>Yes</i>"}],
        }
    ]
    widget = open_widget(page, fake.url)
    typed = ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>"]
    for text in typed:
        widget.say(text)  # the stand-in echoes it back as a bot message
    widget.say("bold reply")
    for _ in range(2):
        assert widget.user_texts() == [*typed, "bold reply"]
        assert widget.bot_texts()[1:3] == [f"Echo: {text}" for text in typed]
        assert widget.bot_texts()[3].startswith("<b>bold</b> <img src=x")
        expect(widget.reply_button("<i>Yes</i>")).to_be_visible()
        assert page.locator(".scr img, .scr script, .scr b, .scr i, .scr a").count() == 0
        assert page.evaluate("window.__alerted") is None
        page.reload()  # the saved conversation is rendered the same safe way
        expect(widget.send_button).to_be_enabled()


def test_links_are_built_from_text_and_open(fake: FakeSite, page: Page) -> None:
    fake.rasa.script["links"] = [
        {
            "text": "See https://clinicaltrials.gov/study/NCT05631717. Write to team@example.org or call "
            "+86 135 0519 3169. In an emergency call 120.\nNot links: javascript:alert(1) http://example.com/x"
        }
    ]
    widget = open_widget(page, fake.url)
    widget.say("links")
    message = page.locator(".scr-msg-bot").last
    links = message.locator("a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs == [
        "https://clinicaltrials.gov/study/NCT05631717",
        "mailto:team@example.org",
        "tel:+8613505193169",
        "tel:120",
    ]
    web_link = links.first
    assert (web_link.get_attribute("target"), web_link.get_attribute("rel")) == ("_blank", "noopener noreferrer")
    expect(web_link).to_have_accessible_name("https://clinicaltrials.gov/study/NCT05631717 (opens in a new tab)")
    assert web_link.evaluate("a => a.nextSibling.textContent").startswith(". Write to")  # the full stop stays text

    page.context.route("https://clinicaltrials.gov/**", lambda route: route.fulfill(body="registry"))
    with page.expect_popup() as popup:
        web_link.click()
    popup.value.wait_for_load_state()
    assert popup.value.url == "https://clinicaltrials.gov/study/NCT05631717"


def test_the_result_card_and_summary_take_only_text_from_a_message(fake: FakeSite, page: Page) -> None:
    """A result whose every field holds markup, or the wrong type: all shown as text, nothing breaks."""
    page.add_init_script("window.print = () => { window.__printed = (window.__printed || 0) + 1; };")
    markup = '<img src=x onerror="window.__alerted = true">'
    fake.rasa.script["finish"] = [
        {
            "text": f"Outcome {markup}\n\nWhat decided this:\n- a reason",
            "kind": "result",
            "outcome": "<b>may_fit</b>",
            "details": [{"heading": f"Group {markup}", "items": [{"criterion": markup, "reason": "r"}, 5]}, "x"],
            "report": {
                "lang": "en",
                "title": f"Summary {markup}",
                "registry_id": "NCT05631717",
                "date": "2026-11-30",
                "facts": [["Date", "2026-11-30"], [markup, 3], "nonsense"],
                "outcome": ["Outcome", markup],
                "sections": [{"heading": "Answers", "rows": [["Age", "34"]], "items": [markup, {}]}, None],
                "note": markup,
            },
        },
        {"text": "What to do next:\nCall +86 135 0519 3169.", "kind": "next_steps"},
        {"text": "Your reference is S-X.", "quick_replies": [{"title": "Show details", "payload": "/details"}]},
    ]
    widget = open_widget(page, fake.url)
    widget.say("finish")
    card = page.locator(".scr-card")
    expect(card.locator(".scr-card-outcome")).to_have_text(f"Outcome {markup}")
    expect(card.locator(".scr-card-next")).to_contain_text("What to do next")  # joined to the card
    expect(widget.replies).to_be_hidden()  # the bot's "Show details" button: the card has its own
    card.get_by_role("button", name="Show details").click()
    expect(card.locator(".scr-details")).to_contain_text(f"Group {markup}")
    card.get_by_role("button", name="Print or save as PDF").click()
    assert page.evaluate("window.__printed") == 1
    _, text = pdf_text(page)
    assert "Summary <img" in text and "2026-11-30" in text
    assert page.locator(".scr img, .scr-print img, .scr b").count() == 0
    assert page.evaluate("window.__alerted") is None
    page.reload()  # kept in the tab's storage and drawn the same safe way
    expect(page.locator(".scr-card .scr-card-outcome")).to_have_text(f"Outcome {markup}")
    expect(page.locator(".scr-card .scr-card-next")).to_have_count(1)
    assert page.locator(".scr img").count() == 0


def test_a_list_of_answers_shows_only_what_its_message_offers(fake: FakeSite, page: Page) -> None:
    """A "which_answer" message's groups are checked like every other field: headings as text, only the
    message's own buttons, each once, and its buttons no group holds after the groups. A reload keeps the
    list; a "restarted" message clears the conversation before it."""
    markup = '<img src=x onerror="window.__alerted = true">'
    fake.rasa.script["change"] = [
        {
            "text": "Which answer would you like to change?",
            "kind": "which_answer",
            "quick_replies": [{"title": t, "payload": t} for t in ("your age", "cancer", markup, "not grouped")],
            "groups": [
                {"heading": f"Part {markup}", "buttons": [{"title": "your age", "payload": "your age"}, 5]},
                {"heading": "Cancer", "buttons": [{"title": "cancer", "payload": "cancer"}, {"title": markup}]},
                {"heading": "Not offered", "buttons": [{"title": "invented", "payload": "invented"}]},
                {"heading": 7, "buttons": [{"title": "your age", "payload": "your age"}]},
                "nonsense",
            ],
        }
    ]
    fake.rasa.script["restart"] = [
        {"text": "OK, let's start again.", "kind": "restarted"},
        {"text": "Shall we start?", "quick_replies": [{"title": "Yes", "payload": "Yes"}]},
    ]
    widget = open_widget(page, fake.url)
    widget.wait_for_replies("Yes")
    widget.say("change")
    for _ in range(2):
        expect(widget.replies.get_by_role("heading")).to_have_text([f"Part {markup}", "Cancer"])
        expect(widget.replies.get_by_role("list", name="Cancer")).to_have_text([f"cancer{markup}"])
        expect(widget.replies.get_by_role("button")).to_have_text(["your age", "cancer", markup, "not grouped"])
        assert widget.replies.evaluate("box => box.lastElementChild.previousElementSibling.tagName") == "UL"
        assert page.locator(".scr img").count() == 0 and page.evaluate("window.__alerted") is None
        page.reload()
        expect(widget.send_button).to_be_enabled()
    widget.choose("not grouped")
    assert fake.rasa.said()[-1] == "not grouped"
    expect(widget.replies).to_be_hidden()

    widget.input.fill("restart")  # not widget.say: it waits for more messages than before
    widget.send_button.click()
    widget.wait_for_replies("Yes")
    assert widget.user_texts() == [] and widget.bot_texts() == ["OK, let's start again.", "Shall we start?"]
    page.reload()
    expect(widget.send_button).to_be_enabled()
    assert widget.user_texts() == [] and widget.bot_texts() == ["OK, let's start again.", "Shall we start?"]


def result_messages(answers: dict[str, str]) -> list[dict[str, object]]:
    """The bot's result messages for a screening answered from ``answers`` ("no" to the rest)."""
    screening = answered(answers)
    return messages.result(TRIAL, screening.result(final=True), "S-ABCDEFGH23", screening.answers, TODAY)


FIT_ANSWERS = {
    "age": "34",
    "lupus_diagnosis": "yes",
    "kidney_involvement": "yes",
    "protein_result": "UPCR 1.8 g/g",
    "medicines": "cellcept and plaquenil",
    "dose": "same",
    "willing": "yes",
}
SUMMARIES = {
    # name: answers, most pages
    "several-checks": (
        {
            **FIT_ANSWERS,
            **{"could_have_children": "yes", "could_become_pregnant": "yes", "contraception_agree": "yes"},
            **{"medicines": "cellcept, prednisone and plaquenil", "chronic_infection": "hepatitis B"},
            **{"vaccine_recent": "flu shot in October", "surgery_planned": "not sure"},
        },
        1,
    ),
    # Every answer that can bring another line: it may go on to a second page, never a third.
    "longest": (
        {
            **FIT_ANSWERS,
            **{"could_have_children": "yes", "could_become_pregnant": "yes", "contraception_agree": "not sure"},
            **{"cancer_history": "yes", "cancer_type": "basal cell skin cancer", "cancer_removed": "not sure"},
            **{"medicines": "cellcept, tacrolimus, prednisone, plaquenil and belimumab", "infusions": "rituximab"},
            **{"last_dose": "about 6 months ago", "dose": "changed", "dose_when": "not sure"},
            **{
                "plasma_procedure": "yes",
                "plasma_procedure_when": "about 3 months ago",
                "infection_serious": "not sure",
            },
            **{"chronic_infection": "hepatitis B", "surgery_recent": "yes", "surgery_when": "about 3 months ago"},
            **{
                "vaccine_recent": "flu shot and some travel jab",
                "vaccine_when": "not sure",
                "vaccine_planned": "not sure",
            },
            **{"serious_illness": "not sure", "willing": "not sure"},
        },
        2,
    ),
}


@pytest.mark.parametrize("name", SUMMARIES)
def test_the_doctors_summary_prints_on_a_page(fake: FakeSite, page: Page, name: str) -> None:
    answers, most = SUMMARIES[name]
    page.add_init_script("window.print = () => {};")
    fake.rasa.script["finish"] = result_messages(answers)
    widget = open_widget(page, fake.url)
    widget.say("finish")
    page.get_by_role("button", name="Print or save as PDF").click()
    pages, text = pdf_text(page, keep_as=f"summary-{name}.pdf")
    assert pages <= most, f"{name}: {pages} pages"
    words = " ".join(text.split())
    report = fake.rasa.script["finish"][0]["report"]
    for label, value in report["sections"][0]["rows"]:  # type: ignore[index]
        assert " ".join(label.split()[-2:]) in words and value.split()[0] in words, label  # every answer
    assert TRIAL.texts["report_note"].split(".")[0] in words


def test_new_buttons_under_the_pointer_do_not_look_chosen(fake: FakeSite, page: Page) -> None:
    fake.rasa.script["Yes"] = [{"text": "Next?", "quick_replies": [{"title": "Yes", "payload": "Yes"}]}]
    widget = open_widget(page, fake.url)
    widget.wait_for_replies("Yes")
    box = widget.reply_button("Yes").bounding_box()
    assert box
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    filled = "el => getComputedStyle(el).backgroundColor"
    assert widget.reply_button("Yes").evaluate(filled) != "rgb(255, 255, 255)"  # hovering shows it
    widget.after_reply(lambda: page.mouse.click(x, y))
    widget.wait_for_replies("Yes")
    under = page.evaluate(f"document.elementFromPoint({x}, {y}).closest('.scr-reply') !== null")
    assert under, "the new button is not where the pointer is: the check would prove nothing"
    assert widget.reply_button("Yes").evaluate(filled) == "rgb(255, 255, 255)"  # drawn, not chosen
    page.mouse.move(x + 2, y)
    assert widget.reply_button("Yes").evaluate(filled) != "rgb(255, 255, 255)"  # a move: hover again


def test_a_lost_connection_is_shown_and_the_session_resumes(fake: FakeSite, page: Page) -> None:
    widget = open_widget(page, fake.url)
    widget.wait_for_replies("Yes")
    first = fake.rasa.heard[0]
    assert first[0] == "session_request" and first[1] == {"session_id": None}

    page.context.set_offline(True)
    expect(widget.status).to_have_text("Connection lost. Trying again…")
    expect(widget.send_button).to_be_disabled()
    expect(widget.reply_button("Yes")).to_be_disabled()
    widget.input.fill("typed while offline")
    widget.input.press("Enter")
    assert widget.user_texts() == []  # nothing is queued silently

    page.context.set_offline(False)
    expect(widget.send_button).to_be_enabled(timeout=15_000)
    expect(widget.status).to_have_text("Connected again.")
    requests = [data for event, data in fake.rasa.heard if event == "session_request"]
    session_id = page.evaluate("Object.values(sessionStorage).map(JSON.parse)[0].sessionId")
    assert re.fullmatch(r"[0-9a-f]{32}", session_id)
    assert requests[1:] and all(r == {"session_id": session_id} for r in requests[1:])
    widget.choose("Yes")
    assert fake.rasa.said() == ["/greet", "Yes"]


# ----------------------------------------------------------------- the page server


def fetch(url: str, method: str = "GET") -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), ""


def test_page_server_serves_only_the_widget_files() -> None:
    with serving("127.0.0.1", 0, "http://127.0.0.1:5123") as url:
        status, headers, body = fetch(url + "/")
        assert status == 200 and headers["X-Content-Type-Options"] == "nosniff"
        assert 'data-server-url="http://127.0.0.1:5123"' in body
        csp = headers["Content-Security-Policy"]
        assert "connect-src http://127.0.0.1:5123 ws://127.0.0.1:5123" in csp and "script-src 'self'" in csp
        status, headers, body = fetch(url + "/zh.html")  # the demo page in Chinese
        assert status == 200 and '<html lang="zh-CN">' in body and 'data-server-url="http://127.0.0.1:5123"' in body
        assert "Content-Security-Policy" in headers
        for path in ("/widget.js", "/widget.css", "/vendor/socket.io.min.js"):
            status, headers, _ = fetch(url + path)
            assert status == 200 and headers["X-Content-Type-Options"] == "nosniff", path
        for path in ("/vendor/", "/web/", "/serve.py", "/../README.md", "/%2e%2e/Makefile", "/README.md"):
            assert fetch(url + path)[0] == 404, path
        assert fetch(url + "/", "POST")[0] == 501
