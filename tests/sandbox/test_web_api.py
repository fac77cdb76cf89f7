"""The web sandbox's JSON and WebSocket API, through aiohttp's test client (no browser):
the same real bot and emulator as every sandbox test, in this process."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient, TestServer

from sandbox.web.server import WebSandbox, bind_warning

from .test_emulator import PNG

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
WAIT = 15.0
VERA = 1003


@pytest.fixture
async def client(sandbox):
    page = WebSandbox(sandbox, script_dirs=[SCENARIOS])
    async with TestClient(TestServer(page.make_app(), host="127.0.0.1")) as test_client:
        yield test_client


async def result(response, status: int = 200):
    body = await response.json()
    assert response.status == status, body
    assert body["ok"] is (status == 200), body
    return body["result"] if status == 200 else body["error"]


async def chat(client, name: str) -> dict:
    return await result(await client.get(f"/api/chats/{name}"))


async def say(client, name: str, text: str) -> dict:
    return await result(await client.post(f"/api/chats/{name}/text", json={"text": text}))


async def press(client, name: str, label: str) -> dict:
    """Press the button containing `label` on the newest message with buttons, as a click."""
    messages = (await chat(client, name))["messages"]
    keyboard = next(m for m in reversed(messages) if m["buttons"])
    button = next(
        b for row in keyboard["buttons"] for b in row if label.lower() in b["text"].lower()
    )
    body = {"message_id": keyboard["id"], "data": button["data"]}
    return await result(await client.post(f"/api/chats/{name}/press", json=body))


async def next_event(socket, wanted) -> dict:
    """The first event for which wanted(event) holds (others are skipped)."""

    async def read() -> dict:
        while True:
            event = await socket.receive_json()
            if wanted(event):
                return event

    return await asyncio.wait_for(read(), WAIT)


def has_text(persona: str, fragment: str):
    return lambda e: (
        e["type"] == "messages"
        and e["persona"] == persona
        and any(fragment in m["html"] for m in e["messages"])
    )


async def raise_worry(client) -> None:
    await say(client, "vera", "/zorg")
    for label in (
        "Over mevrouw L",
        "Geld en post",
        "Klaar",
        "niet dringend",
        "Weet ik niet",
        "geef door",
        "Sla over",
    ):
        await press(client, "vera", label)


async def test_state_has_three_panes_the_bots_clock_and_the_scripts(client, sandbox):
    state = await result(await client.get("/api/state"))
    assert [(p["name"], p["role"]) for p in state["panes"]] == [
        ("cora", "coordinator"),
        ("pim", "professional"),
        ("vera", "volunteer"),
    ]
    assert state["clock"]["timezone"] == "Europe/Amsterdam"
    assert abs(state["clock"]["epoch_ms"] / 1000 - sandbox.clock.now().timestamp()) < 60
    assert "zorg_niveau2.txt" in [s["name"] for s in state["scripts"]]


async def test_each_pane_gets_its_roles_command_menu(client):
    menus = {
        name: [c["command"] for c in (await chat(client, name))["commands"]]
        for name in ("cora", "pim", "vera")
    }
    assert "uitnodigen" in menus["cora"] and "bezoek" not in menus["cora"]
    assert "signalen" in menus["pim"] and "zorg" not in menus["pim"]
    assert {"bezoek", "zorg"} <= set(menus["vera"]) and "signalen" not in menus["vera"]


async def test_the_socket_brings_vera_s_worry_to_pim_and_pims_answer_to_vera(client):
    async with client.ws_connect("/ws") as socket:
        snapshot = await next_event(socket, lambda e: e["type"] == "snapshot")
        assert set(snapshot["chats"]) == {"cora", "pim", "vera"}
        await raise_worry(client)
        await next_event(socket, has_text("pim", "Een zorg van Vera over mevrouw L"))
        await press(client, "pim", "Ik pak dit op")
        await next_event(socket, has_text("vera", "Pim pakt je zorg over mevrouw L op"))


async def test_what_a_person_typed_shows_as_their_own_message(client):
    messages = (await say(client, "vera", "/help"))["messages"]
    assert messages[0]["from"] == "user" and "/help" in messages[0]["html"]
    assert messages[-1]["from"] == "bot"


async def test_an_edit_is_sent_again_under_the_same_id(client):
    async with client.ws_connect("/ws") as socket:
        await next_event(socket, lambda e: e["type"] == "snapshot")
        asked = (await say(client, "vera", "/zorg"))["messages"][-1]
        await press(client, "vera", "Over mevrouw L")
        edited = await next_event(
            socket,
            lambda e: (
                e["type"] == "messages"
                and any(m["id"] == asked["id"] and m["edited"] for m in e["messages"])
            ),
        )
    again = next(m for m in edited["messages"] if m["id"] == asked["id"])
    assert again["buttons"] != asked["buttons"]


async def test_the_clock_moves_by_an_hour_a_day_or_to_monday_evening(client, sandbox):
    before = sandbox.clock.now()
    hour = await result(await client.post("/api/clock", json={"move": "+1h"}))
    day = await result(await client.post("/api/clock", json={"move": "+1d"}))
    monday = await result(await client.post("/api/clock", json={"move": "to mon 19:30"}))
    assert (hour["epoch_ms"] - before.timestamp() * 1000) // 60_000 in (59, 60, 61)
    assert (day["epoch_ms"] - hour["epoch_ms"]) // 3_600_000 in (23, 24)
    assert "T19:30" in sandbox.clock.now().astimezone(ZoneInfo("Europe/Amsterdam")).isoformat()
    assert monday["epoch_ms"] > day["epoch_ms"]
    error = await result(await client.post("/api/clock", json={"move": "backwards"}), 400)
    assert "duration" in error


async def test_a_pane_is_added_for_wim_or_a_new_person(client):
    async with client.ws_connect("/ws") as socket:
        await next_event(socket, lambda e: e["type"] == "snapshot")
        wim = await result(await client.post("/api/personas", json={"name": "wim"}))
        event = await next_event(socket, lambda e: e["type"] == "pane")
    assert wim["role"] == "volunteer" and event["persona"]["name"] == "wim"
    anna = await result(await client.post("/api/personas", json={"name": "Anna"}))
    assert (anna["name"], anna["role"]) == ("anna", "unregistered")
    state = await result(await client.get("/api/state"))
    assert [p["name"] for p in state["panes"]][-2:] == ["wim", "anna"]
    await result(await client.post("/api/personas", json={"name": "<script>"}), 400)


async def test_a_script_replays_step_by_step_to_its_end(client):
    started = await result(await client.post("/api/replay", json={"script": "zorg_niveau2.txt"}))
    assert started["position"] == 0 and started["next"]["line"] == "vera: /zorg"
    steps = []
    while not steps or not steps[-1]["done"]:
        steps.append(await result(await client.post("/api/replay/step")))
    assert all(s["ok"] for s in steps) and len(steps) == started["total"]
    assert not steps[-1]["failed"]
    await result(await client.post("/api/replay/step"), 400)  # it has ended
    again = await result(await client.post("/api/replay", json={"script": "zorg_niveau2.txt"}))
    assert again["position"] == 0 and not again["done"]
    await result(await client.post("/api/replay", json={"script": "../../etc/passwd"}), 400)


async def test_a_replay_shows_a_failing_check_and_ends(sandbox, tmp_path):
    (tmp_path / "fout.txt").write_text(
        "# a check that cannot hold\nvera: /help\nvera? dit staat er nooit\nvera: /help\n"
    )
    page = WebSandbox(sandbox, script_dirs=[tmp_path])
    async with TestClient(TestServer(page.make_app(), host="127.0.0.1")) as client:
        state = await result(await client.get("/api/state"))
        assert state["scripts"] == [{"name": "fout.txt", "about": "a check that cannot hold"}]
        await result(await client.post("/api/replay", json={"script": "fout.txt"}))
        first = await result(await client.post("/api/replay/step"))
        second = await result(await client.post("/api/replay/step"))
        assert first["ok"] and not second["ok"] and "dit staat er nooit" in second["output"]
        assert second["done"] and second["failed"]
        await result(await client.post("/api/replay/step"), 400)


async def test_exports_download(client):
    exported = (await say(client, "vera", "/export"))["messages"]
    document = next(m["document"] for m in exported if m["document"])
    response = await client.get(document["url"])
    assert response.status == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert len(await response.read()) == document["size"]
    assert (await client.get("/api/files/no-such-file")).status == 404


async def test_a_photo_the_bot_sends_shows_inline(client, sandbox):
    await sandbox.app.bot.send_photo(
        chat_id=VERA, photo=PNG, caption="<b>Je bezoeken</b>", parse_mode="HTML"
    )
    photo_message = (await chat(client, "vera"))["messages"][-1]
    assert photo_message["caption_html"] == "<b>Je bezoeken</b>"
    response = await client.get(photo_message["photo"]["url"])
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert await response.read() == PNG


async def test_bot_html_arrives_as_only_telegrams_tags(client):
    shown = "".join(m["html"] for m in (await say(client, "vera", "/privacy"))["messages"])
    tags = set(re.findall(r"</?([a-z-]+)", shown))
    assert "b" in tags
    assert tags <= {"b", "i", "u", "s", "a", "code", "pre", "blockquote", "span"}, tags


async def test_requests_not_addressed_to_loopback_are_refused(client):
    response = await client.get("/api/state", headers={"Host": "omzien.example:80"})
    assert response.status == 421


async def test_another_sites_page_can_neither_act_nor_listen(client):
    foreign = {"Origin": "http://omzien.example"}
    response = await client.post("/api/chats/vera/text", json={"text": "/help"}, headers=foreign)
    assert response.status == 403
    assert (await chat(client, "vera"))["messages"] == []
    response = await client.get(
        "/ws", headers={**foreign, "Connection": "Upgrade", "Upgrade": "websocket"}
    )
    assert response.status == 403
    own = {"Origin": f"http://{client.host}:{client.port}"}
    response = await client.post("/api/chats/vera/text", json={"text": "/help"}, headers=own)
    assert response.status == 200


async def test_the_page_and_its_files_come_from_the_package_with_a_strict_policy(client):
    page = await client.get("/")
    assert page.status == 200 and "Omzien" in await page.text()
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    html = await page.text()
    assert "http://" not in html and "https://" not in html  # nothing from outside
    for name in ("app.js", "style.css"):
        asset = await client.get(f"/static/{name}")
        assert asset.status == 200
        assert "http://" not in (await asset.text()).replace("ws://", "")


def test_binding_elsewhere_than_loopback_is_warned_about():
    assert bind_warning("127.0.0.1") is None and bind_warning("::1") is None
    assert bind_warning("localhost") is None
    warning = bind_warning("0.0.0.0")
    assert warning.startswith("WARNING") and "0.0.0.0" in warning
