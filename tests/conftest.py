"""Fixtures shared by the whole test suite."""

pytest_plugins = ["tests.postgres"]  # postgres_url: a real PostgreSQL on 127.0.0.1 for the session
