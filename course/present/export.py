"""Static copies of the presentation apps, for learners to look back after the session.

Each app is executed once (no server needed) and written as HTML with the widget
state embedded, so its widgets show the state they had; they no longer compute.
The widget renderer loads from a CDN, so the widgets themselves need a network;
the notebook's text and the page around them do not.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

from course.kernels import private_kernel
from course.plan import Course, Module
from course.present.serve import header

SITE_APPS = Path("site") / "apps"


def exported_name(notebook: str | Path) -> str:
    """The file name of a presentation notebook's static copy inside ``site/apps``."""
    return f"{Path(notebook).stem}.html"


def export_apps(course: Course, timeout: int = 180, *, log: Path | None = None) -> list[Path]:
    """Write every module's ``present`` notebook to ``<data>/site/apps/<name>.html``.

    The kernels' own output (not the cells') goes to ``log``, if given.
    """
    modules = [m for m in course.modules if m.live and m.live.present]
    if not modules:
        return []
    target = course.data_path / SITE_APPS
    target.mkdir(parents=True, exist_ok=True)
    return asyncio.run(_export_all(course, modules, target, timeout, log))


async def _export_all(
    course: Course, modules: list[Module], target: Path, timeout: int, log: Path | None
) -> list[Path]:
    jobs = [_export_one(course, m, target, timeout, log) for m in modules]
    return list(await asyncio.gather(*jobs))


async def _export_one(
    course: Course, module: Module, target: Path, timeout: int, log: Path | None
) -> Path:
    source = course.root / module.live.present
    notebook = nbformat.read(source, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        store_widget_state=True,
        resources={"metadata": {"path": str(source.parent)}},
        **private_kernel(log),
    )
    await client.async_execute()
    title = header(course)
    banner = f"**{title['title']}** · {title['modules'].get(source.stem, module.title)}"
    notebook.cells.insert(0, nbformat.v4.new_markdown_cell(banner))
    exporter = HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True)
    exporter.exclude_output_prompt = True
    html, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": source.stem}})
    path = target / exported_name(source)
    path.write_text(html, encoding="utf-8")
    return path
