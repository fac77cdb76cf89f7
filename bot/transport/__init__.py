"""How the bot talks to the Bot API and in what order it handles updates.

`aiohttp_request.AiohttpRequest` is a python-telegram-bot `BaseRequest` on aiohttp;
`per_chat.PerChatUpdateProcessor` runs different chats concurrently and one chat in order;
`factory` picks the transport named by the `transport` setting.
"""
