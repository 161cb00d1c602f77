"""First run without credentials: ask for an API key or clientId/secret, save it."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from ..widgets.safe_input import SafeInput
from .common import ErrorLabel


class CredentialsChecked(Message):
    def __init__(self, error: str = "", path: str = "") -> None:
        super().__init__()
        self.error = error
        self.path = path


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

    def _show_kind(self, *, api_key: bool) -> None:
        self.query_one("#api-key").display = api_key
        for widget in self.query(".client"):
            widget.display = not api_key

    @on(RadioSet.Changed)
    def _kind_changed(self, event: RadioSet.Changed) -> None:
        self._show_kind(api_key=event.pressed.id == "kind-key")

    def _error(self, text: str) -> None:
        self.query_one("#first-run-error", Label).update(text)

    @on(Button.Pressed, "#quit")
    def action_cancel(self) -> None:
        self.dismiss(False)

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        use_key = self.query_one("#kind-key", RadioButton).value
        key = self.query_one("#api-key", Input).value.strip()
        cid = self.query_one("#client-id", Input).value.strip()
        secret = self.query_one("#client-secret", Input).value.strip()
        if use_key and not key:
            self._error("Enter the API key.")
            return
        if not use_key and not (cid and secret):
            self._error("Enter both clientId and clientSecret.")
            return
        self._error("Checking…")
        self._check(key if use_key else "", "" if use_key else cid, "" if use_key else secret)

    @work(exclusive=True, group="first-run")
    async def _check(self, api_key: str, client_id: str, client_secret: str) -> None:
        from ...api.client import AkoolClient
        from ...api.errors import AkoolError
        from ...config import save_config

        cfg = self.app.config
        try:
            async with AkoolClient(cfg.base_url, api_key=api_key or None,
                                   client_id=client_id or None,
                                   client_secret=client_secret or None) as client:
                await client.list_sessions(page=1, size=1)
        except AkoolError as error:
            self.post_message(CredentialsChecked(error=f"Not accepted: {error}"))
            return
        cfg.api_key, cfg.client_id, cfg.client_secret = api_key, client_id, client_secret
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
