"""The committee server: the same product on PostgreSQL (addresses, moving a committee between engines)."""
