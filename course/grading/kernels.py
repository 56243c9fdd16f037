"""Which kernel a notebook asks for, judged as ``nbgrader autograde`` would start it.

nbgrader starts the kernel the (source-overwritten) kernelspec names, through
jupyter_client: a name no installed kernelspec has fails the submission. The
kit runs every notebook on its own forked Python runner instead, so it also
refuses a kernel of another language, which it cannot run (a deliberate
difference: nbgrader would run an R or Julia notebook on its kernel).
"""

from __future__ import annotations

import functools

from jupyter_client.kernelspec import NATIVE_KERNEL_NAME, KernelSpecManager, NoSuchKernel
from nbformat.notebooknode import NotebookNode


def kernel_problem(nb: NotebookNode) -> str | None:
    """Why the kit cannot run ``nb`` where nbgrader would start its kernel; None if it can."""
    name = nb.metadata.get("kernelspec", {}).get("name") or NATIVE_KERNEL_NAME
    if name == "python":  # jupyter_client's alias for the kernel it runs itself
        name = NATIVE_KERNEL_NAME
    language = _language(name)
    if language is None:
        return f"no kernel named {name!r} is installed (nbgrader fails here too)"
    if language.lower() != "python":
        return (
            f"kernel {name!r} runs {language}; the kit's sandboxed runner runs Python only "
            "(a deliberate difference from nbgrader)"
        )
    return None


@functools.cache
def _language(name: str) -> str | None:
    try:
        return KernelSpecManager().get_kernel_spec(name).language
    except NoSuchKernel:
        return None
