"""The learner's side: widgets and progress events (issue 4)."""
