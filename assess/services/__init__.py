"""Use cases: one function, one transaction; routes and the CLI call these and nothing below."""
