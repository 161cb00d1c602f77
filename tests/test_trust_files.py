"""Issue 9 §4, files and config: exports, the saved config, what is read.

Exports are created exclusively in a known folder (no symlink followed, nothing
overwritten, safe names); one-off values (environment, ``--base-url``, ``--demo``)
never reach the config file; a save keeps the user's file (comments, other keys,
a symlink); only regular, bounded files are read.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import subprocess
import sys
import threading
import time
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from akool_tui.cli.main import _load, build_parser, main
from akool_tui.cli.starters import demo_placeholder as _demo_placeholder
from akool_tui.config import ConfigError, load_config, save_config
from akool_tui.core.export import (
    EXPORT_DIR_ENV,
    export_dir,
    export_stem,
    write_exports,
)
from akool_tui.demo import demo_config
from akool_tui.tui.app import AkoolApp
from akool_tui.tui.screens.chat import ChatScreen
from akool_tui.tui.themes import load_themes
from tui_helpers import Messages, wait_for

SIZE = (120, 34)
CREATE = "/api/open/v4/liveAvatar/session/create"
WHEN = datetime(2026, 3, 2, 9, 30, 15, tzinfo=UTC)
SAFE_NAME = re.compile(r"^akool-chat-[A-Za-z0-9_-]{1,32}-\d{8}-\d{6}(-\d+)?\.(md|jsonl)$")


def entries(marker: str = "hello", lines: int = 1) -> list[dict]:
    return [{"time": "2026-03-02T09:30:00+00:00", "role": "user", "text": f"{marker} {k}",
             "status": "", "note": "", "mid": f"m{k}"} for k in range(lines)]


def header(sid: str) -> dict[str, str]:
    return {"session": sid, "exported": WHEN.isoformat(), "lines": "1"}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


# -- 1. transcript export ----------------------------------------------------------------------


def test_a_planted_dangling_symlink_is_not_followed(tmp_path):
    exports, outside = tmp_path / "exports", tmp_path / "outside"
    exports.mkdir()
    outside.mkdir()
    stem = export_stem("se01", WHEN)
    for ext in ("md", "jsonl"):
        (exports / f"{stem}.{ext}").symlink_to(outside / f"victim.{ext}")
    paths = write_exports(entries(), exports, stem, header("se01"), [])
    assert list(outside.iterdir()) == []  # nothing was created through the links
    assert [p.name for p in paths] == [f"{stem}-2.md", f"{stem}-2.jsonl"]
    for ext in ("md", "jsonl"):
        assert (exports / f"{stem}.{ext}").is_symlink()
    assert "hello" in paths[0].read_text() and all(mode(p) == 0o600 for p in paths)


def test_an_existing_file_is_never_overwritten(tmp_path):
    stem = export_stem("se01", WHEN)
    (tmp_path / f"{stem}.md").write_text("my notes")
    (tmp_path / f"{stem}-2.jsonl").write_text("my data")  # only half of the next pair is free
    paths = write_exports(entries(), tmp_path, stem, header("se01"), [])
    assert (tmp_path / f"{stem}.md").read_text() == "my notes"
    assert (tmp_path / f"{stem}-2.jsonl").read_text() == "my data"
    assert not (tmp_path / f"{stem}.jsonl").exists() and not (tmp_path / f"{stem}-2.md").exists()
    assert [p.name for p in paths] == [f"{stem}-3.md", f"{stem}-3.jsonl"]


def test_sixteen_concurrent_exports_of_one_session_give_sixteen_pairs(tmp_path):
    stem = export_stem("se01", WHEN)
    start = threading.Barrier(16)
    results: dict[int, list[Path]] = {}

    def export(i: int) -> None:  # long transcripts: the old check-then-write lost 3-8 of 16
        start.wait()
        results[i] = write_exports(entries(f"marker-{i:02d}", 2000), tmp_path, stem,
                                   header("se01"), [])

    threads = [threading.Thread(target=export, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(results) == 16
    assert len({p for paths in results.values() for p in paths}) == 32
    assert len(list(tmp_path.iterdir())) == 32
    for i, (md, jsonl) in results.items():  # each export's files hold its own transcript
        assert f"marker-{i:02d} 1999" in md.read_text()
        assert f"marker-{i:02d} 1999" in jsonl.read_text()


@pytest.mark.parametrize("sid", [
    "../../etc/x", "a/b", "a\x00b", "\x1b]0;x\x07", "x" * 10_000, "", "..", "/",
    "\u202egnp.exe", "se01[/x]", "é" * 40,
])
def test_hostile_session_ids_give_safe_names_inside_the_export_dir(tmp_path, sid):
    exports = tmp_path / "exports"
    paths = write_exports(entries(), exports, export_stem(sid, WHEN), header(sid), [])
    assert sorted(p.name for p in exports.iterdir()) == sorted(p.name for p in paths)
    for path in paths:
        assert path.parent == exports and SAFE_NAME.match(path.name), path.name
    md = paths[0].read_text()
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", md)
    assert [p.name for p in tmp_path.iterdir()] == ["exports"]


def test_the_markdown_header_shows_control_characters_as_escapes(tmp_path):
    sid = "se\x1b]0;TITLE\x07\u202e01"
    md, jsonl = write_exports(entries(), tmp_path, export_stem(sid, WHEN), header(sid), [])
    # the escapes, Markdown-escaped in turn (issue 11): shown as se\x1b]0;TITLE\x07\u202e01
    assert "- session: se\\\\x1b\\]0;TITLE\\\\x07\\\\u202e01" in md.read_text()
    assert "hello" in jsonl.read_text()


def test_the_export_folder_is_the_xdg_one_by_default_and_the_configured_one_when_set(tmp_path):
    data = tmp_path / "data"
    assert export_dir("", {"XDG_DATA_HOME": str(data)}) == data / "akool-tui" / "exports"
    assert export_dir("", {}) == Path.home() / ".local/share/akool-tui/exports"
    assert export_dir("", {"XDG_DATA_HOME": "relative"}).is_relative_to(Path.home())
    chosen = tmp_path / "mine"
    assert export_dir(str(chosen), {"XDG_DATA_HOME": str(data)}) == chosen
    assert export_dir(str(chosen), {EXPORT_DIR_ENV: str(tmp_path / "env")}) == tmp_path / "env"
    conf = tmp_path / "config.toml"
    conf.write_text(f'[chat]\nexport_dir = "{chosen}"\n')
    assert load_config(conf, env={}).chat.export_dir == str(chosen)
    conf.write_text('[chat]\nexport_dir = "relative/dir"\n')
    with pytest.raises(ConfigError, match="chat.export_dir.*absolute folder"):
        load_config(conf, env={})
    target = data / "akool-tui" / "exports"
    write_exports(entries(), export_dir("", {"XDG_DATA_HOME": str(data)}), "s", header("s"), [])
    assert mode(target) == 0o700 and mode(target.parent) == 0o700
    assert sorted(p.name for p in target.iterdir()) == ["s.jsonl", "s.md"]


def create_session(sim) -> str:
    answer = httpx.post(sim.base_url + CREATE, headers={"x-api-key": sim.cfg.api_key}, json={
        "avatar_id": "dvp_Tristan_cloth2_1080P", "duration": 600,
        "stream_type": "websocket", "mode_type": 2}).json()
    return answer["data"]["_id"]


@pytest.mark.parametrize("where", ["xdg", "config"])
async def test_ctrl_s_exports_into_the_export_folder_past_planted_links_and_shows_the_path(
        simulator, tmp_path, monkeypatch, where):
    monkeypatch.delenv(EXPORT_DIR_ENV, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    cfg = demo_config(simulator)
    if where == "config":
        cfg.chat.export_dir = str(tmp_path / "chosen")
        exports = tmp_path / "chosen"
    else:
        exports = tmp_path / "data" / "akool-tui" / "exports"
    exports.mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    sid = create_session(simulator)
    stem = export_stem(sid, WHEN)
    (exports / f"{stem}.md").symlink_to(tmp_path / "outside" / "victim.md")
    app = AkoolApp(cfg, demo=True, watch_tty=False, clock=lambda: WHEN)
    messages = Messages()
    async with app.run_test(size=SIZE, message_hook=messages) as pilot:
        app.ctx.chat_session_id = sid
        await app.switch_mode("chat")
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await wait_for(pilot, lambda: screen.conversation.connected, "connected")
        for _ in range(3):
            await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len([n for n in messages.notes()
                                           if n.startswith("Saved ")]) == 3, "3 exports")
    assert list((tmp_path / "outside").iterdir()) == []
    names = sorted(p.name for p in exports.iterdir())
    assert names == sorted([f"{stem}.md"] + [f"{stem}-{n}.{ext}" for n in (2, 3, 4)
                                              for ext in ("md", "jsonl")])
    saved = [n for n in messages.notes() if n.startswith("Saved ")]
    assert f"Saved {exports / (stem + '-2.md')} and {exports / (stem + '-2.jsonl')}" in saved
    assert [p for p in tmp_path.iterdir() if p.name.startswith("akool-chat")] == []


# -- 2. what a save writes ------------------------------------------------------------------------

HAND_WRITTEN = """\
# my AKool settings -- keep this comment
base_url = "https://openapi.akool.com"   # production
refresh_interval = 7.5

