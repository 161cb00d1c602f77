"""``akool-tui credit`` and ``avatars list --platform`` against the real simulator."""

from __future__ import annotations

import json

import httpx

from cli_helpers import clean_env  # noqa: F401 - autouse fixture
from test_cli import cli, direct, table_rows  # noqa: F401 (fixtures)

CREATE = "/api/open/v4/liveAvatar/session/create"


def test_credit_prints_the_balance_and_follows_a_create(simulator_factory, cli):
    sim = simulator_factory(sessions=0, credits=500.0, credit_rate=2.0)
    url = ("--base-url", sim.base_url)
    code, out, _ = cli(*url, "credit")
    assert (code, out) == (0, "500 credits\n")
    answer = httpx.post(sim.base_url + CREATE, headers={"x-api-key": sim.cfg.api_key}, json={
        "avatar_id": "dvp_Tristan_cloth2_1080P", "duration": 300,
        "stream_type": "websocket"}).json()
    assert answer["code"] == 1000
    code, out, _ = cli(*url, "credit", "--json")
    assert code == 0 and json.loads(out) == {"credit": 490.0}  # 5 minutes at 2 a minute held


def test_credit_without_credentials_is_a_usage_error(simulator, cli):
    code, _, err = cli("--base-url", simulator.base_url, "credit", key=None)
    assert code == 2 and "credentials" in err


def test_avatars_list_by_platform(simulator, cli):
    url = ("--base-url", simulator.base_url)
    web = direct(simulator, "list_all_avatars", "aigc")
    mine = direct(simulator, "list_all_avatars", "open")
    assert web and mine
    code, out, _ = cli(*url, "avatars", "list", "--platform", "aigc")
    assert code == 0 and sorted(r[0] for r in table_rows(out)) == sorted(a.avatar_id for a in web)
    assert {r[4] for r in table_rows(out)} == {"web app"}
    code, out, _ = cli(*url, "avatars", "list", "--platform", "open", "--json")
    assert code == 0 and [a["avatar_id"] for a in json.loads(out)] == [a.avatar_id for a in mine]
    assert {a["platform"] for a in json.loads(out)} == {"open"}
    code, out, _ = cli(*url, "avatars", "list", "--platform", "all", "--json")
    assert len(json.loads(out)) == len(web) + len(mine)
    code, _, err = cli(*url, "avatars", "list", "--platform", "mars")
    assert code == 2 and "invalid choice" in err
