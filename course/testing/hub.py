"""A real JupyterHub on loopback, running a deployment's own ``jupyterhub_config.py``.

``Hub`` writes a small configuration that loads the deployment's file first and then
sets only what is this machine's: loopback ports, a run folder, a shared password
for every user, ``SimpleLocalProcessSpawner`` (servers as the hub's own user, homes
in the run folder) and configurable-http-proxy from the npm registry
(``course.testing.node``). ``HubUser`` is one person's browser: it logs in with the
hub's form, starts their server and follows hub OAuth to any server or service.

Stopping ends the hub, its proxy, its services and every server it spawned.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import psutil

from course.testing.net import free_port
from course.testing.node import node_bin

PASSWORD_BYTES = 12


class Hub:
    """One hub process with ``deployment`` (a jupyterhub_config.py) as its configuration."""

    def __init__(
        self,
        run: Path,
        deployment: Path,
        *,
        environment: Mapping[str, str] | None = None,
        overrides: str = "",
        own_login: bool = False,
    ) -> None:
        self.run, self.deployment = run, deployment
        self.environment = dict(environment or {})
        self.overrides = overrides  # extra configuration lines, after the machine's
        self.own_login = own_login  # keep the deployment's authenticator (e.g. LTI 1.3)
        self.port, self.api_port, self.hub_port = free_port(), free_port(), free_port()
        self.password = secrets.token_urlsafe(PASSWORD_BYTES)
        self.process: subprocess.Popen[bytes] | None = None
        self.log = run / "jupyterhub.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def homes(self) -> Path:
        return self.run / "homes"

    def config(self) -> str:
        """The configuration file the hub runs: the deployment's, then this machine's."""
        run, homes = self.run, str(self.homes() / "{username}")
        return "\n".join(
            [
                "c = get_config()  # noqa: F821",
                f"load_subconfig({str(self.deployment)!r})  # noqa: F821",
                f"c.JupyterHub.bind_url = {self.url + '/'!r}",
                "c.JupyterHub.hub_ip = '127.0.0.1'",
                f"c.JupyterHub.hub_port = {self.hub_port}",
                f"c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:{self.api_port}'",
                f"c.ConfigurableHTTPProxy.command = [{str(node_bin('configurable-http-proxy'))!r}]",
                f"c.ConfigurableHTTPProxy.pid_file = {str(run / 'proxy.pid')!r}",
                f"c.JupyterHub.db_url = 'sqlite:///{run / 'jupyterhub.sqlite'}'",
                f"c.JupyterHub.cookie_secret_file = {str(run / 'cookie_secret')!r}",
                *self._login(),
                "c.JupyterHub.spawner_class = 'simple'",
                f"c.SimpleLocalProcessSpawner.home_dir_template = {homes!r}",
                # As root (containers, CI) Jupyter servers refuse to start unless told.
                *(["c.Spawner.args = ['--allow-root']"] if os.geteuid() == 0 else []),
                "c.Spawner.http_timeout = 60",
                "c.Spawner.start_timeout = 90",
                self.overrides,
            ]
        )

    def _login(self) -> list[str]:
        if self.own_login:
            return []
        return [
            "c.JupyterHub.authenticator_class = 'shared-password'",
            f"c.SharedPasswordAuthenticator.user_password = {self.password!r}",
        ]

    def start(self, timeout: float = 90) -> None:
        self.run.mkdir(parents=True, exist_ok=True)
        config = self.run / "jupyterhub_config.py"
        config.write_text(self.config() + "\n")
        env = {**os.environ, **self.environment}
        for name in ("JUPYTERHUB_API_TOKEN", "COURSE_EVENTS_URL", "COURSE_LEARNER"):
            env.pop(name, None)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "jupyterhub", "-f", str(config)],
                cwd=self.run,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyterhub exited: {self.tail()}")
            try:
                if httpx.get(f"{self.url}/hub/api/", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"jupyterhub did not answer in {timeout} s: {self.tail()}")

    def stop(self) -> None:
        """SIGTERM the hub (it stops its servers and services), then end any left behind."""
        if self.process is None or self.process.poll() is not None:
            return
        family = psutil.Process(self.process.pid).children(recursive=True)
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        _, alive = psutil.wait_procs(family, timeout=10)
        for process in alive:
            process.kill()

    def tail(self, size: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-size:] if self.log.exists() else ""

    def user(self, name: str) -> HubUser:
        return HubUser(self, name)


class HubUser:
    """One person's browser on the hub: cookies, the hub's login form, OAuth redirects."""

    def __init__(self, hub: Hub, name: str) -> None:
        self.hub, self.name = hub, name
        self.client = httpx.Client(base_url=hub.url, timeout=60, follow_redirects=True)

    def login(self) -> HubUser:
        self.client.get("/hub/login").raise_for_status()
        response = self.client.post(
            "/hub/login?next=",
            data={
                "username": self.name,
                "password": self.hub.password,
                "_xsrf": self.xsrf("/hub/"),
            },
            follow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"{self.name} could not log in: {response.status_code}")
        return self

    def start_server(self, timeout: float = 120) -> None:
        """Start this user's server through the hub's API (unless it runs) and wait until
        it is ready."""
        if self.get(f"/hub/api/users/{self.name}").json().get("servers", {}).get(""):
            return
        path = f"/hub/api/users/{self.name}/server"
        response = self.post(path, follow_redirects=False)
        if response.status_code not in (201, 202):
            raise RuntimeError(f"{self.name}'s server: {response.status_code} {response.text}")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = self.get(f"/hub/api/users/{self.name}").json()
            server = model.get("servers", {}).get("", {})
            if server.get("ready"):
                return
            if not model.get("pending") and not server:
                raise RuntimeError(f"{self.name}'s server stopped: {self.hub.tail()}")
            time.sleep(0.5)
        raise RuntimeError(f"{self.name}'s server not ready in {timeout} s: {self.hub.tail()}")

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        """A POST with the XSRF header Jupyter and the hub want from cookie-holding browsers."""
        headers = {"X-XSRFToken": self.xsrf(path), **kwargs.pop("headers", {})}
        return self.client.post(path, headers=headers, **kwargs)

    def open(self, prefix: str) -> httpx.Response:
        """Visit a server's or service's page, as a browser does before its API: the first
        visit runs hub OAuth (redirects to the hub and back) and sets that server's cookies."""
        response = self.get(prefix)
        if response.status_code != 200:
            raise RuntimeError(f"{self.name} at {prefix}: {response.status_code}")
        return response

    def xsrf(self, path: str) -> str:
        """The ``_xsrf`` cookie of the server ``path`` belongs to (the longest cookie path)."""
        found = [
            cookie
            for cookie in self.client.cookies.jar
            if cookie.name == "_xsrf" and path.startswith(cookie.path)
        ]
        return max(found, key=lambda cookie: len(cookie.path)).value or "" if found else ""

    def close(self) -> None:
        self.client.close()
