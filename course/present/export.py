"""Static copies of the presentation apps, for learners to look back after the session.

Each app is executed once (no server needed) and written as HTML with the widget
state embedded, so its widgets show the state they had; they no longer compute.
The page uses the kit's ``course-app`` template (header, accessibility fixes) and
loads nothing from a network: the widget renderer and its fonts are copied from the
kit into ``site/apps/assets/`` beside the pages, so the site works offline.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

from course.kernels import private_kernel
from course.plan import Course
from course.present.serve import header, template_folders

SITE_APPS = Path("site") / "apps"
HERE = Path(__file__).resolve().parent
WIDGETS = HERE / "static" / "widgets"
TEMPLATES = HERE / "templates"
ASSETS = "assets"
T = TypeVar("T")


def exported_name(notebook: str | Path) -> str:
    """The file name of a presentation notebook's static copy inside ``site/apps``."""
    return f"{Path(notebook).stem}.html"


def export_apps(course: Course, timeout: int = 180, *, log: Path | None = None) -> list[Path]:
    """Write every module's ``present`` notebook to ``<data>/site/apps/<name>.html``.

    The kernels' own output (not the cells') goes to ``log``, if given.
    """
    sources = [course.root / m.live.present for m in course.modules if m.live and m.live.present]
    if not sources:
        return []
    target = course.data_path / SITE_APPS
    target.mkdir(parents=True, exist_ok=True)
    copy_assets(target / ASSETS)
    return _run_to_end(lambda: _export_all(course, sources, target, timeout, log))


def _run_to_end(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """``asyncio.run``, also where an event loop already runs in this thread (a notebook's
    kernel, Playwright's sync API): then in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(lambda: asyncio.run(make())).result()


async def _export_all(
    course: Course, sources: list[Path], target: Path, timeout: int, log: Path | None
) -> list[Path]:
    jobs = [_export_one(course, source, target, timeout, log) for source in sources]
    return list(await asyncio.gather(*jobs))


async def _export_one(
    course: Course, source: Path, target: Path, timeout: int, log: Path | None
) -> Path:
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
    exporter = HTMLExporter(
        template_name="course-app",
        extra_template_basedirs=[str(TEMPLATES)],
        widget_renderer_url=f"{ASSETS}/widgets/embed.js",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    # The kit's Voila templates (for the shared header) before Jupyter's own folders.
    exporter.template_paths = [*template_folders(), *exporter.template_paths]
    resources = {"metadata": {"name": source.stem}, "course": header(course)}
    html, _ = exporter.from_notebook_node(notebook, resources=resources)
    path = target / exported_name(source)
    path.write_text(html, encoding="utf-8")
    return path


def copy_assets(folder: Path) -> Path:
    """The kit's widget renderer (html-manager's ``embed.js`` and its fonts) in ``folder``."""
    shutil.copytree(WIDGETS, folder / "widgets", dirs_exist_ok=True)
    return folder
