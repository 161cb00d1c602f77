"""First run without credentials: ask for an API key or clientId/secret, save it.

The secrets typed are held in :class:`~akool_tui.api.hidden.Hidden` from the moment
they are read off the form until they go into the config: a traceback (with its
locals) shows them masked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from ...api.hidden import Hidden
from ..widgets.safe_input import SafeInput
from ..work import call_api
from .common import ErrorLabel

if TYPE_CHECKING:
    from ...api.client import AkoolClient


class CredentialsChecked(Message):
    def __init__(self, error: str = "", path: str = "") -> None:
        super().__init__()
        self.error = error
        self.path = path


class CredentialsAccepted(Message):
    """The API took the credentials typed (they are saved next)."""

    def __init__(self, api_key: Hidden | None, client_id: str,
                 client_secret: Hidden | None) -> None:
        super().__init__()
        self.api_key = api_key
        self.client_id = client_id
        self.client_secret = client_secret


class FirstRunScreen(ModalScreen[bool]):
    """Dismisses with True once valid credentials were checked and saved."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="first_run.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="first-run"):
            yield Static("Welcome to akool-tui", classes="title")
            yield Static(
                "No AKool credentials found. Enter an API key, or a clientId and "
                "clientSecret. They are saved (mode 0600) to the config file. "
                "No account? Quit and run `akool-tui --demo`.",
                classes="hint",
            )
            with RadioSet(id="auth-kind"):
                yield RadioButton("API key", value=True, id="kind-key")
                yield RadioButton("clientId / clientSecret", id="kind-client")
            yield Input(placeholder="API key", password=True, id="api-key")
            yield SafeInput(placeholder="clientId", id="client-id", classes="client")
            yield Input(placeholder="clientSecret", password=True, id="client-secret",
                        classes="client")
            yield ErrorLabel(id="first-run-error")
            with Horizontal(classes="buttons"):
                yield Button("Check and save", variant="primary", id="save")
                yield Button("Quit", id="quit")

    def on_mount(self) -> None:
        self._show_kind(api_key=True)
        # the text asks for a key: typed at once, it goes into the key's field (it went
        # to the radio buttons, and was lost without a sign)
        self.query_one("#api-key").focus()

    def _show_kind(self, *, api_key: bool) -> None:
        self.query_one("#api-key").display = api_key
        for widget in self.query(".client"):
            widget.display = not api_key

    @on(RadioSet.Changed)
    def _kind_changed(self, event: RadioSet.Changed) -> None:
        api_key = event.pressed.id == "kind-key"
        self._show_kind(api_key=api_key)
        if not event.radio_set.has_focus:  # picked by a click: on to the fields
            self.query_one("#api-key" if api_key else "#client-id").focus()

    def _error(self, text: str) -> None:
        self.query_one("#first-run-error", Label).update(text)

    @on(Button.Pressed, "#quit")
    def action_cancel(self) -> None:
        self.dismiss(False)

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        use_key = self.query_one("#kind-key", RadioButton).value
        # the secrets straight into holders, blanks around dropped (None when empty)
        key = Hidden(self.query_one("#api-key", Input).value).stripped() if use_key else None
        cid = "" if use_key else self.query_one("#client-id", Input).value.strip()
        secret = (None if use_key
                  else Hidden(self.query_one("#client-secret", Input).value).stripped())
        if use_key and key is None:
            self._error("Enter the API key.")
            return
        if not use_key and not (cid and secret):
            self._error("Enter both clientId and clientSecret.")
            return
        self._error("Checking…")
        base_url = self.app.config.base_url

        async def check(_unset: AkoolClient) -> None:
            """One request with a client of the credentials typed (the app's own has
            none yet); any answer but an error accepts them."""
            from ...api.client import AkoolClient

            async with AkoolClient(base_url, api_key=key, client_id=cid or None,
                                   client_secret=secret) as candidate:
                await candidate.list_sessions(page=1, size=1)

        call_api(self, check, what="check the credentials", group="first-run",
                 done=lambda _: CredentialsAccepted(key, cid, secret),
                 failed=lambda error: CredentialsChecked(error=f"Not accepted: {error}"))

    def on_credentials_accepted(self, message: CredentialsAccepted) -> None:
        from ...config import save_config

        cfg = self.app.config
        cfg.api_key = message.api_key.reveal() if message.api_key else ""
        cfg.client_id = message.client_id
        cfg.client_secret = message.client_secret.reveal() if message.client_secret else ""
        try:
            path = save_config(cfg)
        except Exception as error:  # disk full, read-only home: say so, keep the input
            self.post_message(CredentialsChecked(error=f"Could not save the config: {error}"))
            return
        self.post_message(CredentialsChecked(path=str(path)))

    def on_credentials_checked(self, message: CredentialsChecked) -> None:
        if message.error:
            self._error(message.error)
            return
        self.notify(f"Credentials saved to {message.path}", markup=False)
        self.dismiss(True)
