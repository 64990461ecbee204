"""The numpy-only DQN player (clients/python/examples/play_dqn_numpy.py) reads the C# agents' safetensors files."""

from __future__ import annotations

import importlib.util
import json
import struct
from pathlib import Path

import numpy as np

EXAMPLE = Path(__file__).resolve().parents[2] / "clients" / "python" / "examples" / "play_dqn_numpy.py"
spec = importlib.util.spec_from_file_location("play_dqn_numpy", EXAMPLE)
play_dqn_numpy = importlib.util.module_from_spec(spec)
spec.loader.exec_module(play_dqn_numpy)


def write_safetensors(path: Path, tensors: dict[str, np.ndarray]) -> None:
    """The format as ZeroGym.Torch writes it: LE u64 header length, JSON header, then the tensors' bytes."""
    header, body, offset = {}, b"", 0
    for name, array in tensors.items():
        data = np.ascontiguousarray(array, dtype=np.float32).tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        body += data
        offset += len(data)
    encoded = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(encoded)) + encoded + body)


def test_q_network_evaluates_the_saved_layers_with_relu_between(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    weights = {"q.0.weight": rng.normal(size=(8, 4)), "q.0.bias": rng.normal(size=8),
               "q.2.weight": rng.normal(size=(2, 8)), "q.2.bias": rng.normal(size=2)}
    write_safetensors(tmp_path / "model.safetensors", weights)

    q_values = play_dqn_numpy.q_network(play_dqn_numpy.load_safetensors(tmp_path / "model.safetensors"))

    observation = np.array([0.1, -0.2, 0.3, 0.4], dtype=np.float32)
    hidden = np.maximum(weights["q.0.weight"] @ observation + weights["q.0.bias"], 0)
    expected = weights["q.2.weight"] @ hidden + weights["q.2.bias"]
    np.testing.assert_allclose(q_values(observation), expected, rtol=1e-5)


def test_a_hand_made_balancing_policy_keeps_the_pole_up_through_the_server(tmp_path: Path, address: str) -> None:
    # Q(push left) - Q(push right) = -(angle + angular velocity): push towards the side the pole falls to.
    weights = {"q.0.weight": np.array([[0, 0, -1, -1], [0, 0, 1, 1]]), "q.0.bias": np.zeros(2)}
    write_safetensors(tmp_path / "model.safetensors", weights)
    q_values = play_dqn_numpy.q_network(play_dqn_numpy.load_safetensors(tmp_path / "model.safetensors"))

    returns = play_dqn_numpy.play(q_values, "CartPole-v1", address, episodes=2, seed=0)

    assert min(returns) >= 150, returns
