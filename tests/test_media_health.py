"""core.media_health: frozen / black / silent detection and the figures, on a fake clock."""

from __future__ import annotations

import pytest

from akool_tui.core.media_health import MediaHealthMonitor, is_black
from akool_tui.stream.media import AudioLevel, VideoFrame


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


W, H = 32, 18


def frame(n: int, *, black: bool = False) -> VideoFrame:
    """A frame whose content depends on ``n`` (same n, same pixels)."""
    if black:
        return VideoFrame(W, H, bytes(W * H * 3), 0.0)
    rgb = bytearray([60, 80, 120] * (W * H))
    rgb[(n % (W * H)) * 3] = 255
    return VideoFrame(W, H, bytes(rgb), 0.0)


def run(monitor: MediaHealthMonitor, clock: Clock, seconds: float, fps: float = 10,
        make=frame, level: float | None = None) -> None:
    """Feed ``seconds`` of frames at ``fps`` (and a level with each when given)."""
    for i in range(round(seconds * fps)):
        clock.t += 1 / fps
        monitor.feed(make(i))
        if level is not None:
            monitor.feed(AudioLevel(level, 0.0))


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_figures_of_a_healthy_stream(clock):
    m = MediaHealthMonitor(clock=clock)
    for i in range(50):  # 5 s at 10 fps, 8 of each 10 frames painted
        clock.t += 0.1
        m.feed(frame(i))
        m.feed(AudioLevel(0.3, 0.0))
        if i % 5:
            m.painted()
    s = m.snapshot()
    assert s.received_fps == pytest.approx(10, abs=0.4)
    assert s.painted_fps == pytest.approx(8, abs=0.4)
    assert (s.width, s.height, s.resolution, s.frames) == (W, H, "32x18", 50)
    assert s.level == 0.3 and s.warnings == () and not s.black


def test_received_fps_follows_the_last_seconds(clock):
    m = MediaHealthMonitor(clock=clock, window=3.0, frozen_after=10)
    run(m, clock, 4, fps=25)
    assert m.snapshot().received_fps == pytest.approx(25, abs=0.5)
    run(m, clock, 4, fps=5)
    assert m.snapshot().received_fps == pytest.approx(5, abs=0.4)
    clock.t += 4  # nothing comes
    assert m.snapshot().received_fps == 0


def test_identical_frames_are_a_frozen_video(clock):
    m = MediaHealthMonitor(clock=clock, frozen_after=2.0)
    run(m, clock, 1)
    run(m, clock, 1.9, make=lambda i: frame(7))
    assert m.snapshot().warnings == ()  # 1.9 s unchanged: not yet
    run(m, clock, 1.1, make=lambda i: frame(7))
    s = m.snapshot()
    assert s.warnings == ("video frozen for 3 s",)
    assert s.received_fps == pytest.approx(10, abs=0.4)  # frames do come
    run(m, clock, 0.2)
    assert m.snapshot().warnings == ()  # moving again


def test_no_new_frame_is_a_frozen_video_and_none_at_all_is_no_video(clock):
    m = MediaHealthMonitor(clock=clock)
    clock.t += 2.5
    assert m.snapshot().warnings == ("no video for 2 s",)
    run(m, clock, 1)
    assert m.snapshot().warnings == ()
    clock.t += 4.2
    assert m.snapshot().warnings == ("video frozen for 4 s",)


def test_frozen_counts_only_while_the_session_is_live(clock):
    m = MediaHealthMonitor(clock=clock)
    run(m, clock, 1)
    m.live(False)
    clock.t += 30
    assert m.snapshot().warnings == ()
    m.live(True)  # live again: counted from now, not from 30 s ago
    clock.t += 1
    assert m.snapshot().warnings == ()
    clock.t += 1.5
    assert m.snapshot().warnings == ("video frozen for 2 s",)


def test_black_video_after_a_second_of_black_frames(clock):
    m = MediaHealthMonitor(clock=clock, black_after=1.0)
    run(m, clock, 1)
    black = frame(0, black=True)
    run(m, clock, 0.5, make=lambda i: black)
    assert not m.snapshot().black  # a fade through black is fine
    run(m, clock, 1.0, make=lambda i: black)
    s = m.snapshot()
    assert s.black and "black video" in s.warnings
    run(m, clock, 0.1)
    assert not m.snapshot().black


def test_is_black_reads_every_channel_and_tolerates_noise():
    assert is_black(bytes(320 * 180 * 3))
    assert is_black(bytes([8, 12, 3] * (320 * 180)))
    for channel in range(3):  # a frame that is dark blue (or red, or green) is not black
        px = [0, 0, 0]
        px[channel] = 120
        assert not is_black(bytes(px * (320 * 180)))
    assert is_black(b"")


def test_no_audio_while_speaking(clock):
    m = MediaHealthMonitor(clock=clock, silent_after=1.5)
    run(m, clock, 1, level=0.0)
    assert m.snapshot().warnings == ()  # silent and not speaking: fine
    m.speaking(True)
    run(m, clock, 1.4, level=0.0)
    assert m.snapshot().warnings == ()
    run(m, clock, 0.2, level=0.0)
    assert m.snapshot().warnings == ("no audio while speaking (2 s)",)
    assert m.snapshot().speaking
    run(m, clock, 0.3, level=0.4)  # the voice comes
    assert m.snapshot().warnings == ()
    run(m, clock, 1.6, level=0.0)  # and goes silent before audio_end
    assert m.snapshot().warnings == ("no audio while speaking (2 s)",)
    m.speaking(False)
    assert m.snapshot().warnings == ()


def test_speaking_with_no_audio_track_at_all(clock):
    m = MediaHealthMonitor(clock=clock)
    m.speaking(True)
    run(m, clock, 2)
    assert m.snapshot().warnings == ("no audio while speaking (2 s)",)
    assert m.snapshot().level is None


def test_warnings_together(clock):
    m = MediaHealthMonitor(clock=clock)
    black = frame(0, black=True)
    m.speaking(True)
    run(m, clock, 3, make=lambda i: black, level=0.0)
    assert m.snapshot().warnings == ("video frozen for 3 s", "black video",
                                     "no audio while speaking (3 s)")
