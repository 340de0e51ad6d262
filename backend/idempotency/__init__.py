"""Idempotency keys: a retried POST never creates twice."""
