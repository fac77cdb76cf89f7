"""The web sandbox in a real Chromium: vera raises a worry by clicking, it shows up in pim's
pane, pim picks it up and vera hears so. Saves a screenshot (docs/img/sandbox.png when
UPDATE_SCREENSHOT=1, otherwise in the test's temporary folder)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from sandbox.web.server import WebSandbox

from .web_browser import LAUNCH_ARGS, require_browser

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "img" / "sandbox.png"
TIMEOUT_MS = 20_000


@pytest.fixture
async def browser_page(sandbox):
    executable = require_browser()
    from playwright.async_api import async_playwright

    page_server = WebSandbox(sandbox)
    url = await page_server.start("127.0.0.1", 0)
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
            try:
                page = await browser.new_page(viewport={"width": 1440, "height": 900})
                page.set_default_timeout(TIMEOUT_MS)
                page.url_of_sandbox = url
                page.errors = []  # script errors and failed loads: a working page has none
                page.on("pageerror", lambda error: page.errors.append(str(error)))
                page.on(
                    "console", lambda m: page.errors.append(m.text) if m.type == "error" else None
                )
                yield page
            finally:
                await browser.close()
    finally:
        await page_server.stop()


def pane(page, name: str):
    return page.locator(f"#pane-{name}")


async def use_menu(page, name: str, command: str) -> None:
    """Open the persona's command menu and click the command, as in Telegram."""
    await pane(page, name).get_by_role("button", name="Menu").click()
    item = (
        pane(page, name)
        .locator(".command-item")
        .filter(has=page.locator(".command", has_text=re.compile(f"^/{command}$")))
    )
    await item.click()


async def press(page, name: str, label: str) -> None:
    """Click the button whose label contains `label` on the newest message with buttons."""
    keyboard = pane(page, name).locator(".message .keyboard").last
    await keyboard.get_by_role("button", name=re.compile(re.escape(label), re.I)).first.click()
    await page.wait_for_function("() => !document.body.classList.contains('busy')")


async def expect_text(page, name: str, pattern: str) -> None:
    messages = pane(page, name).locator(".message.bot .text")
    await messages.filter(has_text=re.compile(pattern, re.I)).first.wait_for()


async def test_a_worry_raised_by_clicking_reaches_pim_and_his_answer_reaches_vera(
    browser_page, tmp_path
):
    page = browser_page
    await page.goto(page.url_of_sandbox)
    for name, role in (
        ("cora", "coördinator"),
        ("pim", "sociaal werker"),
        ("vera", "vrijwilliger"),
    ):
        await pane(page, name).locator(".role", has_text=role).wait_for()

    await use_menu(page, "vera", "bezoek")
    await pane(page, "vera").locator(".message.bot .keyboard").first.wait_for()
    await use_menu(page, "vera", "zorg")
    await press(page, "vera", "stoppen")  # leave the reflection that /bezoek began
    await expect_text(page, "vera", "Waar gaat je zorg over")
    for label in (
        "Over mevrouw L",
        "Geld en post",
        "Klaar",
        "niet dringend",
        "Weet ik niet",
        "geef door",
        "Sla over",
    ):
        await press(page, "vera", label)

    await expect_text(page, "pim", "Een zorg van Vera over mevrouw L")
    await press(page, "pim", "Ik pak dit op")
    await expect_text(page, "vera", "Pim pakt je zorg over mevrouw L op")

    await pane(page, "cora").get_by_role("button", name="Menu").click()  # show a role's menu
    await pane(page, "cora").locator(".command-item").first.wait_for()
    shot = SCREENSHOT if os.environ.get("UPDATE_SCREENSHOT") == "1" else tmp_path / "sandbox.png"
    await page.screenshot(path=str(shot))
    assert shot.read_bytes().startswith(b"\x89PNG")
    assert page.errors == []


async def test_in_english_by_keyboard_with_labels_the_clock_and_a_replay(browser_page):
    page = browser_page
    await page.goto(page.url_of_sandbox + "?lang=en")
    vera = pane(page, "vera")
    await vera.locator(".role", has_text="volunteer").wait_for()
    log = vera.get_by_role("log", name="Vera's chat with Omzien")
    assert await log.get_attribute("aria-live") == "polite"

    box = page.get_by_label("Message as Vera")
    await box.focus()
    await page.keyboard.type("/help")
    await page.keyboard.press("Enter")
    await expect_text(page, "vera", "Dit kun je bij mij doen")
    await page.keyboard.press("Shift+Tab")  # from the text box back to the menu button
    assert await page.evaluate("document.activeElement.getAttribute('aria-expanded')") == "false"
    await page.keyboard.press("Enter")
    assert await page.evaluate("document.activeElement.className") == "command-item"
    await page.keyboard.press("Escape")
    assert await page.evaluate("document.activeElement.getAttribute('aria-expanded')") == "false"

    clock = page.locator("#clock-now")
    before = await clock.get_attribute("data-iso")
    await page.get_by_role("button", name="+1 day").click()
    await page.wait_for_function(
        "before => document.querySelector('#clock-now').getAttribute('data-iso') !== before",
        arg=before,
    )
    moved = await clock.get_attribute("data-iso")
    assert moved[:10] != before[:10]

    await page.get_by_text("+ persona").click()
    await page.get_by_label("Name").fill("wim")
    await page.get_by_role("button", name="Add").click()
    await pane(page, "wim").locator(".role", has_text="volunteer").wait_for()
    assert await page.evaluate("document.activeElement.id") == "pane-wim-text"

    await page.get_by_text("Replay a script").click()
    await page.get_by_label("Script").select_option("zorg_niveau1.txt")
    await page.get_by_role("button", name="Start").click()
    await page.get_by_role("button", name="Next step").click()
    await page.locator("#replay-log li.ok", has_text="pim: /vrijwilligers").wait_for()
    assert page.errors == []


def test_a_missing_browser_fails_in_ci_and_is_skipped_loudly_elsewhere(monkeypatch):
    from . import web_browser

    monkeypatch.setattr(web_browser, "chromium_path", lambda: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="no Chromium found"):
        web_browser.require_browser()
    monkeypatch.setenv("CI", "false")
    with (
        pytest.warns(UserWarning, match="BROWSER TEST SKIPPED"),
        pytest.raises(pytest.skip.Exception, match="no Chromium found"),
    ):
        web_browser.require_browser()
