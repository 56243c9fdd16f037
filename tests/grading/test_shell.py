"""The runner's shell gives the same transformations and checks for remembered cells, text-free."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = r"""
import json, os, tempfile
os.environ["IPYTHONDIR"] = tempfile.mkdtemp()
from course.grading.forked import shell as prepared

shell = prepared.build_shell()
cells = [
    "def f(x):\n    return x * 2\n",
    "x = f(2)\nx;",
    "%time y = 1\nz = 2",
    "import asyncio\nawait asyncio.sleep(0)",
    "!echo hi\nq = 3",
    "assert f(2) == 5, 'hidden test'",
    "SECRET_HIDDEN_TEST = 41\nSECRET_HIDDEN_TEST + 1",
]

def findings():
    out = []
    for cell in cells:
        t = shell.transform_cell(cell)
        out.append([t, shell.should_run_async(cell, transformed_cell=t),
                    shell.displayhook.semicolon_at_end_of_expression(t)])
    return out

plain = findings()
prepared.remember_cells(shell, cells)
remembered = findings()
kept = [prepared._KNOWN.suffix, prepared._KNOWN.run_async, prepared._KNOWN.semicolon]
shell.input_transformers_post.append(lambda lines: [x.replace("z = 2", "z = 3") for x in lines])
changed = shell.transform_cell(cells[2])
print(json.dumps({
    "plain": plain,
    "remembered": remembered,
    "hits": len(prepared._KNOWN.suffix),
    "keys_are_hashes": all(isinstance(k, int) for d in kept for k in d),
    "text_kept": any("SECRET" in repr(v) for d in kept for v in d.values()),
    "changed": changed,
}))
"""


def test_remembered_cells_give_the_shells_own_results():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["remembered"] == found["plain"]
    assert found["hits"] >= 4  # the multi-line cells were remembered, not recomputed
    assert found["keys_are_hashes"] and not found["text_kept"]
    assert "z = 3" in found["changed"]  # a transformer added later is honoured
