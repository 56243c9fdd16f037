"""The kernel client of the kit's Voila: a send on the shell socket cannot strand a reply.

Issue 6: nbclient waits for ``execute_reply`` with ``shell_channel.get_msg(timeout=None)``
while its Output-widget mimic sends ``comm_msg`` on the same socket; a reply that lands
just before such a send was never read and the render streamed heartbeats forever.
These tests replay that order of events deterministically on loopback.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import zmq
import zmq.asyncio
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_client.session import Session

from course.present.kernel_client import CourseKernelClient, RearmedChannel
from course.present.voila_app import CourseVoila

REPO = Path(__file__).resolve().parents[2]


async def reply_read_after_a_send(channel_class: type[AsyncZMQSocketChannel]) -> bool:
    """Wait for a reply that arrives while the loop is held, just before a send."""
    session = Session(key=b"")
    kernel = zmq.Context.instance().socket(zmq.ROUTER)
    port = kernel.bind_to_random_port("tcp://127.0.0.1")
    dealer = zmq.asyncio.Context.instance().socket(zmq.DEALER)
    dealer.connect(f"tcp://127.0.0.1:{port}")
    channel = channel_class(dealer, session)
    try:
        channel.send(session.msg("execute_request", {"code": ""}))
        ident, *_ = kernel.recv_multipart()
        reply = asyncio.ensure_future(channel.get_msg(timeout=None))
        await asyncio.sleep(0.01)  # the poll for the reply is registered
        session.send(kernel, "execute_reply", {"status": "ok"}, ident=ident)
        time.sleep(0.05)  # the event loop is held (a loaded machine) while it lands
        channel.send(session.msg("comm_msg", {"comm_id": "x", "data": {}}))
        kernel.recv_multipart()
        done, _ = await asyncio.wait({reply}, timeout=2)
        reply.cancel()
        return bool(done) and reply.result()["msg_type"] == "execute_reply"
    finally:
        channel.close()
        kernel.close(linger=0)


def test_a_reply_that_lands_before_a_send_is_read() -> None:
    assert asyncio.run(reply_read_after_a_send(RearmedChannel))


def test_jupyter_clients_plain_channel_strands_it() -> None:
    """Why the kit has its own client; when this fails, upstream fixed it and ours can go."""
    assert not asyncio.run(reply_read_after_a_send(AsyncZMQSocketChannel))


def test_course_voila_gives_its_executors_the_kits_client() -> None:
    app = CourseVoila()
    app.initialize([str(REPO / "notebooks/apps/01-functions.ipynb"), "--no-browser"])
    assert app.config.KernelManager.client_factory is CourseKernelClient
    channels = CourseKernelClient.class_traits()
    assert channels["shell_channel_class"].default_value is RearmedChannel
