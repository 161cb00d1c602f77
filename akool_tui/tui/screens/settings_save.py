"""The settings screen's save, once asked for (``action_save`` on the screen): the
config written in a thread, its result said beside the buttons, and what was waiting
for it (the unsaved-settings question's "save", then leave) done."""

from __future__ import annotations

from collections.abc import Callable

from .settings_catalog import DefaultsSaved


class SavedDefaults:
    """Mixed into :class:`.settings.SettingsScreen` (which has ``action_save``)."""

    app: object
    _after_save: Callable[[], object] | None
    _unsaved: str

    def save_then(self, go: Callable[[], object]) -> None:
        """Save, then ``go()`` (the unsaved-settings question's "save"); a refused or
        failed save stays here with its message."""
        self._after_save = go
        self.action_save()

    def _saved(self) -> None:
        go, self._after_save = self._after_save, None
        if go is not None:
            go()

    def _save(self) -> None:
        from ...config import save_config

        try:
            path = save_config(self.app.config)
        except Exception as exc:
            self.post_message(DefaultsSaved(None, str(exc)))
            return
        self.post_message(DefaultsSaved(path))

    def on_defaults_saved(self, message: DefaultsSaved) -> None:
        if message.path is None:
            self._after_save = None
            self._result(f"✗ Not saved: {message.error}", ok=False)
        else:
            self._result(f"✓ Saved as the defaults of new sessions in {message.path}."
                         + self._unsaved, ok=True)
            self._saved()
