"""Fixtures for the Python client's tests: the real ZeroGym server, started once per session or per test.

The server is started as ``dotnet artifacts/bin/ZeroGym.EnvServer/release/ZeroGym.EnvServer.dll`` with
``--bind tcp://127.0.0.1:* --idle-timeout SECONDS``; set ``ZEROGYM_SERVER_CMD`` to use another command in place of
``dotnet .../ZeroGym.EnvServer.dll`` (the two options are appended to it). It prints
``zerogym-server listening on ADDRESS`` when ready and exits 0 on SIGTERM.
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import zmq

REPO = Path(__file__).resolve().parents[2]
CLIENT_DIR = REPO / "clients" / "python"
sys.path.insert(0, str(CLIENT_DIR))

import zerogym  # noqa: E402  (from CLIENT_DIR)

ROM_SOURCES = REPO / "tests" / "roms"


def assemble_rom(name: str, directory: Path) -> Path:
    """tests/roms/NAME.s assembled with ca65/ld65 into ``directory``; returns the .nes file."""
    subprocess.run(["ca65", "-I", str(ROM_SOURCES), str(ROM_SOURCES / f"{name}.s"), "-o", str(directory / f"{name}.o")], check=True)
    subprocess.run(["ld65", "-C", str(ROM_SOURCES / "nrom.cfg"), str(directory / f"{name}.o"), "-o", str(directory / f"{name}.nes")], check=True)
    return directory / f"{name}.nes"


SERVER_DLL = REPO / "artifacts" / "bin" / "ZeroGym.EnvServer" / "release" / "ZeroGym.EnvServer.dll"
READY_PREFIX = "zerogym-server listening on "
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0


@dataclass
class ServerProcess:
    """A running ZeroGym server: its address and where its stdout/stderr go."""

    process: subprocess.Popen
    address: str
    stdout_path: Path
    stderr_path: Path

    def log(self) -> str:
        """Everything the server wrote to stderr so far (its structured log)."""
        return self.stderr_path.read_text(errors="replace")

    def wait_for_log(self, *fragments: str, timeout: float) -> str | None:
        """The first log line containing every fragment, waiting up to ``timeout`` seconds; None if none came."""
        deadline = time.monotonic() + timeout
        while True:
            for line in self.log().splitlines():
                if all(fragment in line for fragment in fragments):
                    return line
            if time.monotonic() > deadline:
                return None
            time.sleep(0.1)

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """The server stopped with SIGSTOP for the block: nothing it was sent can be answered until the block ends
        (a timeout test that must not race the server). Resumed with SIGCONT however the block exits."""
        self.process.send_signal(signal.SIGSTOP)
        try:
            yield
        finally:
            self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        """SIGTERM, then insists that the server exited with 0."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise AssertionError(f"the server did not exit within {STOP_TIMEOUT_S} s of SIGTERM; "
                                     f"log tail:\n{self.log()[-2000:]}")
        if self.process.returncode != 0:
            raise AssertionError(f"the server exited with {self.process.returncode} on SIGTERM, expected 0; "
                                 f"log tail:\n{self.log()[-2000:]}")


def server_command(idle_timeout: float, *extra_args: str) -> list[str]:
    custom = os.environ.get("ZEROGYM_SERVER_CMD")
    if custom:
        program = shlex.split(custom)
    else:
        if not SERVER_DLL.exists():
            pytest.fail(f"the ZeroGym server is not built: {SERVER_DLL} is missing. Run scripts/setup (it builds "
                        f"the server in release), or set ZEROGYM_SERVER_CMD to a command that starts one.",
                        pytrace=False)
        program = ["dotnet", str(SERVER_DLL)]
    return [*program, "--bind", "tcp://127.0.0.1:*", "--idle-timeout", str(idle_timeout), *extra_args]


def start_server(idle_timeout: float, workdir: Path, *extra_args: str) -> ServerProcess:
    """A server with ``extra_args`` appended to its command line (e.g. CURVE options)."""
    stdout_path, stderr_path = workdir / "server.stdout", workdir / "server.stderr"
    command = server_command(idle_timeout, *extra_args)
    # Files, not pipes: a server that logs a lot must never block on a pipe nobody reads.
    with open(stdout_path, "wb") as stdout, open(stderr_path, "wb") as stderr:
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL)
    server = ServerProcess(process, "", stdout_path, stderr_path)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        for line in stdout_path.read_text(errors="replace").splitlines():
            if line.startswith(READY_PREFIX):
                server.address = line[len(READY_PREFIX):].strip()
                return server
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode} before listening: {shlex.join(command)}\n"
                        f"stderr:\n{server.log()[-2000:]}", pytrace=False)
        time.sleep(0.05)
    process.kill()
    process.wait()
    pytest.fail(f"the server printed no '{READY_PREFIX}ADDRESS' line within {START_TIMEOUT_S} s: "
                f"{shlex.join(command)}\nstderr:\n{server.log()[-2000:]}", pytrace=False)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One real server for the whole session (idle timeout 300 s)."""
    running = start_server(300, tmp_path_factory.mktemp("server"))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def address(server: ServerProcess) -> str:
    """The session server's endpoint, e.g. ``tcp://127.0.0.1:43567``."""
    return server.address


