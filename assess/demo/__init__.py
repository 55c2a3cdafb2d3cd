"""The demo campaign that ``assess demo`` builds: a realistic cohort, made through the services."""
