"""User and bundled theme files (``themes/*.toml``) turned into Textual themes.

A theme file looks like::

    name = "akool-dark"
    dark = true
    primary = "#7C5CFF"
    # secondary, accent, warning, error, success, foreground, background,
    # surface, panel, boost are optional
    [variables]
    status-live = "#3FB950"

A broken file is reported (once, by the caller) and skipped; it never crashes the app.
Only regular files of at most 256 KiB are read (a FIFO or a device named
``*.toml`` is reported, never waited on).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from textual.color import Color, ColorParseError
from textual.theme import Theme

from ..core.files import UnsafeFile, read_regular

COLOR_KEYS = (
    "primary", "secondary", "accent", "warning", "error", "success",
    "foreground", "background", "surface", "panel", "boost",
)
ALLOWED_KEYS = {"name", "dark", "luminosity_spread", "text_alpha", "variables", *COLOR_KEYS}
#: a theme file larger than this is refused (they are under 1 KiB)
MAX_THEME_BYTES = 256 * 1024

#: Theme variables our TCSS uses beyond Textual's own, with the standard variable
#: each falls back to when a theme (e.g. a built-in one) does not set it.
APP_VARIABLES = {
    "status-queueing": "warning",
    "status-live": "success",
    "status-closed": "foreground-muted",
    "status-failed": "error",
}


def with_app_variables(variables: dict[str, str]) -> dict[str, str]:
    """Fill in our variables from the theme's standard colours where missing."""
    out = dict(variables)
    for name, fallback in APP_VARIABLES.items():
        out.setdefault(name, variables.get(fallback, variables.get("foreground", "white")))
    return out


@dataclass(frozen=True)
class ThemeProblem:
    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def bundled_theme_dir() -> Path:
    """``themes/`` at the repository root (editable install) or inside the package."""
    here = Path(__file__).resolve().parent.parent  # akool_tui/
    for candidate in (here / "themes", here.parent / "themes"):
        if candidate.is_dir():
            return candidate
    return here / "themes"


def user_theme_dir(env: os._Environ | dict = os.environ) -> Path:
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "akool-tui" / "themes"


def parse_theme(path: Path) -> Theme:
    """Read one theme file; raise ValueError with a clear message when it is bad."""
    try:
        data = tomllib.loads(read_regular(path, limit=MAX_THEME_BYTES).decode("utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"not valid TOML ({error})") from None
    except UnsafeFile as error:
        raise ValueError(str(error)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"cannot be read ({error.__class__.__name__})") from None
    unknown = sorted(set(data) - ALLOWED_KEYS)
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r}")
    name = data.get("name", path.stem)
    if not isinstance(name, str) or not name.strip():
        raise ValueError("'name' must be a non-empty string")
    if "primary" not in data:
        raise ValueError("'primary' colour is required")
    colors: dict[str, str] = {}
    for key in COLOR_KEYS:
        if key in data:
            value = data[key]
            if not isinstance(value, str):
                raise ValueError(f"{key!r} must be a colour string")
            try:
                Color.parse(value)
            except ColorParseError:
                raise ValueError(f"{key!r} is not a colour: {value!r}") from None
            colors[key] = value
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise ValueError("'dark' must be true or false")
    variables = data.get("variables", {})
    if not isinstance(variables, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in variables.items()
    ):
        raise ValueError("[variables] must map names to strings")
    return Theme(name=name.strip(), dark=dark, variables=variables, **colors)


def load_themes(dirs: Iterable[Path]) -> tuple[list[Theme], list[ThemeProblem]]:
    """Every ``*.toml`` in ``dirs`` (later dirs override earlier names)."""
    themes: dict[str, Theme] = {}
    problems: list[ThemeProblem] = []
    for directory in dirs:
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.toml")):
            try:
                theme = parse_theme(path)
            except ValueError as error:
                problems.append(ThemeProblem(path, str(error)))
            else:
                themes[theme.name] = theme
    return list(themes.values()), problems
