"""The chat's set-action picker: a gesture, a facial expression, or both.

Two lists side by side (tab moves between them); the highlighted line of each is the
choice ("none" leaves it out); enter sends, esc cancels. The screen is dismissed with
``(action, expression)`` (``""`` for none) or ``None``.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from ...stream.codec import ACTIONS, EXPRESSIONS

NONE = "none"


def humane(name: str) -> str:
    """``"thumbs_up"`` -> ``"thumbs up"``."""
    return name.replace("_", " ")


class ActionPicker(ModalScreen[tuple[str, str] | None]):
    """Pick a gesture and / or an expression for the avatar (set-action)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="action.cancel",
                tooltip="Close the picker, send nothing"),
        Binding("enter", "send", "Send", id="action.send", priority=True,
                tooltip="Send the highlighted gesture and expression"),
    ]
    DEFAULT_CSS = """
    ActionPicker #action-box { height: auto; max-height: 100%; }
    ActionPicker #action-lists { height: auto; }
    ActionPicker .action-column { width: 1fr; height: auto; }
    ActionPicker OptionList { height: auto; max-height: 11; border: tall $panel;
                              padding: 0; background: $surface; margin-right: 1; }
    ActionPicker OptionList:focus { border: tall $primary; }
    ActionPicker #action-problem { color: $error; height: auto; }
    """

    def __init__(self, action: str = "", expression: str = "") -> None:
        super().__init__()
        self._initial = (action, expression)

    def compose(self) -> ComposeResult:
        with Vertical(id="action-box", classes="dialog"):
            yield Static("Avatar action (set-action)", classes="title")
            with Horizontal(id="action-lists"):
                with Vertical(classes="action-column"):
                    yield Label("Gesture")
                    yield OptionList(Option(NONE, id=NONE),
                                     *(Option(humane(a), id=a) for a in ACTIONS),
                                     id="action-gesture")
                with Vertical(classes="action-column"):
                    yield Label("Expression")
                    yield OptionList(Option(NONE, id=NONE),
                                     *(Option(humane(e), id=e) for e in EXPRESSIONS),
                                     id="action-expression")
            yield Static("", id="action-problem", markup=False)
            yield Static("tab switches list · enter sends · esc cancels", classes="hint",
                         markup=False)

    def on_mount(self) -> None:
        action, expression = self._initial
        for list_id, value, names in (("#action-gesture", action, ACTIONS),
                                      ("#action-expression", expression, EXPRESSIONS)):
            self.query_one(list_id, OptionList).highlighted = (
                names.index(value) + 1 if value in names else 0)
        self.query_one("#action-gesture", OptionList).focus()

    def choice(self) -> tuple[str, str]:
        """The highlighted gesture and expression ("" for none)."""
        picked = []
        for list_id in ("#action-gesture", "#action-expression"):
            options = self.query_one(list_id, OptionList)
            index = options.highlighted
            option_id = options.get_option_at_index(index).id if index is not None else NONE
            picked.append("" if option_id in (None, NONE) else option_id)
        return picked[0], picked[1]

    @on(OptionList.OptionSelected)
    def action_send(self) -> None:
        action, expression = self.choice()
        if not action and not expression:
            self.query_one("#action-problem", Static).update(
                "Pick a gesture, an expression or both (none of each sends nothing).")
            return
        self.dismiss((action, expression))

    def action_cancel(self) -> None:
        self.dismiss(None)
