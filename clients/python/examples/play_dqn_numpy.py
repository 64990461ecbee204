"""Plays a DQN policy trained by the C# agents, with numpy alone, against a ZeroGym server.

The run's latest checkpoint holds the Q-network in safetensors (model.safetensors, tensors "q.0.weight", "q.0.bias",
"q.2.weight", ...: PyTorch's nn.Sequential names). This reads the file by its format (an 8-byte little-endian header
length, a JSON header, raw little-endian data) and evaluates the network as x @ W.T + b with ReLU between layers.

    PYTHONPATH=clients/python /usr/bin/python3 clients/python/examples/play_dqn_numpy.py \\
        --run-dir runs/demo-dqn-cartpole-... --address tcp://127.0.0.1:5555 --episodes 3
"""

from __future__ import annotations

import argparse
import json
import struct
from pathlib import Path

import numpy as np

import zerogym

DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32, "U8": np.uint8, "BOOL": np.bool_}


def load_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Every tensor of a safetensors file, as numpy arrays."""
    data = path.read_bytes()
    (header_length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_length])
    body = memoryview(data)[8 + header_length:]
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        tensors[name] = np.frombuffer(body[begin:end], dtype=DTYPES[entry["dtype"]]).reshape(entry["shape"])
    return tensors


def q_network(tensors: dict[str, np.ndarray], prefix: str = "q"):
    """The Q-function of an MLP saved under ``prefix``: Linear layers at even indices, ReLU between them."""
    indices = sorted(int(name.split(".")[1]) for name in tensors if name.startswith(prefix + ".") and name.endswith(".weight"))
    layers = [(tensors[f"{prefix}.{i}.weight"], tensors[f"{prefix}.{i}.bias"]) for i in indices]

    def q_values(observation: np.ndarray) -> np.ndarray:
        x = observation.astype(np.float32)
        for k, (weight, bias) in enumerate(layers):
            x = x @ weight.T + bias
            if k < len(layers) - 1:
                x = np.maximum(x, 0)
        return x

    return q_values


def latest_checkpoint(run_dir: Path) -> Path:
    checkpoints = run_dir / "checkpoints"
    return checkpoints / (checkpoints / "latest").read_text().strip()


def play(q_values, env_id: str, address: str, episodes: int, seed: int) -> list[float]:
    """Greedy episodes (seeds seed, seed+1, ...); returns their returns."""
    returns = []
    with zerogym.make(env_id, address=address) as env:
        for episode in range(episodes):
            observation, _ = env.reset(seed=seed + episode)
            total, done = 0.0, False
            while not done:
                observation, reward, terminated, truncated, _ = env.step(int(np.argmax(q_values(observation))))
                total += reward
                done = terminated or truncated
            returns.append(total)
    return returns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run-dir", type=Path, required=True, help="a run directory written by scripts/train dqn")
    parser.add_argument("--address", default=zerogym.DEFAULT_ADDRESS, help="the env server")
    parser.add_argument("--episodes", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    env_id = json.loads((args.run_dir / "config.json").read_text())["common"]["env_id"]
    checkpoint = latest_checkpoint(args.run_dir)
    q_values = q_network(load_safetensors(checkpoint / "model.safetensors"))
    for episode, total in enumerate(play(q_values, env_id, args.address, args.episodes, args.seed), 1):
        print(f"episode {episode}: return {total:g}")


if __name__ == "__main__":
    main()
