"""Each request's URL is parsed once (:meth:`ClientBase._url`), not three times as
``build_request(path, params=...)`` does: the URL sent must be the one httpx makes."""

from __future__ import annotations

import pytest

from akool_tui.api.client import AkoolClient

PARAMS = [{"page": 1, "size": 100}, {"page": 2, "size": 100, "status": 3}, {}, None,
          {"name": "a b&c=d/é?#x", "tags": ["1", "2"]}, {"ok": True, "f": 1.5, "n": None},
          {"platform": "aigc", "avatar_id": "dvp_Tristan_cloth2_1080P"}]
PATHS = ["/api/open/v4/liveAvatar/session/list", "/api/open/v3/language/list", "api/x",
         "/a b/é", "/q?page=3", "/frag#part"]


@pytest.mark.parametrize("base", ["http://127.0.0.1:8080", "https://openapi.akool.com",
                                  "https://proxy.example/akool/", "http://[::1]:9/sub"])
def test_the_url_sent_is_the_one_httpx_builds_from_the_path_and_params(base) -> None:
    client = AkoolClient(base, api_key="demo")
    for _ in range(2):  # the second time from the remembered base and path
        for path in PATHS:
            for params in PARAMS:
                want = client._http.build_request("GET", path, params=params).url
                got = client._url(path, params)
                assert str(got) == str(want), (path, params)
