"""E-mails that follow a write: who must act is told, in their language.

Called after the write landed; a message that cannot be sent is logged (kind and error
code only) and does not undo the write: the coordinator sees the allocation proposed, and
the site also sees it on its page. Addresses are read from the personal items here and
go nowhere else.
"""

from __future__ import annotations

from typing import Any

from . import allocations, config, mailer, notifications, secret
from .maker_store import maker_personal_key
from .store import personal_key


class Notifier:
    def __init__(self, settings: config.Settings) -> None:
        self._settings = settings

    def _site_url(self) -> str:
        url = config.load_hub(self._settings.hub_path).site_url or ""
        return url if url.endswith("/") else url + "/"

    def _send(self, kind: str, message: Any) -> bool:
        try:
            mailer.send(message)
            return True
        except mailer.MailError:  # logged by the mailer (kind and code only)
            return False

    @staticmethod
    def _recipient(table: Any, key: dict[str, str]) -> tuple[str | None, str]:
        """``(e-mail address or None, language)`` of the personal item at ``key``."""
        personal = table.get_item(Key=key, ConsistentRead=True).get("Item") or {}
        email = (personal.get("contact") or {}).get("email")
        return email, str(personal.get("language") or "en")

    def allocation_proposed(self, table: Any, allocation: dict[str, Any]) -> bool:
        email, lang = self._recipient(table, maker_personal_key(str(allocation["site"])))
        if not email:
            return False
        token = allocations.link_token(secret.keys()[0], str(allocation["id"]))
        return self._send("allocation_proposed", notifications.allocation_proposed(
            lang, self._site_url(), str(allocation["id"]), token,
            str(allocation.get("design")), int(allocation["quantity"]),
            str(allocation.get("day")), email))

    def shipment(self, table: Any, allocation: dict[str, Any]) -> bool:
        from .coordination import request_link_token

        reference = str(allocation["reference"])
        email, lang = self._recipient(table, personal_key(reference))
        if not email:
            return False
        token = request_link_token(secret.keys()[0], reference)
        return self._send("shipment", notifications.shipment(
            lang, self._site_url(), reference, token, int(allocation.get("shipped", 0)), email))

    def reconfirm(self, table: Any, reference: str, respond_by: str) -> bool:
        from .coordination import request_link_token

        email, lang = self._recipient(table, personal_key(reference))
        if not email:
            return False
        token = request_link_token(secret.keys()[0], reference)
        return self._send("reconfirm", notifications.reconfirm(
            lang, self._site_url(), reference, token, respond_by, email))
