# nbgrader reads this file (its commands, the formgrader, the assignment list); every
# setting comes from course.yml through the kit, so nothing here names the course.
from course.layout import nbgrader_file_config

c = get_config()  # noqa: F821 (traitlets provides it)
c.merge(nbgrader_file_config(__file__))
