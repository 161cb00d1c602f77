"""Issue 9 §4, files and config: the saved config, what is read.

One-off values (environment, ``--base-url``, ``--demo``)
never reach the config file; a save keeps the user's file (comments, other keys,
a symlink); only regular, bounded files are read.
"""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
import sys
import threading
import time
import tomllib
from pathlib import Path

import pytest

from akool_tui.cli import _demo_placeholder, _load, build_parser, main
from akool_tui.config import ConfigError, load_config, save_config
from akool_tui.demo import demo_config
from akool_tui.tui.app import AkoolApp
from akool_tui.tui.themes import load_themes
from tui_helpers import wait_for

SIZE = (120, 34)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


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
