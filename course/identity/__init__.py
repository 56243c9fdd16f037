"""Who is calling, everywhere in the kit: the instructor, a learner (a roster id), a
join-code participant in their live group; how each proves it (Jupyter's token, hub
OAuth, a personal sign-in code, the live session's group cookie) and what each may do
on the course server.

* ``codes``: personal sign-in codes, stored as digests in the roster;
* ``sheet``: the printable sheet of codes and QR codes;
* ``credentials``: signed, revocable event credentials for learners' kernels;
* ``keys``: the course server's secret and the keys derived from it;
* ``provider``, ``authorizer``, ``scopes``: Jupyter's IdentityProvider and Authorizer
  for the course server, and the routes open to learners and participants;
* ``participation``: a live group's member as the live extension answers for them, and
  the group websockets closed when they leave the group;
* ``extension``, ``handlers``: the sign-in page, a server extension of its own.
"""

from course.identity.credentials import Credential, CredentialError, Credentials, course_credentials

__all__ = ["Credential", "CredentialError", "Credentials", "course_credentials"]


def _jupyter_server_extension_points() -> list[dict[str, object]]:
    """Jupyter's hook: the sign-in extension (imported only when a server loads it)."""
    from course.identity.extension import CourseIdentityApp

    return [{"module": "course.identity.extension", "app": CourseIdentityApp}]
