"""``iter_pages`` leaves out a session an earlier page had already (sessions shift
between pages while new ones arrive), and keeps a page whose sessions are all new as
it is."""

from __future__ import annotations

import asyncio
import json

import httpx

from akool_tui.api.client import AkoolClient


def _server(pages: dict[int, list[str]], count: int) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        ids = pages.get(int(request.url.params["page"]), [])
        body = {"code": 1000, "msg": "OK", "data": {"count": count, "result": [
            {"_id": sid, "status": 3} for sid in ids]}}
        return httpx.Response(200, content=json.dumps(body).encode())
    return httpx.MockTransport(answer)


def test_a_session_shifted_onto_the_next_page_is_listed_once() -> None:
    pages = {1: [f"a{n}" for n in range(100)],
             2: ["a98", "a99", *(f"b{n}" for n in range(98))],  # two shifted down
             3: [f"c{n}" for n in range(50)]}

    async def listing() -> list[list[str]]:
        async with AkoolClient("https://akool.test", api_key="demo",
                               transport=_server(pages, 250)) as client:
            return [[r["_id"] for r in page] async for page in client.iter_pages(
                factory=lambda r: r, key=lambda r: r["_id"], batch=list)]

    got = asyncio.run(listing())
    assert got == [pages[1], pages[2][2:], pages[3]]
