"""The schema migrations (Alembic) and the newest revision their scripts declare."""
from __future__ import annotations

import functools
import re
from pathlib import Path

MIGRATIONS = Path(__file__).parent  # alembic.ini's script location


_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]",
                            re.MULTILINE)


@functools.lru_cache(maxsize=1)
def newest_revision() -> str | None:
    """The head of app/migrations/versions from the scripts' own `revision` lines, without
    importing Alembic (a quarter of a second at start-up); None unless they form one chain
    with a single head, and then Alembic decides."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(_REVISION_LINE.findall(script.read_text(encoding="utf-8")))
        if "revision" not in found:
            return None
        revisions.add(found["revision"])
        if "down_revision" in found:
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None
