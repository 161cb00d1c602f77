"""Pages fetched concurrently, handed over in order (``sessions list`` at 100 000 sessions).

:func:`in_order` runs a fixed set of workers, each asking for the next page number not
yet asked for as soon as its last answer is in. That is how a plain loop over an
:class:`httpx.AsyncClient` fetches pages, and it matters for the connection pool: a
worker sends its next request on the connection it has just freed. A task started per
page (the way :meth:`AkoolClient.iter_pages` did before) starts several requests in one
turn of the event loop whenever several pages are in at once; httpcore then hands the
same idle connection to each of them, all but one fail with ``ConnectionNotAvailable``
and are assigned again, each time polling every idle socket (1 986 extra assignments
for 1 000 pages, against 299 for the plain loop).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class in_order(Generic[T]):  # noqa: N801 - used as a function: in_order(...)
    """``await fetch(n)`` for ``n`` from ``first`` to ``last``, yielded in that order
    (``async for page in in_order(...)``).

    ``workers`` requests are in flight at most, and none for a page ``window`` or more
    pages past the one the caller waits for (the caller's pace bounds the memory). A
    page whose fetch raised raises here when its turn comes: the pages before it are
    yielded first. :meth:`aclose` (also once the last page is out, or one raised)
    cancels the fetches still running. A class, not an async generator: the event
    loop's own clean-up of unfinished async generators closes those in no set order,
    and a listing closed by a broken pipe then met this one still running."""

    def __init__(self, fetch: Callable[[int], Awaitable[T]], first: int, last: int, *,
                 workers: int, window: int) -> None:
        self._fetch, self._last, self._window = fetch, last, window
        self._asked = self._want = first
        self._done: dict[int, tuple[bool, T | Exception]] = {}
        self._arrived, self._room = asyncio.Event(), asyncio.Event()
        self._count = min(workers, last - first + 1)
        self._tasks: list[asyncio.Task[None]] | None = None

    def __aiter__(self) -> in_order[T]:
        return self

    async def _worker(self) -> None:
        while self._asked <= self._last:
            if self._asked >= self._want + self._window:
                self._room.clear()
                await self._room.wait()
                continue
            number = self._asked
            self._asked += 1
            try:
                result: tuple[bool, T | Exception] = (True, await self._fetch(number))
            except Exception as exc:  # raised when the caller reaches this page
                result = (False, exc)
            self._done[number] = result
            if number == self._want:
                self._arrived.set()
            if not result[0]:
                return

    async def __anext__(self) -> T:
        if self._tasks is None:
            self._tasks = [asyncio.ensure_future(self._worker()) for _ in range(self._count)]
        if self._want > self._last:
            await self.aclose()
            raise StopAsyncIteration
        while self._want not in self._done:
            self._arrived.clear()
            await self._arrived.wait()
        ok, value = self._done.pop(self._want)
        self._want += 1
        self._room.set()
        if not ok:
            await self.aclose()
            raise value  # type: ignore[misc]
        return value  # type: ignore[return-value]

    async def aclose(self) -> None:
        """Cancel the fetches still running (and wait until they ended); again: nothing."""
        tasks, self._tasks = self._tasks or [], []
        self._want = self._last + 1  # nothing more comes out
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
