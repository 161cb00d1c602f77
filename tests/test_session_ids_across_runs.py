"""A session id means one session: the simulator gives the sessions it creates ids of
their own in every run, and the history attaches to a conversation only the lifecycle
events of that conversation's time (not another run's of the same id)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import httpx
import pytest

from akool_tui.api.models import Session, SessionStatus
from akool_tui.cli.main import main
from akool_tui.core.history import ConversationHandle, HistoryStore, Item, history_path

CREATE, LIST = "/api/open/v4/liveAvatar/session/create", "/api/open/v4/liveAvatar/session/list"


@pytest.fixture(autouse=True)
def no_user_config(monkeypatch, tmp_path):
    for var in ("AKOOL_API_KEY", "AKOOL_CLIENT_ID", "AKOOL_CLIENT_SECRET", "AKOOL_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AKOOL_TUI_CONFIG", str(tmp_path / "config.toml"))


def created_and_seeded(sim) -> tuple[str, list[str]]:
    headers = {"x-api-key": sim.cfg.api_key}
    with httpx.Client(base_url=sim.base_url, headers=headers, timeout=10) as api:
        answer = api.post(CREATE, json={"avatar_id": "dvp_Tristan_cloth2_1080P",
                                        "duration": 60, "stream_type": "websocket"}).json()
        assert answer["code"] == 1000, answer
        listed = api.get(LIST, params={"page": 1, "size": 100}).json()["data"]["result"]
    seeded = sorted(s["_id"] for s in listed if s["_id"] != answer["data"]["_id"])
    return answer["data"]["_id"], seeded


def test_two_runs_of_the_same_seed_create_different_session_ids(simulator_factory):
    one, seeded_one = created_and_seeded(simulator_factory(seed=7, churn=False, sessions=20))
    two, seeded_two = created_and_seeded(simulator_factory(seed=7, churn=False, sessions=20))
    assert one != two  # each run's new session is a new id
    assert seeded_one == seeded_two and len(seeded_one) == 20  # the seeded data stays


def live(sid: str, status: SessionStatus) -> Session:
    return Session(sid, status, "websocket", "av1", 600, datetime.now(UTC))


def test_history_show_leaves_out_another_runs_lifecycle_of_the_same_id(capsys):
    sid = "50ede9d8c4bf3012539d61cf"
    now = time.time()
    # an earlier run: the id was seen live, chatted with, then closed
    store = HistoryStore(history_path(demo=True))
    earlier = ConversationHandle(sid, "av1", "websocket", now - 600)
    store.put(Item(earlier, "out:1", now - 599, "sent", "hello from the first run"))
    store.sessions_seen([live(sid, SessionStatus.PROCESSING)], now - 605)
    store.sessions_seen([live(sid, SessionStatus.COMPLETED)], now - 500)
    assert store.flush()
    store.close()
    # this run: the same id (a simulator of before), live again, a new conversation
    store = HistoryStore(history_path(demo=True))
    later = ConversationHandle(sid, "av1", "websocket", now - 60)
    store.put(Item(later, "out:1", now - 59, "sent", "hello from the second run"))
    store.sessions_seen([live(sid, SessionStatus.QUEUEING)], now - 58)
    assert store.flush()
    store.close()

    assert main(["--demo", "history", "show", "2", "--json"]) == 0
    events = [e["event"] for e in json.loads(capsys.readouterr().out)["session_events"]]
    assert "closed" not in events  # the first run's end is not this conversation's
    assert main(["--demo", "history", "show", "1", "--json"]) == 0
    events = [e["event"] for e in json.loads(capsys.readouterr().out)["session_events"]]
    assert events == ["closed"]  # its own end; not the second run's events after it
