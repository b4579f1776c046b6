"""The documents stay true to the code: every folder and periodic job is described, and every file
they cite is in the repository (a newcomer follows these links first)."""

import re
import subprocess
from pathlib import Path

import pytest

from socialdesk.jobs import registry

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md"), ROOT / "bench" / "README.md"])
# A file name in backticks or a Markdown link: `web/deps.py`, `tests/test_isolation.py:name`, (docs/x.md)
CITED = re.compile(r"`([\w./-]+\.(?:py|md|sh|toml|html|css|js|json|npz|txt))(?::[\w.]+)?`|\]\(([\w./-]+\.md)\)")


def _repository_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    return ["/" + line for line in listed.splitlines()]


def _architecture() -> str:
    return (ROOT / "docs" / "architecture.md").read_text()


def test_architecture_lists_every_package_folder():
    folders = sorted(p.name for p in (ROOT / "socialdesk").iterdir() if p.is_dir() and (p / "__init__.py").exists())
    text = _architecture()
    assert [f for f in folders if f"`{f}/`" not in text] == []


def test_architecture_lists_every_periodic_job():
    registry.load_task_modules()
    text = _architecture()
    assert sorted(name for name in registry.PERIODIC if f"`{name}`" not in text) == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_documents_cite_only_files_in_the_repository(document: Path):
    text = document.read_text()
    assert "shared/" not in text and "DESIGN" not in text, "cites a file outside the repository"
    files = _repository_files()
    missing = []
    for match in CITED.finditer(text):
        cited = match.group(1) or match.group(2)
        if cited.startswith(("http", "~", "/")) or "*" in cited:
            continue
        # A citation names a file by its path, or by its tail inside the folder the text is about.
        tail = "/" + cited.lstrip("./").removeprefix("../")
        if not any(path.endswith(tail) for path in files):
            missing.append(cited)
    assert missing == []
