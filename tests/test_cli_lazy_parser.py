"""The parser builds a command group's own parser only when the command line names it:
``akool-tui --help`` (and the console, with no command) builds none, and loads neither
the groups' modules nor the API's errors and logging (they cost every start ~35 ms of
CPU); the help printed and the errors are as before."""

from __future__ import annotations

import pytest
from test_cli_layout import loaded as modules_loaded

GROUP_MODULES = ("akool_tui.cli.create_options", "akool_tui.cli.knowledge",
                 "akool_tui.cli.history", "akool_tui.api.errors", "logging")


def loaded(*argv: str) -> list[str]:
    return modules_loaded(*argv, probe=GROUP_MODULES)


def test_help_builds_no_command_groups_parser():
    assert loaded("--help") == []


@pytest.mark.parametrize(("argv", "module"), [
    (["knowledge", "--help"], "akool_tui.cli.knowledge"),
    (["history", "list", "--help"], "akool_tui.cli.history"),
    (["sessions", "create", "--help"], "akool_tui.cli.create_options"),
])
def test_a_named_group_builds_its_own_parser_only(argv, module):
    assert module in loaded(*argv)
    assert [m for m in loaded(*argv) if m.startswith("akool_tui.cli")] == [module]


def test_a_named_groups_options_and_errors_are_checked(capsys):
    from akool_tui.cli.main import main

    assert main(["sessions", "create", "--speed", "5", "--mode", "3"]) == 2
    err = capsys.readouterr().err
    assert "--mode: expected 1 (retelling) or 2 (dialogue)" in err
    assert "--speed: expected a number from 0.8 to 1.2" in err
    assert main(["knowledge"]) == 2
    assert "required: ACTION" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["history", "--help"])
    assert "export" in capsys.readouterr().out
