"""BurnMeter: the burn rate measured from balance samples (an injected clock: plain numbers)."""

from __future__ import annotations

import pytest

from akool_tui.core.credits import BurnMeter, credits_text, status_text


def test_measuring_until_two_samples_far_enough_apart():
    meter = BurnMeter(window=600, min_span=30)
    assert meter.burn().per_hour is None and meter.balance is None
    meter.add(0, 1000)
    meter.add(10, 999)
    assert meter.burn().per_hour is None  # 10 s of data: noise, not a rate
    assert status_text(meter.balance, meter.burn()) == "credits 999 · rate …"
    meter.add(60, 998)
    assert meter.burn().per_hour == pytest.approx(120.0)  # 2 credits in a minute


def test_rate_over_the_window_only():
    meter = BurnMeter(window=600, min_span=30)
    for minute in range(0, 21):  # 10 credits a minute for 10 minutes, then nothing
        meter.add(minute * 60, 1000 - 10 * min(minute, 10))
    burn = meter.burn()
    assert burn.span_s == 600  # the anchor at the window's start
    assert burn.per_hour == 0.0
    meter2 = BurnMeter(window=600, min_span=30)
    for minute in range(0, 21):  # nothing, then 6 credits a minute
        meter2.add(minute * 60, 1000 - 6 * max(0, minute - 10))
    assert meter2.burn().per_hour == pytest.approx(360.0)


def test_a_create_step_and_its_refund_count_what_was_really_paid():
    meter = BurnMeter(window=900, min_span=30)
    meter.add(0, 1000)
    meter.add(60, 990)  # a 10-minute session holds 10 credits at create
    assert meter.burn().per_hour == pytest.approx(600.0)
    meter.add(180, 998)  # closed after 2 minutes: 8 come back
    assert meter.burn().per_hour == pytest.approx(2 * 3600 / 180)


def test_a_refund_or_top_up_bigger_than_the_spend_is_no_negative_burn():
    meter = BurnMeter(window=600, min_span=30)
    meter.add(0, 900)
    meter.add(120, 1000)  # credits came back (held before the window) or were bought
    burn = meter.burn()
    assert burn.per_hour == 0.0 and burn.spent == -100
    assert status_text(1000, burn, short=True) == "cr 1,000 · 0/h"


def test_late_and_repeated_samples():
    meter = BurnMeter(window=600, min_span=30)
    meter.add(100, 50)
    meter.add(40, 999)  # a late answer from before: ignored
    assert meter.balance == 50 and meter.last_at == 100
    meter.add(100, 49)  # same moment: replaces
    assert meter.balance == 49
    with pytest.raises(ValueError):
        BurnMeter(window=0)


def test_credit_amounts_read_well():
    assert credits_text(9990.0) == "9,990"
    assert credits_text(12.5) == "12.5"
    assert credits_text(0.25) == "0.25"
    assert status_text(None, BurnMeter().burn()) == ""


@pytest.mark.parametrize(("per_hour", "shown"), [
    (1446.58, "1,447/h"), (360.0, "360/h"), (12.44, "12.4/h"), (10.0, "10/h"),
    (0.25, "0.25/h"), (0.0, "0/h")])
def test_a_measured_rate_shows_three_figures_at_most(per_hour, shown):
    """The status line's burn rate does not flicker in its second decimal at every read
    (it read "1,446.58/h")."""
    from akool_tui.core.credits import Burn, burn_text

    assert burn_text(Burn(per_hour, 600.0, per_hour / 6)) == shown
