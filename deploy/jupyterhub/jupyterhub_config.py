# JupyterHub for one course built with the Blended Course Kit, on one machine.
#
#   jupyterhub -f deploy/jupyterhub/jupyterhub_config.py
#
# Install the kit with the hub extra on the hub machine (pip install 'blended-course-kit[hub]')
# and JupyterHub's proxy (npm install -g configurable-http-proxy). Everything about the
# course (its id, its instructors) comes from the course's course.yml; this file holds
# only the site's choices. What it sets up (course.hub.configure_hub):
#
# - groups "instructors" (course.yml's instructors) and "learners", each with a role;
# - the live workshop server as the hub service "workshop" (/services/workshop/):
#   a Jupyter server with the course extension in the course folder below, reached
#   through hub OAuth; instructors teach there, learners join live sessions there;
# - learners' own servers in ~/<course id>, a copy of the course, with the course
#   extension (progress, checks) and nbgrader's assignment list on a shared exchange.
#
# The authenticator is the site's: PAM (system accounts, JupyterHub's default) here,
# LTI 1.3 from an LMS in lti13_config.py, anything JupyterHub supports otherwise.
import os
import sys
from pathlib import Path

from course.hub import HubSite, configure_hub
from course.plan import load_course

c = get_config()  # noqa: F821 (JupyterHub provides it)

# The instructor's checkout of the course on this machine (course.yml at its top).
COURSE = load_course(os.environ.get("COURSE_ROOT", "/srv/course"))
SITE = HubSite(
    # nbgrader's exchange: one folder every learner's server and the workshop can write.
    exchange=Path(os.environ.get("COURSE_EXCHANGE", "/srv/nbgrader/exchange")),
    # Where the hub starts the workshop server (loopback: the hub's proxy reaches it).
    service_url=os.environ.get("COURSE_SERVICE_URL", "http://127.0.0.1:10101"),
    # The learners' hub names (with LTI: the LMS's user ids); instructors come from course.yml.
    learners=os.environ.get("COURSE_LEARNERS", "").split(),
)
configure_hub(c, COURSE, SITE)

c.Authenticator.allowed_users = set(SITE.learners) | set(COURSE.instructors)
# Learners' servers run in this Python environment, which has the kit.
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
