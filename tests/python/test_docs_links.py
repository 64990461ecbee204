"""The project's Markdown files link to files that exist, and a link's #anchor names a heading of its target, as
GitHub renders them (the README sends readers to docs/performance.md by section)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LINK = re.compile(r"\]\(([^)\s]+)\)")
FENCE = re.compile(r"^(```|~~~)")


def markdown_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "*.md"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    return [REPO / name for name in listed.split()]


def prose_lines(path: Path) -> list[str]:
    """The file's lines outside fenced code blocks."""
    lines, in_code = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line.strip()):
            in_code = not in_code
        elif not in_code:
            lines.append(line)
    return lines


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped (hyphens and underscores kept), spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading's anchor; a repeated heading's later anchors get -1, -2, … as on GitHub."""
    seen: dict[str, int] = {}
    result = set()
    for line in prose_lines(path):
        match = re.match(r"#{1,6}\s+(.*)", line)
        if not match:
            continue
        base = slug(match.group(1))
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result


def test_slug_follows_githubs_rule():
    assert slug("3.3 Wrappers") == "33-wrappers"
    assert slug("SAC's update against TD3's") == "sacs-update-against-td3s"
    assert slug("Vector envs, synchronous and asynchronous") == "vector-envs-synchronous-and-asynchronous"
    assert slug("`ppo` (Box actions)") == "ppo-box-actions"


def test_a_repeated_heading_gets_a_numbered_anchor(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# Notes\n\n## Setup\n\n```\n# not a heading\n```\n\n## Setup\n", encoding="utf-8")
    assert anchors(page) == {"notes", "setup", "setup-1"}


@pytest.mark.parametrize("path", markdown_files(), ids=lambda path: str(path.relative_to(REPO)))
def test_relative_links_reach_a_file_and_a_heading(path: Path):
    problems = []
    for line in prose_lines(path):
        for target in LINK.findall(line):
            if re.match(r"[a-z][a-z0-9+.-]*:", target):
                continue  # a URL (http:, https:, mailto:)
            name, _, anchor = target.partition("#")
            linked = (path.parent / name).resolve() if name else path
            if not linked.exists():
                problems.append(f"{target}: no file {linked.relative_to(REPO) if linked.is_relative_to(REPO) else linked}")
            elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
                problems.append(f"{target}: no heading of {linked.relative_to(REPO)} has the anchor #{anchor}")
    assert not problems, f"{path.relative_to(REPO)}: " + "; ".join(problems)
