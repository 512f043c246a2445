"""Fixtures of the integration tests."""

from tests.receiving_system import receiving_system  # noqa: F401 - a fixture
