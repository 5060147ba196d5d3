"""Fixtures for the agencies tests (defined in fixtures.py, shared with accounts)."""

from motcua.accounts.tests.fixtures import *  # noqa: F403
from motcua.agencies.tests.fixtures import *  # noqa: F403
