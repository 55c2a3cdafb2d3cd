"""Load and fault benchmarks of the served app (README, "Load and faults")."""
