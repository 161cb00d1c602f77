"""The account's credit balance (``GET /api/open/v3/faceswap/quota/info``).

A session holds credits for its whole ``duration`` from the moment it is created; the
unused rest comes back when it is closed (spec section 3). The balance the endpoint
answers is the whole account's, with held credits already taken.
"""

from __future__ import annotations

from .args import finite_number, one_record
from .base import ClientBase

CREDIT_INFO = "/api/open/v3/faceswap/quota/info"


class CreditCalls(ClientBase):
    """The credits endpoint of :class:`~akool_tui.api.client.AkoolClient`."""

    async def credit_balance(self) -> float:
        """The account's balance in credits."""
        data = (await self._request("GET", CREDIT_INFO)).get("data")
        return finite_number(one_record(data, CREDIT_INFO).get("credit"), "credit", CREDIT_INFO)
