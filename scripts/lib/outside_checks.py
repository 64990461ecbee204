"""The packages as a user meets them, outside the repository (scripts/test runs this after scripts/package).

    /usr/bin/python3 scripts/lib/outside_checks.py DIST REPORT.xml

Copies DIST (scripts/package's dist/) alone into a new temporary folder and, with no path into the source tree (no
PYTHONPATH, no project reference, the working directory in the temporary folder):
  server_bundle     unpacks the server's .tar.gz, checks `zerogym-server --version`, starts it with --bind;
  python_wheel      makes a venv (--system-site-packages: numpy, zmq, msgpack and mypy from Debian), pip installs the
                    wheel offline, steps a remote CartPole-v1 and HalfCheetah-v5 on that server, and type-checks that
                    program with mypy against the installed package (its py.typed marker);
  csharp_package    makes a console project, `dotnet add package ZeroGym.Client` from the copied feed (the NuGet
                    sources configured for this user supply its dependencies) and runs the C# example of the package's
                    own README against that server.
Each is one test case of the JUnit REPORT.xml (counted by summarize_tests.py); a failure says what was expected.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import traceback
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

READY_PREFIX = "zerogym-server listening on "
PYTHON = "/usr/bin/python3"

PYTHON_SCRIPT = """\
import os, sys
import zerogym
venv = os.path.realpath(sys.prefix)
assert os.path.realpath(zerogym.__file__).startswith(venv + os.sep), \\
    f"zerogym was imported from {zerogym.__file__}, expected inside the venv {venv}"
assert zerogym.__version__ == sys.argv[2], f"zerogym.__version__ is {zerogym.__version__}, the wheel's is {sys.argv[2]}"
env = zerogym.make("CartPole-v1", address=sys.argv[1])
obs, info = env.reset(seed=42)
steps = 0
while True:
    obs, reward, terminated, truncated, info = env.step(steps % 2)
    steps += 1
    if terminated or truncated:
        break
env.close()
cheetah = zerogym.make("HalfCheetah-v5", address=sys.argv[1])
obs, info = cheetah.reset(seed=0)
obs, reward, terminated, truncated, info = cheetah.step(cheetah.action_space.sample())
assert obs.shape == (17,), f"HalfCheetah-v5 observation shape {obs.shape}, expected (17,)"
cheetah.close()
print(f"zerogym {zerogym.__version__} from {zerogym.__file__}: a CartPole episode of {steps} steps, a HalfCheetah step")
"""


class CheckFailed(Exception):
    """A check's expectation that did not hold; its message is the test case's failure message."""


def run(command: list[str], cwd: Path, env: dict[str, str], timeout: float) -> str:
    """Runs ``command``; returns its stdout, or raises CheckFailed with its output when it fails."""
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise CheckFailed(f"`{' '.join(command)}` exited with {result.returncode}, expected 0:\n"
                          f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result.stdout


def clean_environment() -> dict[str, str]:
    """The caller's environment without anything pointing into the source tree."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "ZEROGYM_SERVER_CMD", "ZEROGYM_NESTOPIA_CORE", "VIRTUAL_ENV")}
    env["PIP_FIND_LINKS"] = ""  # a machine-wide wheel folder must not stand in for the wheel under test
    return env


class Server:
    """The bundle's zerogym-server, started with --bind on a free loopback port."""

    def __init__(self, bundle: Path, workdir: Path, env: dict[str, str]):
        self.log_path = workdir / "server.log"
        self.process = subprocess.Popen([str(bundle / "bin" / "zerogym-server"), "--bind", "tcp://127.0.0.1:*"],
                                        cwd=workdir, env=env, stdout=subprocess.PIPE, text=True,
                                        stderr=self.log_path.open("w"))
        line = self.process.stdout.readline()
        if not line.startswith(READY_PREFIX):
            self.stop()
            raise CheckFailed(f"the bundle's zerogym-server printed {line!r}, expected '{READY_PREFIX}ENDPOINT'; "
                              f"log:\n{self.log()[-3000:]}")
        self.address = line[len(READY_PREFIX):].strip()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def check_server_bundle(dist: Path, work: Path, env: dict[str, str], version: str) -> Server:
    archives = sorted(dist.glob("zerogym-server-*-linux-x64.tar.gz"))
    if len(archives) != 1:
        raise CheckFailed(f"expected one zerogym-server-*-linux-x64.tar.gz in dist/, found {[a.name for a in archives]}")
    with tarfile.open(archives[0]) as archive:
        archive.extractall(work / "host")
    bundle = work / "host" / archives[0].name.removesuffix(".tar.gz")
    printed = run([str(bundle / "bin" / "zerogym-server"), "--version"], work, env, 60).strip()
    if printed != version:
        raise CheckFailed(f"zerogym-server --version printed {printed!r}; the packages' version is {version!r}")
    return Server(bundle, work, env)


def check_python_wheel(dist: Path, work: Path, env: dict[str, str], server: Server, version: str) -> str:
    wheels = sorted((dist / "python").glob("zerogym-*.whl"))
    if [wheel.name for wheel in wheels] != [f"zerogym-{version}-py3-none-any.whl"]:
        raise CheckFailed(f"expected dist/python/zerogym-{version}-py3-none-any.whl alone, found {[w.name for w in wheels]}")
    venv = work / "venv"
    run([PYTHON, "-m", "venv", "--system-site-packages", str(venv)], work, env, 120)
    run([str(venv / "bin" / "pip"), "install", "--quiet", "--no-index", str(wheels[0])], work, env, 120)
    (work / "step_cartpole.py").write_text(PYTHON_SCRIPT)
    stepped = run([str(venv / "bin" / "python"), "step_cartpole.py", server.address, version], work, env, 120).strip()
    # Without py.typed mypy would not read an installed package's annotations ("missing library stubs").
    checked = run([str(venv / "bin" / "python"), "-m", "mypy", "--cache-dir", os.devnull, "step_cartpole.py"],
                  work, env, 300).strip()
    return f"{stepped}; mypy: {checked}"


