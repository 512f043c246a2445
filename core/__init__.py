"""Helpers every app may use, with no models and nothing domain-specific: one database
statement for many rows (db), one draining job for many arrivals (jobs)."""