[ui]
theme = "akool-dark"   # dark for the night shift

[defaults]
# two minutes is plenty
duration = 120
"""
ENV = {"AKOOL_API_KEY": "env-key-7777777777", "AKOOL_CLIENT_ID": "env-client-66666",
       "AKOOL_CLIENT_SECRET": "env-secret-5555555", "AKOOL_BASE_URL": "http://127.0.0.1:1"}
FLAG_URL = "http://127.0.0.1:2"


def load_like_the_cli(conf: Path, *extra: str):
    args = build_parser().parse_args(["--config", str(conf), *extra])
    with contextlib.ExitStack() as stack:
        return _load(args, stack)


def assert_hand_written_kept(text: str) -> None:
    for line in ("# my AKool settings -- keep this comment",
                 'base_url = "https://openapi.akool.com"   # production',
                 "# two minutes is plenty", "refresh_interval = 7.5"):
        assert line in text


def test_flags_and_environment_are_never_saved(tmp_path, monkeypatch):
    conf = tmp_path / "config.toml"
    conf.write_text(HAND_WRITTEN)
    for var, value in ENV.items():
        monkeypatch.setenv(var, value)
    cfg = load_like_the_cli(conf, "--base-url", FLAG_URL)
    assert cfg.base_url == FLAG_URL and cfg.source_of("base_url") == "flag"
    assert cfg.api_key == ENV["AKOOL_API_KEY"] and cfg.source_of("api_key") == "env"
    cfg.ui.theme = "akool-light"
    cfg.defaults.duration = 300
    save_config(cfg)
    text = conf.read_text()
    assert FLAG_URL not in text and not any(value in text for value in ENV.values())
    assert 'theme = "akool-light"   # dark for the night shift' in text
    assert "duration = 300" in text
    assert_hand_written_kept(text)
    again = load_config(conf, env={})
    assert again.base_url == "https://openapi.akool.com" and not again.has_credentials


def test_demo_values_are_never_saved(simulator, tmp_path):
    conf = tmp_path / "config.toml"
    conf.write_text(HAND_WRITTEN)
    base = load_config(conf, env={})
    for cfg in (demo_config(simulator, base=base), _demo_placeholder(base)):
        cfg.ui.theme = "akool-high-contrast"
        save_config(cfg, conf)
        text = conf.read_text()
        assert simulator.base_url not in text and "127.0.0.1" not in text
        assert "api_key" not in text and simulator.cfg.api_key not in text
        assert 'theme = "akool-high-contrast"' in text
        assert_hand_written_kept(text)
    assert base.base_url == "https://openapi.akool.com" and base.api_key == ""


async def test_a_theme_change_and_a_settings_save_in_the_app_write_no_one_off_value(
        simulator, tmp_path, monkeypatch):
    conf = tmp_path / "config.toml"
    conf.write_text(HAND_WRITTEN)
    monkeypatch.setenv("AKOOL_API_KEY", simulator.cfg.api_key)
    monkeypatch.setenv("AKOOL_CLIENT_ID", "env-client-66666")
    cfg = load_like_the_cli(conf, "--base-url", simulator.base_url)
    cfg.client_id = ""  # (the simulator takes the key; an id without a secret is not used)
    app = AkoolApp(cfg, watch_tty=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"theme", "enter")
        await pilot.pause()
        await pilot.press(*"akool-light", "enter")
        await wait_for(pilot, lambda: 'theme = "akool-light"' in conf.read_text(), "theme saved")
        await app.switch_mode("settings")
        screen = app.screen
        await wait_for(pilot, lambda: screen._voices, "voices loaded")
        screen.query_one("#speed").value = "0.9"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "speed = 0.9" in conf.read_text(), "settings saved")
    text = conf.read_text()
    assert simulator.base_url not in text and simulator.cfg.api_key not in text
    assert "env-client" not in text and "client_id" not in text and "api_key" not in text
    assert_hand_written_kept(text)
    assert 'theme = "akool-light"   # dark for the night shift' in text


def test_a_symlinked_config_stays_a_symlink_and_its_target_is_updated(tmp_path):
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    real = dotfiles / "akool.toml"
    real.write_text(HAND_WRITTEN)
    confdir = tmp_path / "config"
    confdir.mkdir()
    conf = confdir / "config.toml"
    conf.symlink_to(Path("..") / "dotfiles" / "akool.toml")
    cfg = load_config(conf, env={})
    cfg.ui.theme = "akool-light"
    assert save_config(cfg) == conf
    assert conf.is_symlink() and os.readlink(conf) == str(Path("..") / "dotfiles" / "akool.toml")
    assert 'theme = "akool-light"' in real.read_text() and mode(real) == 0o600
    assert_hand_written_kept(real.read_text())
    assert [p.name for p in dotfiles.iterdir()] == ["akool.toml"]  # no temp file left
    assert [p.name for p in confdir.iterdir()] == ["config.toml"]


def test_a_symlink_loop_is_refused_and_nothing_is_written(tmp_path):
    conf = tmp_path / "config.toml"
    conf.symlink_to(tmp_path / "other.toml")
    (tmp_path / "other.toml").symlink_to(conf)
    cfg = load_config(tmp_path / "absent.toml", env={})
    cfg.ui.theme = "akool-light"
    with pytest.raises(ConfigError, match="symlink"):
        save_config(cfg, conf)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml", "other.toml"]


def test_comments_unknown_keys_and_hand_edits_survive_a_save(tmp_path):
    conf = tmp_path / "config.toml"
    conf.write_text(HAND_WRITTEN)
    cfg = load_config(conf, env={})
    # meanwhile the user edits the file: a key from a newer version, another value
    with conf.open("a") as f:
        f.write('future_option = "kept"   # newer akool-tui\n[keymap]\n"app.help" = "f1"\n')
    cfg.ui.theme = "akool-light"
    save_config(cfg)
    text = conf.read_text()
    assert 'future_option = "kept"   # newer akool-tui' in text and '"app.help" = "f1"' in text
    assert_hand_written_kept(text)
    assert text.index("[ui]") < text.index("[defaults]") < text.index("[keymap]")
    assert tomllib.loads(text)["ui"]["theme"] == "akool-light"


@pytest.mark.parametrize("line, key, value", [("read_only = true", "read_only", True),
                                                ("history_days = 10", "history_days", 10),
                                                ("history_max_mb = 50", "history_max_mb", 50)])
def test_a_key_added_by_hand_while_the_app_runs_survives_every_later_save(tmp_path, line,
                                                                         key, value):
    conf = tmp_path / "config.toml"
    conf.write_text('api_key = "demo"\n')
    cfg = load_config(conf, env={})
    with conf.open("a") as f:
        f.write(f"{line}  # set by hand while the console runs\n")
    for speed in (0.85, 0.9, 0.95):  # the second save used to write this run's default over it
        cfg.defaults.speed = speed
        save_config(cfg)
        saved = tomllib.loads(conf.read_text())
        assert saved[key] == value and saved["defaults"]["speed"] == speed
    assert f"{line}  # set by hand while the console runs" in conf.read_text()


@pytest.mark.parametrize("mode", [0o666, 0o664, 0o646])
def test_a_config_other_users_can_change_is_refused_and_nothing_is_sent(tmp_path, capsys, mode):
    conf = tmp_path / "config.toml"
    conf.write_text('base_url = "https://evil.example"\n')
    conf.chmod(mode)
    assert main(["--config", str(conf), "credit"]) == 2
    err = capsys.readouterr().err
    assert "other users can change this file" in err and f"chmod 600 {conf}" in err


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file away takes root")
def test_a_config_another_user_owns_is_refused(tmp_path, capsys):
    """Only the write bits were checked: a file another user owns (who can chmod it back
    and forth) was used without a word (tester 8, F7)."""
    conf = tmp_path / "config.toml"
    conf.write_text('base_url = "https://evil.example"\n')
    conf.chmod(0o644)
    os.chown(conf, 65534, -1)
    assert main(["--config", str(conf), "credit"]) == 2
    assert "this file belongs to another user (uid 65534)" in capsys.readouterr().err


def test_a_config_in_a_folder_others_can_write_is_refused_unless_sticky(
        tmp_path, simulator, capsys):
    """In a folder others can write, anyone can rename another file over config.toml."""
    folder = tmp_path / "shared"
    folder.mkdir()
    conf = folder / "config.toml"
    conf.write_text(f'base_url = "{simulator.base_url}"\napi_key = "demo"\n')
    conf.chmod(0o600)
    folder.chmod(0o777)
    assert main(["--config", str(conf), "credit"]) == 2
    err = capsys.readouterr().err
    assert f"other users can write to the folder {folder}" in err
    assert f"chmod go-w {folder}" in err
    folder.chmod(0o1777)  # sticky, as /tmp: only a file's owner may rename it
    assert main(["--config", str(conf), "credit"]) == 0


def test_a_config_holding_a_key_others_can_read_warns_and_is_used(tmp_path, simulator, capsys):
    conf = tmp_path / "config.toml"
    conf.write_text(f'base_url = "{simulator.base_url}"\napi_key = "demo"\n')
    conf.chmod(0o644)
    assert main(["--config", str(conf), "credit"]) == 0
    out, err = capsys.readouterr()
    assert "credits" in out
    assert err == (f"akool-tui: warning: {conf} holds secrets and other users can read it: "
                   f"chmod 600 {conf}\n")
    conf.chmod(0o600)
    assert main(["--config", str(conf), "credit"]) == 0
    assert capsys.readouterr().err == ""


def test_a_cleared_credential_is_removed_and_nothing_else(tmp_path):
    conf = tmp_path / "config.toml"
    conf.write_text('# mine\napi_key = "file-key-0000000"  # old\n[ui]\ntheme = "akool-dark"\n')
    cfg = load_config(conf, env={})
    cfg.api_key, cfg.client_id, cfg.client_secret = "", "cid", "csecret-1234"
    save_config(cfg)
    assert tomllib.loads(conf.read_text()) == {
        "client_id": "cid", "client_secret": "csecret-1234", "ui": {"theme": "akool-dark"}}
    assert conf.read_text().startswith("# mine\n")


# -- 3. what is read ---------------------------------------------------------------------------------

LIMIT_MEMORY = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
from akool_tui.cli import main
sys.exit(main(sys.argv[1:]))
"""


