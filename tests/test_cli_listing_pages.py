"""``sessions list`` over many pages: a session an earlier page had already is left out
(sessions shift between pages while new ones arrive), a page of new sessions is kept
as it is, and the garbage collector is put back as it was when the listing ends."""

from __future__ import annotations

import asyncio
import json

import httpx

from akool_tui.api.client import AkoolClient
from cli_helpers import clean_env_with_key as clean_env  # noqa: F401 - autouse fixture


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


def test_a_listing_puts_the_collector_back_as_it_was(simulator_factory, capsys) -> None:
    """The listing freezes what is alive and collects less often while it runs; ``main``
    also runs inside a longer process (tests): both are put back when it ends, also
    when it fails."""
    import gc

    from akool_tui.cli import main

    sim = simulator_factory(sessions=150)
    before = gc.get_threshold(), gc.get_freeze_count()
    assert main(["--base-url", sim.base_url, "sessions", "list", "--json"]) == 0
    assert (gc.get_threshold(), gc.get_freeze_count()) == before
    assert main(["--base-url", "http://127.0.0.1:9", "sessions", "list"]) == 1  # refused
    assert (gc.get_threshold(), gc.get_freeze_count()) == before
    capsys.readouterr()
