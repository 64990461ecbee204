"""NES-v0 and the Mario envs through the Python client, on the test ROMs of tests/roms (assembled here)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import zerogym
from conftest import assemble_rom

RIGHT = 0b1000_0000
# Colours $21 (nothing held) and $27 (Right held) of nes-py's palette, which the joypad ROM fills the screen with.
NOTHING_COLOUR = (0x3C, 0xBC, 0xFC)
RIGHT_COLOUR = (0xFC, 0xA0, 0x44)


@pytest.fixture(scope="module")
def joypad_rom(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/roms/joypad.s: the screen colour follows the highest button held."""
    return assemble_rom("joypad", tmp_path_factory.mktemp("roms"))


def test_nes_v0_frames_follow_the_joypad(address: str, joypad_rom: Path) -> None:
    env = zerogym.make("NES-v0", address=address, render_mode="rgb_array", rom=str(joypad_rom))
    try:
        assert env.action_space.n == 256
        assert env.observation_space.shape == (240, 256, 3)
        obs, info = env.reset()
        assert obs.shape == (240, 256, 3) and obs.dtype == np.uint8
        assert info == {}
        for _ in range(8):
            obs, reward, terminated, truncated, info = env.step(0)
        assert tuple(obs[120, 128]) == NOTHING_COLOUR
        for _ in range(2):
            obs, reward, terminated, truncated, info = env.step(RIGHT)
        assert tuple(obs[0, 0]) == RIGHT_COLOUR
        assert (reward, terminated, truncated) == (0.0, False, False)
        assert np.array_equal(env.render(), obs)
    finally:
        env.close()


def test_nes_v0_with_a_missing_rom_names_it(address: str, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.nes"
    with pytest.raises(zerogym.InvalidArgumentError, match="nowhere.nes"):
        zerogym.make("NES-v0", address=address, rom=str(missing))


@pytest.mark.skipif("ZEROGYM_ROM_DIR" in os.environ, reason="a ROM directory is configured: the real ROM may be in it")
def test_mario_without_the_rom_says_how_to_provide_it(address: str) -> None:
    with pytest.raises(zerogym.InvalidArgumentError, match="ab30029efec6ccfc5d65dfda7fbc6e6489a80805"):
        zerogym.make("SuperMarioBros-1-1-v0", address=address, actions="right_only")


@pytest.fixture(scope="module")
def mario_like_rom(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/roms/mario_like.s: Super Mario Bros' RAM layout on a straight level."""
    return assemble_rom("mario_like", tmp_path_factory.mktemp("roms"))


def test_mario_stage_with_the_rom_kwarg_and_seed_002s_wrappers(address: str, mario_like_rom: Path) -> None:
    """The rom kwarg plays a ROM with Mario's RAM layout as SuperMarioBros-1-1-v0, here the way the DDQN agent trains."""
    env = zerogym.make("SuperMarioBros-1-1-v0", address=address, rom=str(mario_like_rom),
                       actions=[["right"], ["right", "A"]], wrappers="mario")
    try:
        assert env.action_space.n == 2
        assert env.observation_space.shape == (4, 84, 84) and env.observation_space.dtype == np.uint8
        obs, info = env.reset()
        assert obs.shape == (4, 84, 84) and obs.dtype == np.uint8
        assert (info["x_pos"], info["time"], info["life"]) == (40, 400, 2)
        # Right walks one pixel a frame and a step is 4 frames; the buttons reach the game one frame late, as on
        # nes-py, so the first step walks 3 pixels and the next ones 4. The reward is the pixels walked plus the
        # clock's ticks (it loses 1 every 8 frames).
        previous = info
        obs, reward, terminated, truncated, info = env.step(0)
        assert (terminated, truncated, info["x_pos"]) == (False, False, 43)
        while not terminated:
            assert reward == (info["x_pos"] - previous["x_pos"]) + min(0, info["time"] - previous["time"])
            previous = info
            obs, reward, terminated, truncated, info = env.step(0)
            assert terminated or info["x_pos"] - previous["x_pos"] == 4
        # Walking into the goomba at x_pos 150 without A kills Mario: the death penalty ends the episode.
        assert info["x_pos"] >= 150 and reward < 0
    finally:
        env.close()
