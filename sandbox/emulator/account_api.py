"""The bot's own account in the emulator: getMe, getUpdates, webhooks (refused while a
poll runs, as Telegram does), the command menus and the descriptions. A part of BotApi
(sandbox/emulator/bot_api.py)."""

from __future__ import annotations

from .base import EmulatorParts
from .methods import ApiError, bad_request
from .shapes import check_commands, check_language_code, check_scope
from .state import ChatRecord

WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


class AccountApi(EmulatorParts):
    def _resolve_chat(self, chat_ref: int | str) -> ChatRecord:
        """Bots cannot reach users by @username, and we have no public groups: ids only."""
        chat = self._chats.get(chat_ref) if isinstance(chat_ref, int) else None
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _command_key(self, args: dict) -> tuple:
        kind, chat_ref, user_id = check_scope(args.get("scope"))
        chat_id = None if chat_ref is None else self._resolve_chat(chat_ref).chat_id
        return (kind, chat_id, user_id, check_language_code(args.get("language_code")))

    # -- Bot API methods (one per METHODS entry; the name is the method's, in snake case) --------

    async def _api_get_me(self, args: dict) -> dict:
        return self._bot_json(full=True)

    async def _api_log_out(self, args: dict) -> bool:
        return True

    async def _api_close(self, args: dict) -> bool:
        return True

    async def _api_get_updates(self, args: dict) -> list[dict]:
        if self._webhook_url:
            raise ApiError(409, WEBHOOK_CONFLICT)
        return await self._queue.get(
            args.get("offset"), args.get("limit"), args.get("timeout"), args.get("allowed_updates")
        )

    async def _api_set_webhook(self, args: dict) -> bool:
        if args.get("drop_pending_updates"):
            self._queue.drop_pending()
        self._webhook_url = args["url"]
        return True

    async def _api_delete_webhook(self, args: dict) -> bool:
        if args.get("drop_pending_updates"):
            self._queue.drop_pending()
        self._webhook_url = ""
        return True

    async def _api_get_webhook_info(self, args: dict) -> dict:
        return {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue.pending()),
        }

    async def _api_set_my_commands(self, args: dict) -> bool:
        commands = check_commands(args["commands"])
        key = self._command_key(args)
        if commands:
            self._commands[key] = commands
        else:
            self._commands.pop(key, None)  # an empty list clears, as in Telegram
        return True

    async def _api_delete_my_commands(self, args: dict) -> bool:
        self._commands.pop(self._command_key(args), None)
        return True

    async def _api_get_my_commands(self, args: dict) -> list[dict]:
        return list(self._commands.get(self._command_key(args), []))

    async def _api_set_my_description(self, args: dict) -> bool:
        return self._describe("description", args, 512)

    async def _api_set_my_short_description(self, args: dict) -> bool:
        return self._describe("short_description", args, 120)

    def _describe(self, name: str, args: dict, limit: int) -> bool:
        text = args.get(name, "")
        if len(text) > limit:
            raise bad_request(f"{name.replace('_', ' ')} is too long")
        self._descriptions[(name, check_language_code(args.get("language_code")))] = text
        return True
