"""The API client, the stream layer, core/ and the CLI never import Textual (checked in a fresh interpreter)."""

from __future__ import annotations

import subprocess
import sys

CHECK = (
    "import akool_tui.api, akool_tui.api.client, akool_tui.api.auth, akool_tui.stream, "
    "akool_tui.core.text, akool_tui.cli.output, akool_tui.core.sessions, akool_tui.core.session_sync, "
    "akool_tui.core.fields, "
    "akool_tui.core.avatars, akool_tui.core.ids, akool_tui.core.records, akool_tui.core.events, "
    "akool_tui.core.export, akool_tui.core.validators, akool_tui.core.demo, "
    "akool_tui.core.chat.conversation, akool_tui.core.chat.llm, akool_tui.cli, "
    "akool_tui.core.history, akool_tui.core.history.recorder, akool_tui.cli.history; import sys; "
    "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')); "
    "assert not bad, bad"
)


def test_api_and_stream_do_not_import_textual() -> None:
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_the_check_detects_textual() -> None:
    """The same probe fails when Textual is imported, so the test above can fail."""
    probe = "import textual.app; " + CHECK
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "textual" in done.stderr


def test_layer_contracts_hold() -> None:
    """import-linter's contracts (pyproject.toml): api < stream < core < cli | tui, no
    Textual below the front ends, the simulator only through the demo starter."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([exe, "--config", str(root / "pyproject.toml")], cwd=root,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
