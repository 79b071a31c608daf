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
    def _personal(table: Any, key: dict[str, str]) -> dict[str, Any] | None:
        return table.get_item(Key=key, ConsistentRead=True).get("Item")

    def allocation_proposed(self, table: Any, allocation: dict[str, Any]) -> bool:
        personal = self._personal(table, maker_personal_key(str(allocation["site"])))
        email = ((personal or {}).get("contact") or {}).get("email")
        if not email:
            return False
        lang = str((personal or {}).get("language") or "en")
        token = allocations.link_token(secret.keys()[0], str(allocation["id"]))
        return self._send("allocation_proposed", notifications.allocation_proposed(
            lang, self._site_url(), str(allocation["id"]), token,
            str(allocation.get("design")), int(allocation["quantity"]),
            str(allocation.get("day")), email))

    def shipment(self, table: Any, allocation: dict[str, Any]) -> bool:
        from .coordination import request_link_token

        reference = str(allocation["reference"])
        personal = self._personal(table, personal_key(reference))
        email = ((personal or {}).get("contact") or {}).get("email")
        if not email:
            return False
        lang = str((personal or {}).get("language") or "en")
        token = request_link_token(secret.keys()[0], reference)
        return self._send("shipment", notifications.shipment(
            lang, self._site_url(), reference, token, int(allocation.get("shipped", 0)), email))

    def reconfirm(self, table: Any, reference: str, respond_by: str) -> bool:
        from .coordination import request_link_token

        personal = self._personal(table, personal_key(reference))
        email = ((personal or {}).get("contact") or {}).get("email")
        if not email:
            return False
        lang = str((personal or {}).get("language") or "en")
        token = request_link_token(secret.keys()[0], reference)
        return self._send("reconfirm", notifications.reconfirm(
            lang, self._site_url(), reference, token, respond_by, email))
