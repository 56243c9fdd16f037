"""The shell every cell runner shares: ipykernel's, built and prepared once in the fork server.

What the shell would work out again in every fork, the same each time, is
worked out here before the first fork: the first-use paths (``warm_up``), the
traceback colours (``share_traceback_colours``) and the preparation of the
source's own cells (``remember_cells``).
"""

from __future__ import annotations

import sys
from types import SimpleNamespace
from typing import Any

from course.grading.forked.runner import Publisher


def build_shell() -> Any:
    """ipykernel's shell, configured as nbclient starts a kernel; call once, before forking.

    History is off (a kernel keeps it in an in-memory SQLite file nothing reads
    back here), so the shell owns no thread and no open database at fork time.
    """
    from ipykernel.compiler import XCachingCompiler
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    shell = _grading_shell_class().instance(
        config=config,
        user_module=None,
        user_ns={},
        kernel=SimpleNamespace(eventloop=None, _allow_stdin=False),
        compiler_class=XCachingCompiler,
    )
    publisher = Publisher(key=b"")
    for hook in (shell.displayhook, shell.display_pub):
        hook.session = publisher
        hook.pub_socket = None
    shell.displayhook.topic = b"execute_result"
    return shell


class _KnownCells:
    """What the shell works out from the text of the assignment's own cells, worked out once.

    Every submission runs the source's test and given cells again, and for each
    the shell tokenizes the text three times: its input transformations, the
    top-level ``await`` check and the trailing-semicolon check, about a third of
    what running the cell costs. The fork server works these out before the
    first fork (``remember_cells``). Results are kept under the text's hash,
    never the text, so no kernel carries the source's hidden tests in memory;
    and transformations are reused only while the shell's transformers are
    those they were worked out with.
    """

    def __init__(self) -> None:
        self.suffix: dict[int, str] = {}  # what the transformations append (a final newline)
        self.run_async: dict[int, bool] = {}
        self.semicolon: dict[int, bool] = {}
        self.transformers: tuple[Any, ...] = ()

    @staticmethod
    def transformers_of(shell: Any) -> tuple[Any, ...]:
        manager = shell.input_transformer_manager
        return (
            manager,
            *manager.cleanup_transforms,
            None,
            *manager.line_transforms,
            None,
            *manager.token_transformers,
            None,
            *shell.input_transformers_post,
        )


_KNOWN = _KnownCells()


def remember_cells(shell: Any, sources: list[str]) -> None:
    """Work out the shell's findings on ``sources`` (see ``_KnownCells``); fork server only."""
    _KNOWN.transformers = _KNOWN.transformers_of(shell)
    for source in sources:
        try:
            transformed = shell.transform_cell(source)
        except Exception:  # the cell fails as it will in every kernel: nothing to remember
            continue
        suffix = transformed[len(source) :]
        # one-line cells go through the prefilter, which depends on the namespace
        if transformed.startswith(source) and suffix in ("", "\n") and "\n" in source.strip():
            _KNOWN.suffix[hash(source)] = suffix
        key = hash(transformed)
        _KNOWN.run_async[key] = shell.should_run_async(source, transformed_cell=transformed)
        _KNOWN.semicolon[key] = shell.displayhook.semicolon_at_end_of_expression(transformed)


