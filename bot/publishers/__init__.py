"""Publishers: where approved posts go (`dry_run` writes an outbox file)."""
