"""The sandbox in a browser: cora, pim and vera side by side, live (`omzien sandbox --web`).

`server.py` is the aiohttp app (JSON API, WebSocket, the static page), `live.py` turns the
emulator's changes into WebSocket events, `views.py` shapes messages for the page with
`render.py` (Telegram entities to safe HTML) and `replay.py` plays a script one step at a time.
The page itself lives in `static/` and loads nothing from outside.
"""
