"""A learner's own workspace on the course server: copies, confined kernels, own progress."""
