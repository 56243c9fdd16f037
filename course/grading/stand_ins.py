"""Stand-ins for modules grading imports but never uses, each costly to import.

nbformat and nbgrader import them for functions grading never calls; a
stand-in with the same functions takes their place in ``sys.modules`` and
loads the real module the first time one of them is called.

Installed only where grading runs: ``course.grading.grade`` installs them
before it imports the engine (nbgrader, nbformat), and the fork server before
it preloads the assignment's imports. ``import course.grading`` installs
nothing, so a Jupyter server or a notebook that imports the kit sees the real
modules. Where a stand-in is in place it is transparent: any other public name
(``from setuptools.archive_util import UnrecognizedFormat``) also loads the
real module, which then replaces the stand-in in ``sys.modules``. Dunder names
(``__file__``, ``__path__``) are not forwarded: the import system and
``inspect.getmodule`` probe them on every module, and must not load it.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from collections.abc import Callable
from typing import Any

STAND_INS = {
    # jsonschema imports it to register its ``iri`` format checker, and the import
    # compiles a Lark grammar (0.5 s quiet, seconds on a loaded machine); neither
    # nbformat (Draft 4, no format checker) nor nbgrader checks formats.
    "rfc3987_syntax": ("is_valid_syntax",),
    # nbgrader.utils imports it to unzip collected archives; it imports setuptools
    # and pkg_resources (0.25 s before the first notebook can be graded).
    "setuptools.archive_util": ("unpack_archive", "unpack_tarfile", "unpack_zipfile"),
    # ``import nbgrader`` imports its four Jupyter server extensions (their handlers,
    # nbgrader's apps, the exchange, jupyter_server, tornado: 0.5 s quiet, half of what
    # grading imports before its first notebook) only to name their loaders. A grading
    # process loads no server extension; a server that calls a loader gets the real one.
    # (A stand-in is no package: importing a module below it fails while it is in place.)
    # nbconvert imports its postprocessors (the ``serve`` one imports tornado: 0.1 s
    # quiet) for the nbconvert app; grading runs preprocessors only.
    "nbconvert.postprocessors": (),
    **{
        f"nbgrader.server_extensions.{extension}": ("load_jupyter_server_extension",)
        for extension in ("assignment_list", "course_list", "validate_assignment", "formgrader")
    },
}


class StandIn(types.ModuleType):
    """A module in name only: its functions, and any other public name, load the real one."""

    def __init__(self, name: str, functions: tuple[str, ...]) -> None:
        super().__init__(name, f"Stand-in for {name}, loaded on first use (course.grading).")
        for function in functions:
            setattr(self, function, self._forward(function))

    def _forward(self, function: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            return getattr(self._real(), function)(*args, **kwargs)

        call.__name__ = function
        return call

    def _real(self) -> types.ModuleType:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return importlib.import_module(self.__name__)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._real(), name)


def install() -> None:
    """Put the stand-ins in ``sys.modules``; a module already imported (or absent) is left alone."""
    for name, functions in STAND_INS.items():
        top = name.partition(".")[0]
        if name in sys.modules or top in sys.modules or importlib.util.find_spec(top) is None:
            continue
        sys.modules[name] = StandIn(name, functions)
