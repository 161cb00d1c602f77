"""An avatar uploaded through the open API says so (Platform "open API") from the upload
answer on, through the status checks that follow (real simulator)."""

from __future__ import annotations

from akool_tui.api.client import AkoolClient
from akool_tui.core.avatars import upload_avatar, watch_upload
from akool_tui.core.fields import platform_label


async def test_an_uploaded_avatar_is_an_open_api_one(simulator) -> None:
    simulator.state.cfg.avatar_steps = 0.05
    async with AkoolClient(simulator.base_url, api_key=simulator.cfg.api_key) as client:
        avatar = await upload_avatar(client, "https://example.com/me.mp4", "platform01",
                                     name="Platform")
        assert platform_label(avatar.platform) == "open API"  # was "—"
        seen = [u.avatar async for u in watch_upload(client, avatar, interval=0.02,
                                                     timeout=10)]
    assert len(seen) > 1 and all(platform_label(a.platform) == "open API" for a in seen)
