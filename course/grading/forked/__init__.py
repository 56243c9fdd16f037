"""The forked execution backend: notebooks run in forks of one pre-imported process.

``client`` is the grader's side (``ForkServer``, the handle on the server process,
and ``CellRunner``, one notebook's runner); ``server`` is the fork server's own
process; ``runner`` and ``shell`` run in each fork, on ipykernel's shell; ``preload``
is what the server prepares before forking; ``frames`` is the wire format between
them. Confinement of each fork is ``course.sandbox``'s.
"""
