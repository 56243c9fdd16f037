"""Launch links for learners: Binder for anyone, nbgitpuller for a JupyterHub the course uses."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from course.plan import Course

BINDER = "https://mybinder.org/v2/gh"


def binder_link(course: Course, notebook: str) -> str | None:
    """A Binder URL opening ``notebook`` in JupyterLab; None when the plan names no repository."""
    repo = course.repository
    if repo is None:
        return None
    owner_name = repo.url.removeprefix("https://github.com/").strip("/")
    query = urlencode({"urlpath": f"lab/tree/{notebook}"})
    return f"{BINDER}/{owner_name}/{quote(repo.branch)}?{query}"


def nbgitpuller_link(course: Course, notebook: str) -> str | None:
    """An nbgitpuller URL that clones or updates the course on the hub, then opens ``notebook``.

    The course goes to ``~/<course id>``, where the kit's hub deployments start learners'
    servers (``course.hub``: the server's root, with nbgitpuller told to clone beside it).
    """
    repo = course.repository
    if repo is None or repo.hub is None:
        return None
    query = urlencode(
        {
            "repo": repo.url,
            "branch": repo.branch,
            "targetpath": course.id,
            "urlpath": f"lab/tree/{notebook}",
        }
    )
    return f"{repo.hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"
