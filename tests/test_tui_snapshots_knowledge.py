"""SVG snapshots of the knowledge screen (with its detail pane) and of the knowledge base
form refusing a document over 100 MB and an ftp URL, at 120x34 and 80x24.

Deterministic as ``test_tui_snapshots``: a seeded simulator with churn off whose clock
stands still at FIXED_NOW, the app's clock fixed at the same moment, local time UTC.
Update with ``pytest tests/test_tui_snapshots_knowledge.py --snapshot-update``.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from akool_tui.simulator import RunningSimulator
from akool_tui.tui.screens.knowledge_form import DocRow, KnowledgeForm, UrlRow
from tui_helpers import (  # noqa: F401 - fixtures
    SNAPSHOT_SIZES as SIZES,
    frozen_sim,
    isolated_home,
    snapshot_app,
    utc,
    wait_for,
    wait_loaded,
)

pytestmark = pytest.mark.usefixtures("utc")


def acme(sim: RunningSimulator) -> str:
    return next(k.oid for k in sim.state.knowledge.values() if k.name == "Acme support desk")


def knowledge_detail(sim: RunningSimulator):
    async def run(pilot: Pilot) -> None:
        await wait_loaded(pilot)
        await pilot.press("5")
        screen = await wait_loaded(pilot)
        screen.table.move_cursor_to_key(acme(sim))
        await pilot.press("enter")
        await pilot.pause()

    return run


def knowledge_form(sim: RunningSimulator):
    async def run(pilot: Pilot) -> None:
        await knowledge_detail(sim)(pilot)
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, KnowledgeForm))
        form = pilot.app.screen
        rows = list(form.query(DocRow))
        rows[1].query_one(".doc-size", Input).value = "200MB"  # over 100 MB
        form.query_one(UrlRow).query_one(Input).value = "ftp://acme.example"
        await pilot.pause()
        for field in form.query(Input):
            field.cursor_blink = False
        for area in form.query(TextArea):
            area.cursor_blink = False
        await pilot.press("ctrl+s")  # refused: the errors show
        await pilot.pause()

    return run


@SIZES
def test_knowledge_screen(snap_compare, frozen_sim, tmp_path, size):
    assert snap_compare(snapshot_app(frozen_sim, tmp_path), terminal_size=size,
                        run_before=knowledge_detail(frozen_sim))


@SIZES
def test_knowledge_form(snap_compare, frozen_sim, tmp_path, size):
    assert snap_compare(snapshot_app(frozen_sim, tmp_path), terminal_size=size,
                        run_before=knowledge_form(frozen_sim))
