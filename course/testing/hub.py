"""A real JupyterHub on loopback with the course server as one of its services.

The hub (``jupyterhub``, and ``configurable-http-proxy`` on PATH: npm's, or Debian's
``node-configurable-http-proxy`` whose modules live in /usr/share/nodejs) logs users in
with one shared password and runs the course server as the managed service
``course`` under ``/services/course/``, with the kit's hub identity provider: hub OAuth
first, then the hub user mapped to the roster (``course.identity.hub``). Every hub user
may reach the service (a role with ``access:services!service=course``); whether the
course lets them in is the course's decision. ``client(user)`` logs a user in and
returns a browser-like client that has done the OAuth dance with the service.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from course.identity.config import identity_config
from course.live import server_argv
from course.live.server import config_argv
from course.plan import Course
from course.testing.net import free_port

PASSWORD = "hub-password-for-tests"
SERVICE = "course"
DEBIAN_NODE_MODULES = "/usr/share/nodejs"


def proxy_command() -> str:
    """configurable-http-proxy on PATH, or an error saying how to get it."""
    found = shutil.which("configurable-http-proxy")
    if found is None:
        raise RuntimeError(
            "configurable-http-proxy is not on PATH: apt-get install "
            "node-configurable-http-proxy, or npm install configurable-http-proxy"
        )
    return found


@dataclass
class Hub:
    """One hub with the course service; ``users`` may log in, ``stop`` ends both."""

    course: Course
    users: list[str]
    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def service_url(self) -> str:
        return f"{self.url}/services/{SERVICE}/"

    def config(self) -> str:
        run = self.folder
        service_port = free_port()
        given = server_argv(self.course, port=service_port, ip="127.0.0.1", open_browser=False)
        settings_of = dict(arg.split("=", 1) for arg in given)  # one value per setting
        hub_identity = config_argv(identity_config(self.course.root, hub=True))
        settings_of |= dict(arg.split("=", 1) for arg in hub_identity)
        settings_of |= {
            "--ServerApp.base_url": f"/services/{SERVICE}/",
            "--ServerApp.allow_root": "True",
            "--ServerApp.port_retries": "0",
            "--CourseLiveApp.announce": "False",
        }
        argv = [f"{name}={value}" for name, value in settings_of.items()]
        service = {
            "name": SERVICE,
            "url": f"http://127.0.0.1:{service_port}",
            "command": [sys.executable, "-m", "jupyter_server", *argv],
            "cwd": str(self.course.root),
            "oauth_no_confirm": True,
        }
        settings = {
            "JupyterHub.bind_url": self.url,
            "JupyterHub.hub_ip": "127.0.0.1",
            "JupyterHub.hub_port": free_port(),
            "ConfigurableHTTPProxy.api_url": f"http://127.0.0.1:{free_port()}",
            "ConfigurableHTTPProxy.command": [proxy_command()],
            "ConfigurableHTTPProxy.pid_file": str(run / "proxy.pid"),
            "JupyterHub.db_url": f"sqlite:///{run / 'jupyterhub.sqlite'}",
            "JupyterHub.cookie_secret_file": str(run / "cookie_secret"),
            "JupyterHub.authenticator_class": "shared-password",
            "SharedPasswordAuthenticator.user_password": PASSWORD,
            "Authenticator.allowed_users": set(self.users),
            "JupyterHub.services": [service],
            "JupyterHub.load_roles": [
                {
                    "name": "course-access",
                    "users": self.users,
                    "scopes": [f"access:services!service={SERVICE}"],
                }
            ],
        }
        lines = ["c = get_config()  # noqa"]
        for name, value in settings.items():
            lines.append(f"c.{name} = {value!r}")
        return "\n".join(lines) + "\n"

    def start(self, timeout: float = 120) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        config = self.folder / "jupyterhub_config.py"
        config.write_text(self.config())
        env = {**os.environ, "NODE_PATH": DEBIAN_NODE_MODULES}
        log = (self.folder / "hub.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(config)],
            cwd=self.folder,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None or f"Service {SERVICE} exited" in self.log():
                raise RuntimeError(f"the hub or its service exited: {self.log()[-3000:]}")
            try:
                status = httpx.get(f"{self.service_url}api/status", timeout=5).status_code
                if status in (200, 302, 403):  # the service answers (it wants a login)
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        raise TimeoutError(f"hub or service not ready in {timeout} s: {self.log()[-3000:]}")

    def client(self, user: str) -> httpx.Client:
        """``user`` logged in to the hub and through the service's OAuth."""
        client = httpx.Client(base_url=self.url, timeout=60, follow_redirects=True)
        form = client.get("/hub/login")
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form.text)
        data = {"username": user, "password": PASSWORD, **({"_xsrf": xsrf[1]} if xsrf else {})}
        reply = client.post("/hub/login", data=data, follow_redirects=False)  # not to /spawn
        if reply.status_code >= 400:
            raise AssertionError(f"hub login of {user}: {reply.status_code} {reply.text[:300]}")
        client.get(f"/services/{SERVICE}/lab")  # a page: its login redirect is the OAuth
        return client

    def log(self) -> str:
        path = self.folder / "hub.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def identity_of(client: httpx.Client) -> dict[str, Any]:
    """The service's view of who ``client`` is (``/api/me``)."""
    reply = client.get(f"/services/{SERVICE}/api/me")
    reply.raise_for_status()
    identity: dict[str, Any] = json.loads(reply.text)["identity"]
    return identity
