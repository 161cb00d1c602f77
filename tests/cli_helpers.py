"""Shared fixtures for the CLI tests (``main(argv)`` run in-process).

Import the one a module needs; an autouse fixture imported into a test module applies
to every test in it::

    from cli_helpers import clean_env  # noqa: F401 - autouse fixture
    from cli_helpers import clean_env_with_key as clean_env  # noqa: F401 - ... "demo" key
"""

from __future__ import annotations

from pathlib import Path

import pytest

#: what a user's shell could set that must not reach a test
USER_VARS = ("AKOOL_API_KEY", "AKOOL_CLIENT_ID", "AKOOL_CLIENT_SECRET", "AKOOL_BASE_URL",
             "AKOOL_TUI_DEBUG", "AKOOL_PROFILE")


def isolate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, api_key: str | None) -> None:
    for var in USER_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AKOOL_TUI_CONFIG", str(tmp_path / "config.toml"))
    if api_key is not None:
        monkeypatch.setenv("AKOOL_API_KEY", api_key)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No real user config or credentials leak into a test: the config file is the
    test's own (none yet), no credentials."""
    isolate(monkeypatch, tmp_path, None)


@pytest.fixture(autouse=True)
def clean_env_with_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """As ``clean_env``, with the simulator's key ("demo") in ``AKOOL_API_KEY``."""
    isolate(monkeypatch, tmp_path, "demo")
