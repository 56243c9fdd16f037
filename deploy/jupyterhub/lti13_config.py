# JupyterHub for the course with LTI 1.3 logins: learners open it from the course page
# of the LMS (Canvas, Moodle) and arrive logged in, without a password.
#
#   jupyterhub -f deploy/jupyterhub/lti13_config.py
#
# Everything of jupyterhub_config.py, with jupyterhub-ltiauthenticator's LTI13Authenticator
# (the kit's hub extra installs it). Register the hub in the LMS as an LTI 1.3 tool; the
# hub describes itself at https://HUB/hub/lti13/config (JSON), with these URLs:
#
#   OpenID Connect initiation (login) URL:  https://HUB/hub/lti13/oauth_login
#   Redirect (launch) URL:                   https://HUB/hub/lti13/oauth_callback
#
# Canvas (Admin > Developer Keys > + LTI Key): the key's number is the client id;
#   issuer         https://canvas.instructure.com
#   authorize URL  https://sso.canvaslms.com/api/lti/authorize_redirect
#   JWKS           https://sso.canvaslms.com/api/lti/security/jwks
#   (a self-hosted Canvas: https://CANVAS/api/lti/authorize_redirect and .../security/jwks)
#   Privacy level "Public" sends the claims below; then add the key to the course.
# Moodle (Site administration > Plugins > Manage tools > configure a tool manually,
#   LTI version 1.3, "Tool configuration usage": show in activity chooser): its
#   "Tool configuration details" list the client id and
#   issuer         https://MOODLE            (the site's URL)
#   authorize URL  https://MOODLE/mod/lti/auth.php
#   JWKS           https://MOODLE/mod/lti/certs.php
#   Share the launcher's name and email with the tool, then add the tool to the course.
#
# Hub user names: the LMS's user id (the "sub" claim), which the class roster imported
# from the LMS export holds for each learner, so nbgrader and the live sessions see the
# roster id, not the LMS's opaque id.
import os
from pathlib import Path

from course.plan import load_course

c = get_config()  # noqa: F821 (JupyterHub provides it)
load_subconfig(str(Path(__file__).with_name("jupyterhub_config.py")))  # noqa: F821

c.JupyterHub.authenticator_class = "ltiauthenticator.lti13.auth.LTI13Authenticator"
c.LTI13Authenticator.client_id = set(os.environ.get("LTI_CLIENT_ID", "10000000000001").split())
c.LTI13Authenticator.issuer = os.environ.get("LTI_ISSUER", "https://canvas.instructure.com")
c.LTI13Authenticator.authorize_url = os.environ.get(
    "LTI_AUTHORIZE_URL", "https://sso.canvaslms.com/api/lti/authorize_redirect"
)
c.LTI13Authenticator.jwks_endpoint = os.environ.get(
    "LTI_JWKS_URL", "https://sso.canvaslms.com/api/lti/security/jwks"
)
c.LTI13Authenticator.username_key = "sub"
COURSE = load_course(os.environ.get("COURSE_ROOT", "/srv/course"))
c.LTI13Authenticator.tool_name = COURSE.title
c.LTI13Authenticator.tool_description = COURSE.description or COURSE.title
# Anyone the LMS launches may log in: the course's LMS page decides who can see the link.
c.Authenticator.allow_all = True
