"""API helpers of the idempotency app (no endpoint of its own)."""
