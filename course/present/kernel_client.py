"""The kernel client Voila's executors use here: its sends cannot strand a kernel reply.

Why (issue 6, the render that streamed heartbeats forever at the app's widget cell):
jupyter_client's ``Session.send`` turns an asyncio socket into a plain shadow of it
before sending (``jupyter_client/session.py``, ``send``), so pyzmq's asyncio wrapper never
sees the send. A send on a ZMQ socket also processes the socket's pending commands,
which clears its edge-triggered ``ZMQ_FD``; when a reply reached the same socket
just before, the event loop is never woken for it and a coroutine awaiting
``socket.poll()`` waits forever with the reply sitting in the socket (libzmq's
``ZMQ_FD`` documentation: check ``ZMQ_EVENTS`` after every send). nbclient does exactly
this during a cell that uses an Output widget: it waits for ``execute_reply`` with
``shell_channel.get_msg(timeout=None)`` while its Output-widget mimic sends
``comm_msg`` updates on the same shell socket (``nbclient/output_widget.py``,
``_publish_msg``). ipykernel 7.4 fixed the same wedge on its side of the shell socket
(``ipykernel/subshell_manager.py``, ``_send_on_shell_channel``).

The fix: after every send, read ``ZMQ_EVENTS`` through the asyncio socket, which makes
pyzmq schedule any receive or poll the send may have starved.
"""

from __future__ import annotations

from typing import Any

import zmq
from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from traitlets import Type


class RearmedChannel(AsyncZMQSocketChannel):
    """A kernel channel that re-arms its asyncio socket after each (raw) send."""

    def send(self, msg: dict[str, Any]) -> None:
        super().send(msg)
        if self.socket is not None:
            # The asyncio socket's get(EVENTS) reschedules pending recv/poll futures.
            self.socket.get(zmq.EVENTS)


class CourseKernelClient(AsyncKernelClient):
    """``AsyncKernelClient`` whose request channels cannot strand a reply (see module doc)."""

    shell_channel_class = Type(RearmedChannel)
    control_channel_class = Type(RearmedChannel)
    stdin_channel_class = Type(RearmedChannel)
