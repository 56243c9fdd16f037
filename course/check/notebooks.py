"""Run notebooks top to bottom in fresh kernels, as a learner would, and say where they break."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from course.check.result import Verdict
from course.kernels import private_kernel

CELL_TIMEOUT = 120


def run_notebook(
    path: Path,
    *,
    label: str | None = None,
    timeout: int = CELL_TIMEOUT,
    env: dict[str, str] | None = None,
    kernel_output: Path | None = None,
) -> Verdict:
    """Execute ``path`` in its own folder; the notebook on disk is never modified.

    ``env`` is added to the kernel's environment: ``course check`` uses it to make
    exercises prove their reference solutions and to keep events out of real stores.
    The kernel's own output (not the cells') goes to ``kernel_output``, if given.
    """
    name = label or str(path)
    try:
        notebook = nbformat.read(path, as_version=4)
    except (OSError, ValueError) as error:  # missing file, not JSON, not UTF-8
        return Verdict("notebook", name, False, f"cannot be read as a notebook: {error}")
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        **private_kernel(kernel_output),
    )
    try:
        client.execute(env={**os.environ, **(env or {})})
    except CellTimeoutError:
        return Verdict(
            "notebook", name, False, f"{_failing_cell(notebook)}: timed out after {timeout} s"
        )
    except CellExecutionError as error:
        detail = f"{error.ename}: {error.evalue}".strip(": ")
        return Verdict("notebook", name, False, f"{_failing_cell(notebook)}: {detail}")
    except DeadKernelError:
        return Verdict("notebook", name, False, f"{_failing_cell(notebook)}: the kernel died")
    return Verdict("notebook", name, True, f"{len(notebook.cells)} cells ran")


def run_notebooks(
    paths: dict[str, Path],
    *,
    jobs: int = 2,
    env: dict[str, str] | None = None,
    kernel_output: Path | None = None,
) -> list[Verdict]:
    """Run several notebooks at once; each kernel is its own process, so threads are enough."""
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [
            pool.submit(run_notebook, path, label=label, env=env, kernel_output=kernel_output)
            for label, path in paths.items()
        ]
        return [future.result() for future in futures]


def _failing_cell(notebook: nbformat.NotebookNode) -> str:
    """The first code cell with an error output, or the last one that started, as ``cell N``."""
    started = 0
    for index, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code":
            continue
        if any(output.get("output_type") == "error" for output in cell.get("outputs", [])):
            return f"cell {index}"
        if cell.get("execution_count"):
            started = index
    return f"cell {started + 1}" if started else "cell 1"
