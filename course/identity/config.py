"""The Jupyter settings that put the kit's identity classes in charge of a course server.

Every one is an ordinary Jupyter trait, so the same settings work on the command line
(``course serve`` passes them, ``course.live.server.server_argv``), in a
``jupyter_server_config.py`` (``c.merge(identity_config(root))``) or a
``jupyter_server_config.d`` JSON file, on a laptop, Binder or JupyterHub:

  ServerApp.identity_provider_class   who is calling: the instructor by Jupyter's token,
                                      learners by their code (or, ``hub=True``, the hub
                                      user mapped to the roster)
  ServerApp.authorizer_class          what each may do: ``CourseAuthorizer``
  ServerApp.kernel_manager_class      whose kernel it is, confined for learners
  ServerApp.session_manager_class     sessions filtered by owner
  KernelProvisionerFactory.default_provisioner_name   the confining provisioner
  CourseIdentity.course_root          the course (both providers read it)

The classes' own traits tune them (``CourseKernelManager.learner_memory_bytes`` and
friends; ``jupyter server --help-all`` lists them).
"""

from __future__ import annotations

from pathlib import Path

from traitlets.config import Config

PROVIDER = "course.identity.provider.CourseIdentityProvider"
HUB_PROVIDER = "course.identity.hub.HubCourseIdentityProvider"
PROVISIONER = "course-confined-provisioner"  # the entry point in pyproject.toml


def identity_config(course_root: Path, *, hub: bool = False) -> Config:
    """The identity settings of the course server of the course at ``course_root``."""
    config = Config()
    config.ServerApp.identity_provider_class = HUB_PROVIDER if hub else PROVIDER
    config.ServerApp.authorizer_class = "course.identity.authorizer.CourseAuthorizer"
    config.ServerApp.kernel_manager_class = "course.identity.kernels.CourseKernelManager"
    config.ServerApp.session_manager_class = "course.identity.kernels.CourseSessionManager"
    config.KernelProvisionerFactory.default_provisioner_name = PROVISIONER
    config.CourseIdentity.course_root = str(course_root)
    return config
