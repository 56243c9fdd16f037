"""The HTTP side of live sessions: tornado handlers, one module per caller.

``instructor`` (Jupyter auth), ``participant`` (a join code, then the session's
cookie), ``learner_events`` (learners' kernels), ``sockets`` (presenter and
participant websockets); ``base`` holds what they share. Every handler gets the
running extension's ``Live`` as the route kwarg ``live``; the URLs are declared in
``course.live.routes``.
"""
