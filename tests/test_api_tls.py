"""Every client shares one TLS context, and it still verifies: making a context takes
20-45 ms of CPU with the interpreter held, and the console makes a client for each full
refetch of the sessions (in a thread, so keys typed meanwhile waited for it)."""

from __future__ import annotations

import ssl
import time

from akool_tui.api.base import tls_context
from akool_tui.api.client import AkoolClient


def _context(client: AkoolClient) -> ssl.SSLContext:
    pool = client._http._transport._pool  # httpx's default transport
    return pool._ssl_context


def test_clients_share_one_context_that_verifies_the_server():
    first = AkoolClient("https://openapi.akool.com", api_key="k")
    started = time.process_time()
    clients = [AkoolClient("https://openapi.akool.com", api_key="k") for _ in range(20)]
    made = time.process_time() - started
    assert all(_context(c) is _context(first) is tls_context() for c in clients)
    context = tls_context()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()["x509_ca"] > 0  # a CA bundle is loaded
    assert made < 0.2  # 20 clients; each made its own context (20-45 ms) before
