"""A command palette provider that knows the current screen.

Every binding active on the current screen (and the app's own) becomes a palette
command, so every action is reachable from ctrl+p even when its key is hidden
or rebound.
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class ScreenActionsProvider(Provider):
    def _commands(self) -> list[tuple[str, str, str, object]]:
        screen = self.screen
        seen: set[str] = set()
        out = []
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)
            title = f"{screen.title or ''}: {binding.description}".lstrip(": ")
            help_text = binding.tooltip or f"Key: {active.binding.key_display or key}"
            out.append((title, help_text, binding.action, active.node))
        return out

    async def _run(self, action: str, node) -> None:
        await self.app.run_action(action, node)

    async def discover(self) -> Hits:
        for title, help_text, action, node in self._commands():
            yield DiscoveryHit(title, partial(self._run, action, node), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, action, node in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._run, action, node), help=help_text)
