"""The README's key table, made from the bindings themselves (so the two cannot drift).

    python -m akool_tui.tui.keydoc          # print the table
    python -m akool_tui.tui.keydoc --write  # rewrite it in README.md

A test compares the README with :func:`key_table`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from textual.binding import Binding

START, END = "<!-- keys:start -->", "<!-- keys:end -->"


def _where() -> list[tuple[str, type]]:
    from .app import AkoolApp
    from .screens.avatars import AvatarsScreen
    from .screens.base import MainScreen, TableScreen
    from .screens.chat import ChatScreen
    from .screens.history import HistoryScreen
    from .screens.history_view import ConversationScreen
    from .screens.knowledge import KnowledgeScreen
    from .screens.knowledge_form import KnowledgeForm
    from .screens.pulse import PulseScreen
    from .screens.sessions import SessionsScreen
    from .screens.settings import SettingsScreen
    from .widgets.live_table import LiveTable

    return [("everywhere", AkoolApp), ("tables", MainScreen), ("tables", TableScreen),
            ("tables", LiveTable),
            ("sessions", SessionsScreen), ("avatars", AvatarsScreen), ("chat", ChatScreen),
            ("settings", SettingsScreen), ("knowledge", KnowledgeScreen),
            ("knowledge form", KnowledgeForm), ("history", HistoryScreen),
            ("history", ConversationScreen), ("pulse", PulseScreen)]


def _own_bindings(cls: type) -> Iterable[Binding]:
    for item in cls.__dict__.get("BINDINGS", []):
        if isinstance(item, Binding):
            yield item


def _keys(binding: Binding) -> str:
    names = {"question_mark": "?", "slash": "/", "escape": "esc", "space": "space",
             "left_square_bracket": "[", "right_square_bracket": "]"}
    return ", ".join(f"`{names.get(k.strip(), k.strip())}`" for k in binding.key.split(","))


def key_table() -> str:
    """Markdown: where, key, binding id, what (the binding's tooltip)."""
    lines = ["| where | key | binding id | what |", "|---|---|---|---|"]
    for where, cls in _where():
        for binding in _own_bindings(cls):
            if not binding.id or (where == "tables" and cls.__name__ == "LiveTable"
                                  and binding.id.split(".")[1].startswith(("cursor", "page",
                                                                           "scroll", "home",
                                                                           "end"))):
                continue  # cursor movement: the usual keys, rebindable but not listed
            what = (binding.tooltip or binding.description).replace("|", "\\|")
            lines.append(f"| {where} | {_keys(binding)} | `{binding.id}` | {what} |")
    lines.append("| everywhere | `ctrl+p` | | command palette: themes, screens, every action "
                 "of this screen |")
    return "\n".join(lines)


#: the modules whose classes hold every binding of the console
_MODULES = ("app", "screens.action_picker", "screens.avatars", "screens.base", "screens.chat",
            "screens.common", "screens.describe", "screens.events", "screens.first_run",
            "screens.help", "screens.history", "screens.history_view", "screens.knowledge",
            "screens.knowledge_form", "screens.new_session", "screens.pulse",
            "screens.sessions", "screens.settings", "screens.upload", "widgets.live_table",
            "commands")


def binding_ids() -> set[str]:
    """Every binding id of the console (what ``[keymap]`` may rebind)."""
    import importlib
    import inspect

    ids: set[str] = set()
    for name in _MODULES:
        module = importlib.import_module(f"{__package__}.{name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__.startswith("akool_tui."):
                ids.update(b.id for b in _own_bindings(cls) if b.id)
    return ids


def check_keymap(keymap: dict[str, str]) -> str | None:
    """Why ``[keymap]`` is wrong (an unknown binding id, with the closest known ones),
    or None."""
    import difflib

    known = binding_ids()
    for key in keymap:
        if key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=3, cutoff=0.5)
            hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else \
                "; `?` in the console lists every binding id"
            return f"[keymap]: unknown binding id {key!r}{hint}"
    for binding_id, keys in keymap.items():
        for key in (k.strip() for k in keys.split(",")):
            if not _known_key(key):
                return (f"[keymap]: {binding_id!r} = {keys!r}: {key!r} is no key this "
                        "terminal console knows (keys look like \"ctrl+r\", \"f5\", "
                        "\"question_mark\")")
    return None


def _same_key(key: str) -> str:
    """One spelling of a key: ``question_mark`` and ``?`` are the same key."""
    from textual.keys import key_to_character

    key = key.strip()
    return (key_to_character(key) or key) if len(key) > 1 else key


def keymap_shadows(keymap: dict[str, str]) -> list[str]:
    """What a ``[keymap]`` rebinding hides: a screen's key wins over an app-wide one on
    that screen, so ``"sessions.new" = "q"`` leaves no way to quit from the sessions
    screen by key. One plain sentence per key taken (the console warns at start)."""
    from .app import AkoolApp

    app_wide: dict[str, Binding] = {}
    for binding in _own_bindings(AkoolApp):
        for key in keymap.get(binding.id or "", binding.key).split(","):
            app_wide.setdefault(_same_key(key), binding)
    found = []
    for binding_id, keys in keymap.items():
        if binding_id.startswith("app."):
            continue
        for key in keys.split(","):
            taken = app_wide.get(_same_key(key))
            if taken is not None:
                what = (taken.tooltip or taken.description).rstrip(".")
                where = binding_id.split(".", 1)[0].replace("_", " ")
                found.append(f"[keymap]: {binding_id} = {key.strip()!r} takes that key from "
                             f"{taken.id} ({what}) wherever {where} keys apply")
    return found


def _known_key(key: str) -> bool:
    """A key Textual names: one character or a key's name (``f5``, ``pageup``, and the
    characters' names, ``question_mark``), after modifiers (the config's check)."""
    from textual.keys import KEY_ALIASES, Keys, key_to_character

    base = key.rsplit("+", 1)[-1] if len(key) > 1 else key
    names = {k.value.rsplit("+", 1)[-1] for k in Keys} | set(KEY_ALIASES)
    return len(base) == 1 or base in names or key_to_character(base) is not None


def rewrite(readme: Path) -> bool:
    """Put the table between the markers; returns whether the file changed."""
    text = readme.read_text(encoding="utf-8")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    new = f"{head}{START}\n{key_table()}\n{END}{tail}"
    if new != text:
        readme.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    if "--write" in sys.argv:
        rewrite(Path(__file__).resolve().parents[2] / "README.md")
    else:
        print(key_table())
