"""What the fork server prepares before its first fork: the source's imports and cells.

Every module preloaded is shared by all forks, so a notebook that imports
pandas pays nothing for it; but every module also makes each fork's first
tracebacks slower (IPython's ``inspect.getmodule`` walks all of
``sys.modules``). Preloading exactly what the instructor's source imports keeps
both small: a pure-Python exercise gets a lean server, a pandas exercise a
warm pandas. A student who imports something else pays for that import, as in
a fresh kernel.

The source's code cells themselves are run through the shell's preparation
steps once (``shell.remember_cells``): every submission runs its test cells.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable
from pathlib import Path

# Imported with their parent, as an exercise using them almost always does next.
COMPANIONS = {"matplotlib": ("matplotlib.pyplot",)}


def assignment_code(source: Path) -> list[str]:
    """The code cells of the notebooks of an assignment's source folder.

    The notebooks are read as plain JSON: importing nbformat would add a fifth
    of a second to the fork server's start, and nothing else there needs it. A
    notebook this cannot read gives no cells; its kernels only start colder.
    """
    return [cell for path in sorted(source.glob("*.ipynb")) for cell in _code_cells(path)]


def imports(cells: Iterable[str]) -> list[str]:
    """Top-level modules (and ``import a.b`` paths) the code ``cells`` import."""
    found: set[str] = set()
    for cell in cells:
        found |= _imports(cell)
    for name in list(found):
        found.update(COMPANIONS.get(name, ()))
    return sorted(found)


def _code_cells(path: Path) -> list[str]:
    """The sources of a v4 notebook's code cells; none if the file is not one."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        return [
            "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            for cell in cells
            if cell.get("cell_type") == "code"
        ]
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        return []


def _imports(source: str) -> set[str]:
    """Imports of one cell; lines IPython would transform (magics, ``!``) are left out."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names
