"""The suite's own guard (conftest.py): after a request times out, a test process whose ZeroMQ context cannot reach
itself stops the session with the threads' state, instead of letting every later test wait out its timeouts."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import zmq

from conftest import CLIENT_DIR, zeromq_loopback_problem

TESTS_DIR = Path(__file__).resolve().parent

# The broken context has no I/O thread at all: nothing it holds can reach a TCP endpoint, as with a stuck one.
TIMED_OUT_TESTS = '''
import zmq
import zerogym

BROKEN = {broken}


def test_first_times_out(monkeypatch):
    if BROKEN:
        context = zmq.Context(io_threads=0)
        monkeypatch.setattr(zmq.Context, "instance", classmethod(lambda cls: context))
    raise zerogym.ServerTimeoutError("tcp://127.0.0.1:9", "hello", 1.0)


def test_second():
    pass
'''


def run_suite(tmp_path: Path, broken: bool) -> subprocess.CompletedProcess:
    (tmp_path / "test_timed_out.py").write_text(TIMED_OUT_TESTS.format(broken=broken))
    environment = {"PYTHONPATH": f"{TESTS_DIR}:{CLIENT_DIR}", "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "conftest",
                           "--rootdir", str(tmp_path), str(tmp_path / "test_timed_out.py")],
                          capture_output=True, text=True, timeout=120, env=environment, cwd=tmp_path)


def test_a_context_that_cannot_reach_itself_stops_the_session_with_the_threads_state(tmp_path: Path) -> None:
    run = run_suite(tmp_path, broken=True)
    assert "1 failed" in run.stdout and "passed" not in run.stdout, run.stdout
    assert "ZeroMQ in the test process" in run.stdout and "No thread available" in run.stdout, run.stdout
    assert re.search(r"^thread \d+ .+: state ., waits in ", run.stdout, re.MULTILINE) and "Current thread" in run.stdout, \
        run.stdout
    assert "this process's ZeroMQ context is broken" in run.stdout, run.stdout


def test_a_timeout_with_a_working_context_lets_the_session_go_on(tmp_path: Path) -> None:
    run = run_suite(tmp_path, broken=False)
    assert "1 failed, 1 passed" in run.stdout, run.stdout
    assert "ZeroMQ in the test process" not in run.stdout, run.stdout


def test_the_loopback_check_passes_on_a_working_context() -> None:
    assert zeromq_loopback_problem(zmq.Context.instance(), timeout=5) is None
