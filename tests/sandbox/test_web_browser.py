"""The web sandbox in a real Chromium: vera raises a worry by clicking, it shows up in pim's
pane, pim picks it up and vera hears so. Saves a screenshot (docs/img/sandbox.png when
UPDATE_SCREENSHOT=1, otherwise in the test's temporary folder)."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from bot.sandbox.web.server import WebSandbox
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
                await page.goto(url)
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
    item = pane(page, name).locator(".command-item").filter(
        has=page.locator(".command", has_text=re.compile(f"^/{command}$")))
    await item.click()


async def press(page, name: str, label: str) -> None:
    """Click the button whose label contains `label` on the newest message with buttons."""
    keyboard = pane(page, name).locator(".message .keyboard").last
    await keyboard.get_by_role("button", name=re.compile(re.escape(label), re.I)).first.click()
    await page.wait_for_function("() => !document.body.classList.contains('busy')")


async def expect_text(page, name: str, pattern: str) -> None:
    messages = pane(page, name).locator(".message.bot .text")
    await messages.filter(has_text=re.compile(pattern, re.I)).first.wait_for()


async def test_a_worry_raised_by_clicking_reaches_pim_and_his_answer_reaches_vera(browser_page, tmp_path):
    page = browser_page
    for name, role in (("cora", "coördinator"), ("pim", "sociaal werker"), ("vera", "vrijwilliger")):
        await pane(page, name).locator(".role", has_text=role).wait_for()

    await use_menu(page, "vera", "bezoek")
    await pane(page, "vera").locator(".message.bot .keyboard").first.wait_for()
    await use_menu(page, "vera", "zorg")
    await press(page, "vera", "stoppen")  # leave the reflection that /bezoek began
    await expect_text(page, "vera", "Waar gaat je zorg over")
    for label in ("Over mevrouw L", "Geld en post", "Klaar", "niet dringend", "Sla over",
                  "geef door", "Weet ik niet"):
        await press(page, "vera", label)

    await expect_text(page, "pim", "Een zorg van Vera over mevrouw L")
    await press(page, "pim", "Ik pak dit op")
    await expect_text(page, "vera", "Pim pakt je zorg over mevrouw L op")

    await pane(page, "cora").get_by_role("button", name="Menu").click()  # show a role's menu
    await pane(page, "cora").locator(".command-item").first.wait_for()
    shot = SCREENSHOT if os.environ.get("UPDATE_SCREENSHOT") == "1" else tmp_path / "sandbox.png"
    await page.screenshot(path=str(shot))
    assert shot.read_bytes().startswith(b"\x89PNG")
