"""Test helpers for a course and for the kit: real servers on loopback, copies of a course.

A course author's repository can reuse them, as the kit's own tests do, with the
pytest plugin ``course.testing.pytest_plugin`` (add ``-p course.testing.pytest_plugin``
to pytest's options). They need the kit's ``test`` extra (httpx, websockets, psutil).

* ``copy_course``: the course's plan, notebooks and exercises in a scratch folder;
* ``CourseCommand``: a ``course`` command as a real process, its output and its processes;
* ``CourseServer``: a real Jupyter server with the course extension, on loopback;
* ``CollabServer`` and ``CollabClient``: jupyter-collaboration rooms without a browser;
* ``PostgresServer``: a throwaway PostgreSQL server from Debian's binaries;
* ``render``: a Voila page fetched with a deadline; ``free_port``;
* ``hub.Hub``: a real JupyterHub on loopback running a deployment's own configuration;
* ``binder.BinderBuild``: Binder's steps from ``binder/`` in a fresh virtual environment;
* ``browser``: Debian's Chromium, pages with the network refused, axe-core, screenshots;
* ``kernel.run_cells``: cells run in a kernel a real server started;
* ``node``: JupyterHub's proxy and axe-core from the npm registry, installed once.
"""

from course.testing.commands import CourseCommand
from course.testing.courses import copy_course
from course.testing.net import free_port
from course.testing.server import CourseServer

__all__ = ["CourseCommand", "CourseServer", "copy_course", "free_port"]
