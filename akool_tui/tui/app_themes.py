"""The console's themes: the bundled and the user's theme files, the configured theme
chosen before the first stylesheet parse, a theme picked in the palette saved back to
the config.

:class:`AppThemes` is a part of :class:`~akool_tui.tui.app.AkoolApp` (a mixin over
Textual's ``App``). Reading theme files is :mod:`.themes`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import App

from .themes import bundled_theme_dir, load_themes, user_theme_dir, with_app_variables

if TYPE_CHECKING:
    from ..config import Config


class AppThemes:
    """Theme loading and saving of the app."""

    config: Config
    demo: bool

    def _load_themes(self) -> list[str]:
        """Register the theme files and choose the configured theme; returns the
        problems to report once the app runs (a broken file is skipped)."""
        themes, problems = load_themes([bundled_theme_dir(), user_theme_dir()])
        for theme in themes:
            self.register_theme(theme)
        notes = [f"Theme skipped: {problem}" for problem in problems]
        wanted = self.config.ui.theme
        if wanted not in self.available_themes:
            if wanted:
                notes.append(f"Unknown theme {wanted!r}; using akool-dark")
            wanted = "akool-dark"
        self._start_with_theme(wanted)
        return notes

    def _start_with_theme(self, name: str) -> None:
        """Choose the theme before the app runs, doing what ``App._watch_theme`` does
        except its CSS refresh: the stylesheet is first parsed with this theme anyway,
        and that refresh would re-parse every stylesheet before the first frame."""
        self.set_reactive(App.theme, name)
        dark = self.current_theme.dark
        self.set_class(True, f"-theme-{name}", update=False)
        self.set_class(dark, "-dark-mode", update=False)
        self.set_class(not dark, "-light-mode", update=False)
        self._refresh_truecolor_filter(self.ansi_theme)
        self.stylesheet.set_variables(self.get_css_variables())  # made in App.__init__

    def get_css_variables(self) -> dict[str, str]:
        return with_app_variables(super().get_css_variables())

    def watch_theme(self, theme: str) -> None:
        if self.is_mounted and theme != self.config.ui.theme:
            self.config.ui.theme = theme
            if self.config.read_only:  # the theme is for this run: nothing is saved
                from ..core.readonly import refusal

                why = refusal(self.config, "config.write")
                self.notify(f"Theme {theme} for this run only: {why}", timeout=4, markup=False)
            elif not self.demo:
                self._save_config_quietly()

    def _save_config_quietly(self) -> None:
        from ..config import save_config

        try:
            save_config(self.config)
        except Exception as error:  # a read-only home must not crash the app
            self.notify(f"Could not save config: {error}", severity="error", markup=False)
