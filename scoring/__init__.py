"""Pure scoring: one item, totals, weighting; no Flask, no database."""
