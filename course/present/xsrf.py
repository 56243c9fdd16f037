"""Voila's pages and their ``_xsrf`` cookie; a leaf, so any server's configuration can
name the hook without importing Voila (about 0.9 s)."""

from __future__ import annotations

from typing import Any

from tornado.web import RequestHandler


def set_xsrf_cookie(handler: RequestHandler, *args: Any, **kwargs: Any) -> None:
    """Give a Voila page the ``_xsrf`` cookie that its kernel-shutdown request sends back.

    When its tab closes, Voila's page sends ``POST voila/api/shutdown/<kernel>`` with
    ``_xsrf`` read from ``document.cookie`` (the widgets-manager plugin of
    ``share/jupyter/voila/labextensions``). Tornado sets that cookie only when a
    handler reads ``xsrf_token``, and Voila's page handler never does: the request
    was refused (403 "'_xsrf' argument missing") and the kernel kept its seat until
    the server stopped. Also Voila's ``prelaunch_hook`` (``handler, notebook, cwd``),
    which is how the course server's ``/voila/render`` pages get the cookie.
    """
    _ = handler.xsrf_token  # reading it sets the cookie on the response
