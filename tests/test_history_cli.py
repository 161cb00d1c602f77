"""``akool-tui history list | search | show | export``, against databases recorded by
the real store (no API, no simulator)."""

from __future__ import annotations

import json
import os
import time

import pytest

from akool_tui.cli.main import main
from akool_tui.core.history import ConversationHandle, HistoryStore, Item, history_path

HOSTILE = "\x1b]0;pwned\x07\x1b[2Jred\u202e [b]x[/b]"


@pytest.fixture(autouse=True)
def no_user_config(monkeypatch, tmp_path):
    for var in ("AKOOL_API_KEY", "AKOOL_CLIENT_ID", "AKOOL_CLIENT_SECRET", "AKOOL_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AKOOL_TUI_CONFIG", str(tmp_path / "config.toml"))


@pytest.fixture
def cli(capsys):
    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def record(demo: bool = False) -> None:
    store = HistoryStore(history_path(demo=demo))
    now = time.time()
    older = ConversationHandle("65f0aaaa00000000000000a1", "avatar-anna", "websocket", now - 7200)
    store.put(Item(older, "out:1", now - 7199, "sent", "tell me about giraffes"))
    store.put(Item(older, "in:1", now - 7198, "reply", "Giraffes are tall.",
                   first_part_ms=110.0, audio_ms=240.0, fin_ms=900.0))
    newer = ConversationHandle("65f0bbbb00000000000000b2", "avatar-ben", "livekit", now - 60)
    store.put(Item(newer, "out:1", now - 59, "sent", "hello"))
    store.put(Item(newer, "in:1", now - 58, "reply", HOSTILE, "incomplete", interrupted=True))
    store.sessions_seen([], now)
    store.closed_by_app(["65f0bbbb00000000000000b2"], now - 1)
    if demo:
        demo_conv = ConversationHandle("demo-session", "demo-avatar", "websocket", now)
        store.put(Item(demo_conv, "out:1", now, "sent", "only in the demo"))
    assert store.flush()
    store.close()


def test_list_and_json_newest_first(cli):
    record()
    code, out, err = cli("history", "list")
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0].split() == ["ID", "STARTED", "SESSION", "AVATAR", "LINES", "REPLIES",
                                "DURATION"]
    assert "000000b2" in lines[1] and "avatar-ben" in lines[1]  # short ids, newest first
    assert "000000a1" in lines[2] and "avatar-anna" in lines[2]
    code, out, _ = cli("history", "list", "--json")
    rows = json.loads(out)
    assert [r["session_id"] for r in rows] == ["65f0bbbb00000000000000b2",
                                               "65f0aaaa00000000000000a1"]
    assert rows[1]["lines"] == 1 and rows[1]["replies"] == 1 and rows[1]["duration_s"] > 0


def test_search_and_filters(cli):
    record()
    code, out, _ = cli("history", "search", "giraffe", "--json")
    assert code == 0 and [r["avatar_id"] for r in json.loads(out)] == ["avatar-anna"]
    code, out, _ = cli("history", "search", "nothing-like-this")
    assert code == 0 and out.strip() == "No conversations recorded match."
    _, out, _ = cli("history", "list", "--session", "000000b2", "--json")
    assert [r["avatar_id"] for r in json.loads(out)] == ["avatar-ben"]
    _, out, _ = cli("history", "list", "--avatar", "anna", "--json")
    assert [r["avatar_id"] for r in json.loads(out)] == ["avatar-anna"]
    _, out, _ = cli("history", "list", "--since", "today", "--until", "today", "--json")
    assert len(json.loads(out)) in (1, 2)  # (the older one may be yesterday near midnight)
    _, out, _ = cli("history", "list", "--until", "2000-01-01", "--json")
    assert json.loads(out) == []
    code, _, err = cli("history", "list", "--since", "last tuesday")
    assert code == 2 and "invalid date" in err


def test_show_with_timings_lifecycle_and_hostile_text_made_safe(cli):
    record()
    code, out, err = cli("history", "show", "1")
    assert code == 0, err
    assert "tell me about giraffes" in out
    assert "1st part 110 ms · audio 240 ms · fin 900 ms" in out
    code, out, err = cli("history", "show", "2")
    assert code == 0, err
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "[interrupted]" in out and "[incomplete]" in out
    assert "session closed by this app" in out
    code, out, _ = cli("history", "show", "2", "--json")
    data = json.loads(out)
    assert data["items"][1]["text"] == HOSTILE  # the exact data, JSON-escaped
    assert data["items"][1]["interrupted"] is True
    assert [e["event"] for e in data["session_events"]] == ["closed by this app"]


def test_export_markdown_and_jsonl_to_stdout_and_to_a_new_file_only(cli, tmp_path):
    record()
    code, out, _ = cli("history", "export", "1")
    assert code == 0 and out.startswith("# akool-tui chat transcript")
    assert "tell me about giraffes" in out and "fin 900 ms" in out
    code, out, _ = cli("history", "export", "2", "--format", "jsonl")
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["role"] for r in records] == ["user", "bot"]
    assert records[1]["interrupted"] is True and records[1]["status"] == "incomplete"
    target = tmp_path / "out.md"
    code, _, err = cli("history", "export", "1", "-o", str(target))
    assert code == 0 and "wrote" in err
    assert os.stat(target).st_mode & 0o777 == 0o600
    assert "giraffes" in target.read_text()
    before = target.read_text()
    code, _, err = cli("history", "export", "2", "-o", str(target))
    assert code == 2 and "already exists" in err and target.read_text() == before
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    link = tmp_path / "link.md"
    link.symlink_to(victim)
    code, _, err = cli("history", "export", "1", "-o", str(link))
    assert code == 2 and victim.read_text() == "keep me"


def test_demo_reads_its_own_database_without_starting_a_simulator(cli, monkeypatch):
    record()
    record(demo=True)
    import akool_tui.demo as demo

    monkeypatch.setattr(demo, "start_demo", lambda *a, **k: pytest.fail("simulator started"))
    code, out, _ = cli("history", "search", "only in the demo", "--demo", "--json")
    assert code == 0 and [r["session_id"] for r in json.loads(out)] == ["demo-session"]
    _, out, _ = cli("history", "search", "only in the demo", "--json")
    assert json.loads(out) == []


def test_empty_history_and_bad_ids(cli):
    code, out, _ = cli("history", "list")
    assert code == 0 and out.strip() == "No conversations recorded."
    code, _, err = cli("history", "show", "1")
    assert code == 1 and "no history recorded yet" in err
    record()
    code, _, err = cli("history", "show", "99")
    assert code == 1 and "no conversation 99" in err
    code, _, err = cli("history", "export", "x")
    assert code == 2 and "invalid conversation ID" in err


def test_export_into_a_missing_folder_names_the_file(cli, tmp_path):
    record()
    target = tmp_path / "no-such-folder" / "out.md"
    code, _, err = cli("history", "export", "1", "-o", str(target))
    assert code == 2 and str(target) in err and "No such file or directory" in err, err