def check_csharp_package(dist: Path, work: Path, env: dict[str, str], server: Server, version: str) -> str:
    package = dist / "nuget" / f"ZeroGym.Client.{version}.nupkg"
    if not package.is_file():
        raise CheckFailed(f"expected {package.name} in dist/nuget, found {sorted(p.name for p in (dist / 'nuget').glob('*'))}")
    with zipfile.ZipFile(package) as nupkg:
        readme = nupkg.read("README.md").decode()
    example = re.search(r"```csharp\n(.*?)```", readme, flags=re.DOTALL)
    if example is None:
        raise CheckFailed("the README.md inside ZeroGym.Client's package has no ```csharp example")
    app = work / "app"
    run(["dotnet", "new", "console", "--output", str(app), "--name", "App"], work, env, 180)
    # The copied feed first; the sources configured for this user (the registry) supply the dependencies. A private
    # packages folder, so that a ZeroGym.Client of the same version unpacked earlier cannot stand in for this one; the
    # user's folder as a read-only fallback, so that the dependencies need not be downloaded again.
    (app / "nuget.config").write_text(f"""<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <config><add key="globalPackagesFolder" value="{work / 'packages'}" /></config>
  <packageSources><add key="zerogym-dist" value="{dist / 'nuget'}" /></packageSources>
  <fallbackPackageFolders><add key="user" value="{Path.home() / '.nuget' / 'packages'}" /></fallbackPackageFolders>
</configuration>
""")
    run(["dotnet", "add", "package", "ZeroGym.Client", "--version", version], app, env, 300)
    if not (work / "packages" / "zerogym.client" / version).is_dir():
        raise CheckFailed("ZeroGym.Client was not restored from dist/nuget into the private packages folder")
    (app / "Program.cs").write_text(example.group(1).replace("tcp://127.0.0.1:5555", server.address)
                                    + '\nConsole.WriteLine("episode done");\n')
    made_before = server.log().count("event=env_made")
    output = run(["dotnet", "run", "-c", "Release"], app, env, 400)
    if "episode done" not in output or server.log().count("event=env_made") <= made_before:
        raise CheckFailed(f"the README's C# example did not make an env on the bundle's server; it printed:\n{output}")
    return output.strip()


def junit(cases: list[tuple[str, float, str | None]]) -> str:
    failures = sum(1 for _, _, failure in cases if failure)
    lines = [f'<testsuite name="outside-the-repository" tests="{len(cases)}" failures="{failures}">']
    for name, seconds, failure in cases:
        lines.append(f'  <testcase classname="outside" name="{name}" time="{seconds:.1f}">')
        if failure:
            lines.append(f"    <failure message={quoteattr(failure.splitlines()[0][:200])}>{escape(failure)}</failure>")
        lines.append("  </testcase>")
    lines.append("</testsuite>")
    return "\n".join(lines) + "\n"


def main(dist_arg: str, report: str) -> int:
    cases: list[tuple[str, float, str | None]] = []
    names = ["server_bundle", "python_wheel", "csharp_package"]
    with tempfile.TemporaryDirectory(prefix="zerogym-outside-") as temporary:
        work = Path(temporary)
        dist = work / "dist"
        server = None
        try:
            source = Path(dist_arg).resolve()
            if not source.is_dir():
                raise CheckFailed(f"no {source}: scripts/package did not produce it (see test-results/package.log)")
            shutil.copytree(source, dist)
            version = sorted((dist / "python").glob("zerogym-*.whl"))[0].name.split("-")[1]
            env = clean_environment()
        except (CheckFailed, OSError, IndexError) as error:
            for name in names:
                cases.append((name, 0.0, f"cannot start the checks: {error}"))
            Path(report).write_text(junit(cases))
            return 1

        def attempt(name: str, check) -> None:
            started = time.monotonic()
            try:
                detail = check()
                print(f"  {name}: passed{(' — ' + detail.splitlines()[-1]) if isinstance(detail, str) and detail else ''}")
                cases.append((name, time.monotonic() - started, None))
            except Exception as error:  # every failure, expected or not, is this case's result
                message = str(error) if isinstance(error, CheckFailed) else traceback.format_exc()
                print(f"  {name}: FAILED — {message}")
                cases.append((name, time.monotonic() - started, message))

        def bundle_check() -> str:
            nonlocal server
            server = check_server_bundle(dist, work, env, version)
            return f"zerogym-server {version} listening on {server.address}"

        try:
            attempt("server_bundle", bundle_check)
            for name, check in (("python_wheel", check_python_wheel), ("csharp_package", check_csharp_package)):
                if server is None:
                    cases.append((name, 0.0, "not run: the bundle's server did not start (see server_bundle)"))
                else:
                    attempt(name, lambda check=check: check(dist, work, env, server, version))
        finally:
            if server is not None:
                server.stop()
                if server.process.returncode != 0:  # the bundle's case fails: a server must stop cleanly
                    cases[0] = ("server_bundle", cases[0][1],
                                f"the bundle's server exited with {server.process.returncode} on SIGTERM, expected 0; "
                                f"log:\n{server.log()[-3000:]}")
    Path(report).write_text(junit(cases))
    return 1 if any(failure for _, _, failure in cases) else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
