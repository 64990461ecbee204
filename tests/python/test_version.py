"""One version for every part of ZeroGym (edited in clients/python/zerogym/version.py, read by Directory.Build.props):
the Python client, the server's ``--version`` and ``hello``, the C# projects, and a CHANGELOG section for it."""

from __future__ import annotations

import re
import subprocess

import zerogym
from conftest import REPO, SERVER_DLL
from zerogym.connection import Connection

VERSION_FILE = REPO / "clients" / "python" / "zerogym" / "version.py"


def test_the_python_client_reports_the_version_its_file_holds() -> None:
    written = re.search(r'__version__ = "([^"]+)"', VERSION_FILE.read_text()).group(1)
    assert re.fullmatch(r"\d+\.\d+\.\d+", written), f"version.py holds {written!r}; expected MAJOR.MINOR.PATCH"
    assert zerogym.__version__ == written


def test_server_version_flag_prints_the_python_clients_version() -> None:
    result = subprocess.run(["dotnet", str(SERVER_DLL), "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == zerogym.__version__, \
        f"zerogym-server --version printed {result.stdout.strip()!r}; zerogym.__version__ is {zerogym.__version__!r}"


def test_hello_reports_the_python_clients_version(address: str) -> None:
    connection = Connection(address, timeout=30.0)
    try:
        reply = connection.hello()
    finally:
        connection.close()
    assert reply["version"] == zerogym.__version__, \
        f"the server's hello says version {reply['version']!r}; zerogym.__version__ is {zerogym.__version__!r}"


def test_the_changelog_has_a_section_for_the_version() -> None:
    changelog = (REPO / "CHANGELOG.md").read_text()
    released = re.findall(r"^## \[(\d+\.\d+\.\d+)\]", changelog, flags=re.MULTILINE)
    assert released, "CHANGELOG.md has no '## [X.Y.Z] - DATE' section"
    assert released[0] == zerogym.__version__, \
        f"CHANGELOG.md's newest section is {released[0]}; the version is {zerogym.__version__}: say what it changed"


def test_python_and_csharp_packages_declare_the_same_licence() -> None:
    props = (REPO / "Directory.Build.props").read_text()
    pyproject = (REPO / "clients" / "python" / "pyproject.toml").read_text()
    csharp = re.search(r"<PackageLicenseExpression>([^<]+)</PackageLicenseExpression>", props).group(1)
    python = re.search(r'^license = \{ text = "([^"]+)" \}', pyproject, flags=re.MULTILINE).group(1)
    assert python == csharp, f"pyproject.toml declares licence {python!r}, Directory.Build.props {csharp!r}"
