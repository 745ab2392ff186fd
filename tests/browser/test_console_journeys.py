"""The console's main journeys in a real browser, against the real services.

The tests run in order and share one browser: sign-in, search and statistics, the English
toggle, an event from creation to a check-in at the door, a fact-check case up to its
verdict, and a viewer who sees no edit controls."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import httpx
import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from sinergi_kit.testing.processes import wait_until

if TYPE_CHECKING:
    from tests.browser.conftest import Stack

pytestmark = pytest.mark.e2e
WIB = ZoneInfo("Asia/Jakarta")
state: dict[str, str] = {}


def fill(browser: WebDriver, values: dict[str, str]) -> None:
    for element_id, value in values.items():
        field = browser.find_element(By.ID, element_id)
        field.clear()
        field.send_keys(value)


def choose(browser: WebDriver, element_id: str, *values: str) -> None:
    select = Select(browser.find_element(By.ID, element_id))
    for value in values:
        select.select_by_value(value)


def navigate_by(browser: WebDriver, element: WebElement) -> None:
    """Click and wait until the next page has loaded. The old page's window is marked before
    the click and a new document starts without the mark; asking the browser about an element
    of the old page instead can fail while the new one is being attached ("node does not
    belong to the document"), and so can a script run mid-navigation, which is retried."""
    browser.execute_script("window.sinergiOldPage = true")
    element.click()
    WebDriverWait(browser, 20, ignored_exceptions=(WebDriverException,)).until(
        lambda driver: driver.execute_script(
            "return !window.sinergiOldPage && document.readyState === 'complete'"
        )
    )


def submit(browser: WebDriver, form: WebElement) -> None:
    navigate_by(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))


def flash(browser: WebDriver) -> WebElement:
    return browser.find_element(By.CSS_SELECTOR, ".flash")


def sign_in(browser: WebDriver, console: str, username: str, password: str) -> None:
    browser.get(console + "/accounts")
    assert "/login" in browser.current_url
    fill(browser, {"username": username, "password": password})
    submit(browser, browser.find_element(By.CSS_SELECTOR, "form[action='/login']"))
    assert browser.current_url.startswith(console + "/accounts")


def set_local_time(browser: WebDriver, element_id: str, moment: datetime) -> None:
    """A datetime-local field's value (typing into it depends on the browser's locale)."""
    field = browser.find_element(By.ID, element_id)
    value = moment.astimezone(WIB).strftime("%Y-%m-%dT%H:%M")
    browser.execute_script("arguments[0].value = arguments[1]", field, value)


