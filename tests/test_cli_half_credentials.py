"""Half a pair of client credentials is named, not reported as none (tester pass)."""

from __future__ import annotations

import pytest

from akool_tui.cli import main
from cli_helpers import clean_env  # noqa: F401 - autouse fixture


@pytest.mark.parametrize("var, missing", [("AKOOL_CLIENT_ID", "client secret"),
                                          ("AKOOL_CLIENT_SECRET", "client ID")])
def test_one_of_the_client_credentials_alone_names_the_other(monkeypatch, capsys, var,
                                                             missing):
    monkeypatch.setenv(var, "only-this-one")
    assert main(["credit"]) == 2
    err = capsys.readouterr().err
    env = "AKOOL_CLIENT_SECRET" if missing == "client secret" else "AKOOL_CLIENT_ID"
    assert f"incomplete AKool credentials: the {missing} is missing ({env}" in err
    assert "only-this-one" not in err


def test_no_credentials_at_all_still_says_so(capsys):
    assert main(["credit"]) == 2
    assert "no AKool credentials: set AKOOL_API_KEY" in capsys.readouterr().err
