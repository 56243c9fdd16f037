"""``python -m course.live``: the course server process that ``course serve`` supervises."""

from course.live.server import main

main()
