"""Presentation apps with Voila (issue 6)."""