INJECTED_DELAY_US = 300
"""The longest random wait of the delayed server's sub-env steps and resets: results finish in any order."""


@pytest.fixture(scope="session")
def delayed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A real server whose vector envs wait a random time up to ``INJECTED_DELAY_US`` before every sub-env step and
    reset (``--inject-delay-us``), so that asynchronous results come back in an order no test can predict."""
    running = start_server(300, tmp_path_factory.mktemp("delayed-server"), "--inject-delay-us", str(INJECTED_DELAY_US))
    yield running
    running.stop()


@pytest.fixture
def short_idle_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A fresh real server that closes the envs of a connection silent for 1 s."""
    running = start_server(1, tmp_path)
    yield running
    running.stop()


def kill_when_ready(script: str, address: str, environment: dict[str, str], ready_line: str) -> None:
    """Runs ``script`` (Python source) in a client process with ``address`` as its argument, waits until it prints
    ``ready_line``, then kills it with SIGKILL, as a crash or the OOM killer would."""
    victim = subprocess.Popen([sys.executable, "-c", script, address], env=environment, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert victim.stdout.readline().strip() == ready_line, victim.stderr.read()
        victim.send_signal(signal.SIGKILL)
        victim.wait(10)
    finally:
        if victim.poll() is None:
            victim.kill()
            victim.wait()
    assert victim.returncode == -signal.SIGKILL


@pytest.fixture
def client_env() -> dict[str, str]:
    """Environment for a client subprocess: finds the zerogym package of this repository."""
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(CLIENT_DIR), environment.get("PYTHONPATH")]))
    return environment


def zeromq_loopback_problem(context: zmq.Context, timeout: float = 5.0) -> str | None:
    """None when a message crosses loopback TCP between two sockets of ``context`` within ``timeout`` seconds; else
    what went wrong. A context whose I/O thread is stuck fails every client of this process, whichever server it
    calls, so one failed request can tell a broken test process from a server that did not answer."""
    router, dealer = context.socket(zmq.ROUTER), context.socket(zmq.DEALER)
    try:
        router.setsockopt(zmq.LINGER, 0)
        dealer.setsockopt(zmq.LINGER, 0)
        port = router.bind_to_random_port("tcp://127.0.0.1")
        dealer.connect(f"tcp://127.0.0.1:{port}")
        dealer.send(b"ping")
        if router.poll(round(timeout * 1000), zmq.POLLIN):
            return None
        return f"a message between two sockets of this process over tcp://127.0.0.1:{port} did not arrive in {timeout} s"
    except zmq.ZMQError as error:
        return f"two sockets of this process could not talk over loopback TCP: {error}"
    finally:
        router.close(linger=0)
        dealer.close(linger=0)


def thread_report() -> str:
    """Each thread of this process as the kernel sees it (name, state, where it waits), then the Python stacks."""
    lines = []
    for task in sorted(Path("/proc/self/task").iterdir(), key=lambda path: int(path.name)):
        try:
            state = (task / "stat").read_text().rsplit(")", 1)[1].split()[0]
            waits_in = (task / "wchan").read_text().strip() or "-"
            lines.append(f"thread {task.name} {(task / 'comm').read_text().strip()}: state {state}, waits in {waits_in}")
        except OSError:
            continue  # the thread ended while we read it
    with tempfile.TemporaryFile("w+") as stacks:
        faulthandler.dump_traceback(stacks, all_threads=True)
        stacks.seek(0)
        return "\n".join(lines) + "\n" + stacks.read()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """After a request timed out: the state and log tail of the test's servers; and if this process's ZeroMQ context
    cannot even reach itself, every later test would wait out its own timeouts for nothing: say so with the threads'
    state, and stop the session."""
    outcome = yield
    report = outcome.get_result()
    if not (report.failed and call.excinfo is not None and call.excinfo.errisinstance(zerogym.ServerTimeoutError)):
        return
    for name, value in getattr(item, "funcargs", {}).items():
        if isinstance(value, ServerProcess):
            state = "running" if value.process.poll() is None else f"exited with {value.process.returncode}"
            report.sections.append((f"server {name!r} at {value.address}", f"{state}; log tail:\n{value.log()[-3000:]}"))
    problem = zeromq_loopback_problem(zmq.Context.instance())
    if problem is None:
        return
    fresh = zmq.Context()
    try:
        in_a_new_context = zeromq_loopback_problem(fresh) or "it arrives"
    finally:
        fresh.destroy(linger=0)
    report.sections.append(("ZeroMQ in the test process", f"{problem}; in a new context: {in_a_new_context}\n"
                                                           f"{thread_report()}"))
    item.session.shouldstop = f"this process's ZeroMQ context is broken ({problem}); later tests would only time out"
