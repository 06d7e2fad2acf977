"""The repository stands alone: every docs/ reference resolves inside it, nothing points outside.

- Every `docs/<name>.md` named in app/, bench/, tests/ and README.md exists; a quoted section
  after it (`docs/metrics.md "Episode metrics"`) is a heading or a bold term of that document,
  and a `§N.M` after docs/clinical_reference.md is one of its numbered sections.
- Every relative Markdown link in README.md and docs/*.md names an existing file, and its
  `#anchor`, when it has one, a heading of that file (GitHub's heading slugs).
- No file of the repository mentions `../shared` (the specification folder outside it).
"""
from __future__ import annotations

import re
import subprocess
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
THIS = Path(__file__).resolve()
CITING = ("app", "bench", "tests")
SKIP_DIRS = {".git", ".venv", "venv", "build", "dist", "__pycache__", ".pytest_cache",
             ".ruff_cache", ".hypothesis", "node_modules"}

DOC_REFERENCE = re.compile(r"docs/([A-Za-z0-9_\-]+(?:/[A-Za-z0-9_\-]+)*\.md)")
QUOTED_SECTION = re.compile(r'docs/([A-Za-z0-9_\-]+\.md),?\s+"([^"\n]+)"')
NUMBERED_SECTIONS = re.compile(
    r"docs/clinical_reference\.md,?\s+((?:§[\d.]+\s*(?:[–-]|and|,)?\s*)+)")
SECTION_NUMBER = re.compile(r"§(\d+(?:\.\d+)*)")
MARKDOWN_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
BOLD = re.compile(r"\*\*([^*\n]+)\*\*")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def repository_files() -> list[Path]:
    """Tracked and new (not ignored) files; a plain walk when git is not available."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT, capture_output=True, check=True).stdout.decode("utf-8", "replace")
        paths = [ROOT / name for name in listed.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        paths = [p for p in ROOT.rglob("*") if not SKIP_DIRS & set(p.relative_to(ROOT).parts)]
    return sorted({p for p in paths if p.is_file()})


def text_of(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None


def citing_files() -> list[Path]:
    files = [ROOT / "README.md"]
    for folder in CITING:
        files += [p for p in sorted((ROOT / folder).rglob("*"))
                  if p.is_file() and not SKIP_DIRS & set(p.relative_to(ROOT).parts)]
    return [p for p in files if p.resolve() != THIS]


def citations() -> list[tuple[Path, str]]:
    found = []
    for path in citing_files():
        text = text_of(path)
        if text is not None:
            found.append((path, text))
    return found


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    return re.sub(r"[^\w\- ]", "", plain.strip().lower()).replace(" ", "-")


@cache
def headings(path: Path) -> tuple[str, ...]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return tuple(HEADING.findall(text))


@cache
def anchors(path: Path) -> frozenset[str]:
    seen: dict[str, int] = {}
    result = set()
    for heading in headings(path):
        base = slug(heading)
        count = seen.get(base, 0)
        result.add(base if count == 0 else f"{base}-{count}")
        seen[base] = count + 1
    return frozenset(result)


def section_names(path: Path) -> tuple[str, ...]:
    text = path.read_text(encoding="utf-8")
    return tuple(h.lower() for h in headings(path)) + tuple(b.lower() for b in BOLD.findall(text))


def where(path: Path, text: str, index: int) -> str:
    return f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, index) + 1}"


# -- the tests ---------------------------------------------------------------------------------
def test_the_documents_the_code_relies_on_exist():
    for name in ("metrics.md", "reliability.md", "product.md", "clinical_reference.md",
                 "architecture.md", "house_style.md", "README.md"):
        assert (DOCS / name).is_file(), f"docs/{name} is missing"
    for name in ("visits_public.csv", "expected_public.json"):
        assert (ROOT / "tests" / "data" / name).is_file(), f"tests/data/{name} is missing"


def test_every_docs_reference_names_an_existing_file():
    missing = []
    count = 0
    for path, text in citations():
        for match in DOC_REFERENCE.finditer(text):
            count += 1
            if not (DOCS / match.group(1)).is_file():
                missing.append(f"{where(path, text, match.start())}: docs/{match.group(1)}")
    assert count > 0, "no docs/ references found: is the search looking in the right place?"
    assert not missing, "references to missing documents:\n" + "\n".join(missing)


def test_every_quoted_section_exists_in_its_document():
    missing = []
    for path, text in citations():
        for match in QUOTED_SECTION.finditer(text):
            document, section = DOCS / match.group(1), match.group(2).strip().lower()
            if not document.is_file():
                continue  # reported by the test above
            if not any(section in name for name in section_names(document)):
                missing.append(f"{where(path, text, match.start())}: docs/{match.group(1)} "
                               f"has no section {match.group(2)!r}")
    assert not missing, "cited sections that do not exist:\n" + "\n".join(missing)


def test_every_cited_clinical_reference_section_exists():
    document = DOCS / "clinical_reference.md"
    numbered = {m.group(1) for h in headings(document) for m in SECTION_NUMBER.finditer(h)}
    assert {"1", "2.7", "6.2", "9"} <= numbered
    missing = []
    for path, text in citations():
        for match in NUMBERED_SECTIONS.finditer(text):
            for number in SECTION_NUMBER.findall(match.group(1)):
                if number not in numbered:
                    missing.append(f"{where(path, text, match.start())}: §{number}")
    assert not missing, "clinical_reference.md has no such section:\n" + "\n".join(missing)


@pytest.mark.parametrize("document", ["README.md", *sorted(
    f"docs/{p.name}" for p in DOCS.glob("*.md"))])
def test_relative_links_resolve(document):
    path = ROOT / document
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    broken = []
    for target in MARKDOWN_LINK.findall(text):
        if re.match(r"^[a-z][a-z0-9+.\-]*:", target):  # http:, https:, mailto:
            continue
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif not linked.is_relative_to(ROOT):
            broken.append(f"{target}: outside the repository")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{target}: no heading with that anchor")
    assert not broken, f"{document}:\n" + "\n".join(broken)


def test_slugs_follow_github():
    assert slug("9. The `summary --json` schema") == "9-the-summary---json-schema"
    assert slug("§2.7 PUSH tool 3.0 (0–17; 0 = healed)") == "27-push-tool-30-017-0--healed"


def test_nothing_points_outside_the_repository():
    needle = b"../" + b"shared"
    offenders = [str(p.relative_to(ROOT)) for p in repository_files()
                 if p.resolve() != THIS and needle in p.read_bytes()]
    assert not offenders, "files that refer outside the repository: " + ", ".join(offenders)