def _grading_shell_class() -> Any:
    from ipykernel.displayhook import ZMQShellDisplayHook
    from ipykernel.zmqshell import ZMQInteractiveShell
    from traitlets import Type

    class GradingDisplayHook(ZMQShellDisplayHook):
        @staticmethod
        def semicolon_at_end_of_expression(expression: str) -> bool:
            known = _KNOWN.semicolon.get(hash(expression))
            if known is not None:
                return known
            return bool(ZMQShellDisplayHook.semicolon_at_end_of_expression(expression))

    class GradingShell(ZMQInteractiveShell):
        """ipykernel's shell minus the second formatting of every traceback, plus ``_KNOWN``.

        IPython formats each error twice: once for the error output, once more
        for ``history_manager.exceptions``, which only history tools read and
        which is gone with the process here. The second one is skipped; the
        error output is untouched.
        """

        displayhook_class = Type(GradingDisplayHook)

        def _format_exception_for_storage(
            self, exception: BaseException, *args: Any, **kw: Any
        ) -> dict[str, Any]:
            return {"ename": type(exception).__name__, "evalue": str(exception), "traceback": []}

        def transform_cell(self, raw_cell: str) -> str:
            suffix = _KNOWN.suffix.get(hash(raw_cell))
            if suffix is not None and _KNOWN.transformers == _KNOWN.transformers_of(self):
                return raw_cell + suffix
            transformed: str = super().transform_cell(raw_cell)  # type: ignore[no-untyped-call]
            return transformed

        def should_run_async(
            self,
            raw_cell: str,
            *,
            transformed_cell: Any = None,
            preprocessing_exc_tuple: Any = None,
        ) -> bool:
            if self.autoawait and preprocessing_exc_tuple is None and transformed_cell is not None:
                known = _KNOWN.run_async.get(hash(transformed_cell))
                if known is not None:
                    return known
            return super().should_run_async(
                raw_cell,
                transformed_cell=transformed_cell,
                preprocessing_exc_tuple=preprocessing_exc_tuple,
            )

    return GradingShell


def share_traceback_colours() -> None:
    """Make IPython's traceback colouring be built once per style, not once per traceback.

    For every traceback, ``VerboseTB.get_records`` derives a new pygments style
    class (``stack_data.style_with_executing_node``) and a new
    ``Terminal256Formatter`` from it, which maps every token colour to the
    256-colour palette: over half of what a failing test cell costs. Both
    depend only on the theme's style and highlight, so the same ones are
    returned; the warm-up traceback builds them before the first fork. Call in
    the fork server only.
    """
    import functools

    import stack_data
    from pygments.formatters import terminal256

    # IPython looks it up on the package at each traceback, so the package's name is replaced.
    stack_data.style_with_executing_node = functools.cache(  # type: ignore[attr-defined]
        stack_data.style_with_executing_node  # type: ignore[attr-defined]
    )
    terminal256.Terminal256Formatter = _built_once_per_options(terminal256.Terminal256Formatter)


def _built_once_per_options(formatter: type) -> type:
    """``formatter``, whose instances copy the state of the first one built with equal options."""

    built: dict[tuple[Any, ...], dict[str, Any]] = {}

    class Formatter(formatter):  # type: ignore[misc]  # a class known only at run time
        def __init__(self, **options: Any) -> None:
            key = tuple(sorted(options.items()))
            try:
                state = built.get(key)
            except TypeError:  # an unhashable option: built as usual
                super().__init__(**options)
                return
            if state is not None:
                self.__dict__.update(state)
                return
            super().__init__(**options)
            built[key] = dict(self.__dict__)

    Formatter.__name__ = Formatter.__qualname__ = formatter.__name__
    Formatter.__module__ = formatter.__module__
    return Formatter


def warm_up(shell: Any) -> None:
    """Run the shell's first-use paths after the preloads, so every fork shares them warm.

    IPython's tracebacks ask ``inspect.getmodule`` about each frame, which maps
    every module in ``sys.modules`` to its file on first use (thousands with
    pandas and matplotlib loaded); the display formatters and the cell machinery
    import and cache on first use too. A silent cell leaves no trace: no
    execution count, no history, no output.
    """
    try:
        exec(compile("1 / 0", "<warm-up>", "exec"), {})
    except ZeroDivisionError:
        etype, value, tb = sys.exc_info()
        shell.InteractiveTB.structured_traceback(etype, value, tb)
    shell.display_formatter.format([0.5, "text", {"key": (1, None)}])
    shell.run_cell("pass", store_history=False, silent=True)