def test_sign_in_search_accounts_and_see_the_statistics(browser: WebDriver, stack: Stack) -> None:
    browser.get(stack.console + "/login")
    fill(browser, {"username": "admin", "password": "salah-sandi"})
    submit(browser, browser.find_element(By.CSS_SELECTOR, "form[action='/login']"))
    assert browser.find_element(By.CSS_SELECTOR, "[role=alert]").text  # the registry's refusal
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "id"

    sign_in(browser, stack.console, "admin", stack.admin_password)
    fill(browser, {"q": "jombang"})
    choose(browser, "managed_by", "government")
    choose(browser, "platform", "instagram")
    submit(browser, browser.find_element(By.CSS_SELECTOR, "form[role=search]"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#accounts-table tbody tr")
    assert rows and all("Pemerintah" in row.text and "instagram" in row.text for row in rows)
    assert all("jombang" in row.text.lower() for row in rows)

    browser.get(stack.console + "/stats")
    charts = browser.find_elements(By.CSS_SELECTOR, "figure.chart")
    assert len(charts) == 5
    platform_bars = charts[0].find_elements(By.CSS_SELECTOR, "g.bar")
    assert len(platform_bars) >= 3
    assert "instagram" in charts[0].find_element(By.TAG_NAME, "title").get_attribute("textContent")
    widths = [
        int(bar.find_element(By.TAG_NAME, "rect").get_attribute("width")) for bar in platform_bars
    ]
    assert widths == sorted(widths, reverse=True) and widths[0] > 0


def test_english_toggle_is_remembered(browser: WebDriver, stack: Stack) -> None:
    browser.get(stack.console + "/events")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Kegiatan"
    navigate_by(browser, browser.find_element(By.ID, "lang-toggle"))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Events"
    browser.get(stack.console + "/accounts")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Accounts"
    navigate_by(browser, browser.find_element(By.ID, "lang-toggle"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Akun"


def test_an_event_is_created_published_a_segment_invited_and_a_guest_checked_in(
    browser: WebDriver, stack: Stack
) -> None:
    browser.get(stack.console + "/segments")
    form = browser.find_element(By.ID, "segment-form")
    segment_name = "Admin akun pemerintah " + secrets.token_hex(3)
    fill(browser, {"segment-name": segment_name})
    choose(browser, "managed_by", "government")
    choose(browser, "roles", "account_admin")
    submit(browser, form)
    assert browser.find_element(By.TAG_NAME, "h1").text == segment_name
    assert "orang" in browser.find_element(By.ID, "segment-counts").text

    browser.get(stack.console + "/events")
    navigate_by(browser, browser.find_element(By.ID, "new-event"))
    starts = datetime.now(WIB).replace(second=0, microsecond=0) + timedelta(hours=1)
    fill(
        browser,
        {
            "title_id": "Kopilaborasi Desember",
            "title_en": "Kopilaborasi December",
            "theme_id": "Melawan hoaks pemilu",
            "theme_en": "Countering election hoaxes",
            "venue_name": "Pendopo Kabupaten Jombang",
            "capacity": "50",
        },
    )
    set_local_time(browser, "starts_at", starts)
    set_local_time(browser, "ends_at", starts + timedelta(hours=2))
    submit(browser, browser.find_element(By.ID, "event-form"))
    assert "Draf" in browser.find_element(By.ID, "event-status").text
    event_url = browser.current_url
    event_id = event_url.rstrip("/").rsplit("/", 1)[1]
    navigate_by(browser, browser.find_element(By.ID, "publish"))
    assert "Terbit" in browser.find_element(By.ID, "event-status").text

    def invited() -> bool:
        """The segment reaches the events service over the bus; until then it refuses."""
        choose(
            browser,
            "segment_id",
            *[
                o.get_attribute("value") or ""
                for o in browser.find_elements(By.CSS_SELECTOR, "#segment_id option")
                if o.text == segment_name
            ],
        )
        submit(browser, browser.find_element(By.ID, "invite-form"))
        return "flash-ok" in (flash(browser).get_attribute("class") or "")

    wait_until(invited, timeout_s=30, poll_s=0.5)
    invited_count = browser.find_element(By.CSS_SELECTOR, "[data-count=invited]").text
    assert int(invited_count) > 0

    headers = stack.admin_headers()
    events = stack.urls["events"]
    invitations = httpx.get(f"{events}/events/{event_id}/invitations", headers=headers).json()
    rsvp = invitations["items"][0]["rsvp_path"]
    assert httpx.post(events + rsvp, json={"response": "accepted"}).status_code == 200
    code = httpx.get(events + rsvp + "/pass").json()["code"]

    browser.get(event_url + "/checkin")
    fill(browser, {"code": code})
    navigate_by(browser, browser.find_element(By.ID, "check-in"))
    result = browser.find_element(By.ID, "scan-result")
    assert "scan-ok" in (result.get_attribute("class") or ""), result.text
    browser.get(event_url)
    assert browser.find_element(By.CSS_SELECTOR, "[data-count=checked_in]").text == "1"
    assert browser.find_element(By.CSS_SELECTOR, "[data-count=accepted]").text == "1"
    funnel = browser.find_element(By.ID, "funnel-chart")
    assert len(funnel.find_elements(By.CSS_SELECTOR, "g.bar")) == 8
    state["event"] = event_url


def test_a_fact_check_case_goes_through_the_verdict_form(browser: WebDriver, stack: Stack) -> None:
    claim = f"KPU menghapus pemilih yang tidak mencoblos {secrets.token_hex(3)}"
    receipt = httpx.post(stack.urls["factcheck"] + "/reports", json={"text": claim})
    assert receipt.status_code == 201, receipt.text

    def listed() -> bool:
        browser.get(stack.console + "/cases")
        return bool(browser.find_elements(By.PARTIAL_LINK_TEXT, claim[:40]))

    wait_until(listed, timeout_s=20, poll_s=0.5)
    navigate_by(browser, browser.find_element(By.PARTIAL_LINK_TEXT, claim[:40]))
    choose(browser, "urgency", "high")
    browser.find_element(By.ID, "flag-election").click()
    submit(browser, browser.find_element(By.ID, "triage-form"))
    assert "flash-ok" in (flash(browser).get_attribute("class") or "")
    submit(browser, browser.find_element(By.ID, "assign-form"))
    choose(browser, "evidence-kind", "official_statement")
    fill(browser, {"source": "KPU Kabupaten Jombang", "note": "Siaran pers resmi"})
    submit(browser, browser.find_element(By.ID, "evidence-form"))
    assert "KPU Kabupaten Jombang" in browser.find_element(By.ID, "evidence-list").text
    choose(browser, "rating", "salah")
    choose(browser, "hoax_type", "konten_palsu")
    navigate_by(browser, browser.find_element(By.ID, "draft-verdict"))
    assert browser.find_element(By.ID, "case-status").text == "Ditinjau"
    verdict = browser.find_element(By.ID, "verdict").text
    assert "Salah" in verdict and "DISINFORMASI" in verdict  # the label follows the rating

    navigate_by(browser, browser.find_element(By.ID, "approve"))  # not the author's own
    refusal = flash(browser)
    assert "flash-error" in (refusal.get_attribute("class") or "")
    assert refusal.text and browser.find_element(By.ID, "case-status").text == "Ditinjau"


UNLABELLED_FIELDS = """
return Array.from(document.querySelectorAll(
    "input:not([type=hidden]), select, textarea"
)).filter(field => !(field.id && document.querySelector(`label[for="${field.id}"]`))
    && !field.getAttribute("aria-label")).map(field => field.name || field.outerHTML);
"""


def test_every_field_has_a_label_and_the_keyboard_focus_shows(
    browser: WebDriver, stack: Stack
) -> None:
    for path in (
        "/accounts",
        "/people",
        "/segments",
        "/imports",
        "/events/new",
        "/cases",
        "/notifications",
    ):
        browser.get(stack.console + path)
        assert browser.execute_script(UNLABELLED_FIELDS) == [], path
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "id"
    browser.get(state["event"])
    assert browser.execute_script(UNLABELLED_FIELDS) == []
    browser.get(state["event"] + "/checkin")
    assert browser.execute_script(UNLABELLED_FIELDS) == []

    browser.get(stack.console + "/accounts")
    ActionChains(browser).send_keys(Keys.TAB).perform()
    skip = browser.switch_to.active_element
    assert (skip.get_attribute("href") or "").endswith("#main")
    assert skip.value_of_css_property("outline-style") == "solid"
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    assert browser.switch_to.active_element.get_attribute("id") == "main"


def test_a_viewer_sees_no_edit_controls(browser: WebDriver, stack: Stack) -> None:
    password = secrets.token_urlsafe(12)
    created = httpx.post(
        stack.urls["registry"] + "/users",
        json={
            "username": "pemantau",
            "name": "Pemantau",
            "password": password,
            "roles": ["viewer"],
        },
        headers=stack.admin_headers(),
    )
    assert created.status_code == 201, created.text
    browser.get(stack.console + "/")
    navigate_by(browser, browser.find_element(By.CSS_SELECTOR, "form[action='/logout'] button"))
    sign_in(browser, stack.console, "pemantau", password)

    nav = browser.find_element(By.TAG_NAME, "nav").text
    assert "Akun" in nav and "Impor" not in nav and "Cek fakta" not in nav
    browser.get(stack.console + "/events")
    assert browser.find_elements(By.ID, "events-table")
    assert not browser.find_elements(By.ID, "new-event")
    browser.get(state.get("event", stack.console + "/events"))
    assert browser.find_elements(By.ID, "live-counts")
    assert not browser.find_elements(By.ID, "event-actions")
    assert not browser.find_elements(By.CSS_SELECTOR, "main form[method=post]")
    browser.get(stack.console + "/segments")
    assert not browser.find_elements(By.ID, "segment-form")
    browser.get(stack.console + "/cases")  # the factcheck service refuses a viewer
    assert browser.find_element(By.CSS_SELECTOR, "[role=alert]").text
