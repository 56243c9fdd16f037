"""Fail when a test file under tests/ is not collected by pytest.

pytest silently passes over some folders (its default ``norecursedirs`` holds
``build``, ``dist``, ``*.egg`` and dot-folders) and over a module that skips at
import; 18 tests once went unrun that way. ``make test`` runs this first:
``python -m tests.check_collection`` lists every ``test_*.py`` below tests/ that
yields no test item, and exits 1 if there is any.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def uncollected(root: Path, folder: str = "tests") -> list[str]:
    """Test files under ``root/folder`` that pytest collects no test from, as relative paths."""
    files = {
        str(path.relative_to(root))
        for pattern in ("test_*.py", "*_test.py")
        for path in (root / folder).rglob(pattern)
    }
    listing = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", folder],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    collected = {line.split("::", 1)[0] for line in listing.stdout.splitlines() if "::" in line}
    return sorted(files - collected)


def main() -> int:
    missing = uncollected(ROOT)
    for path in missing:
        print(f"not collected by pytest: {path}", file=sys.stderr)
    if missing:
        print(
            f"{len(missing)} test file(s) would never run: rename the folder pytest skips "
            "(build, dist, dot-folders) or fix the module-level skip or import error.",
            file=sys.stderr,
        )
        return 1
    print("every test file under tests/ is collected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