def run_cli(*argv: str, env: dict[str, str] | None = None) -> tuple[int, str, float]:
    """The CLI in a child process (1 GiB address space, 30 s): exit code, stderr, seconds."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", LIMIT_MEMORY, *argv], capture_output=True,
                          text=True, timeout=30, stdin=subprocess.DEVNULL,
                          env={**os.environ, **(env or {})})
    return done.returncode, done.stderr, time.monotonic() - started


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "link-to-dev-zero"])
def test_a_fifo_or_a_device_as_the_config_is_refused_at_once(tmp_path, kind):
    conf = tmp_path / "config.toml"
    if kind == "fifo":
        os.mkfifo(conf)
    elif kind == "dev-zero":
        conf = Path("/dev/zero")
    else:
        conf.symlink_to("/dev/zero")
    for argv, env in ((["--config", str(conf), "config", "show"], None),
                      (["config", "show"], {"AKOOL_TUI_CONFIG": str(conf)})):
        code, err, seconds = run_cli(*argv, env=env)
        assert code == 2, err
        expected = "FIFO" if kind == "fifo" else "character device"
        assert f"{conf}: is a {expected}" in err and "not a regular file" in err
        assert "Traceback" not in err and seconds < 15


def test_an_oversized_config_is_refused(tmp_path):
    conf = tmp_path / "config.toml"
    conf.write_text("# padding\n" * 200_000)  # 2 MB of comments
    with pytest.raises(ConfigError, match=r"too large \(2000000 bytes; at most 1 MiB"):
        load_config(conf, env={})


def test_a_missing_config_named_with_dash_dash_config_is_an_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert main(["--config", str(tmp_path / "typo.toml"), "config", "show"]) == 2
    err = capsys.readouterr().err
    assert err == f"akool-tui: {tmp_path / 'typo.toml'}: no such config file\n"
    assert main(["config", "path"]) == 0  # the default path may be missing
    assert capsys.readouterr().out.strip() == str(tmp_path / "xdg" / "akool-tui" / "config.toml")


def test_saving_over_a_fifo_is_refused_without_waiting(tmp_path):
    conf = tmp_path / "config.toml"
    cfg = load_config(conf, env={})
    os.mkfifo(conf)
    outcome: list[BaseException | None] = []

    def save() -> None:
        try:
            save_config(cfg)
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=save, daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "the save waited on the FIFO"
    assert isinstance(outcome[0], ConfigError) and "FIFO" in str(outcome[0])
    assert stat.S_ISFIFO(conf.lstat().st_mode)


def test_theme_files_must_be_small_regular_files(tmp_path):
    themes = tmp_path / "themes"
    themes.mkdir()
    os.mkfifo(themes / "pipe.toml")
    (themes / "zero.toml").symlink_to("/dev/zero")
    (themes / "huge.toml").write_text('name = "huge"\nprimary = "#FF8800"\n' + "# x\n" * 100_000)
    (themes / "good.toml").write_text('name = "good"\nprimary = "#FF8800"\n')
    result: list = []
    worker = threading.Thread(target=lambda: result.append(load_themes([themes])), daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "reading the themes waited on a FIFO or a device"
    found, problems = result[0]
    assert [t.name for t in found] == ["good"]
    messages = {p.path.name: p.message for p in problems}
    assert messages["pipe.toml"] == "is a FIFO (named pipe), not a regular file"
    assert messages["zero.toml"] == "is a character device, not a regular file"
    assert messages["huge.toml"].startswith("is too large")
