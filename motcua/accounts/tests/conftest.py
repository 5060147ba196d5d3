"""Fixtures for the accounts tests (defined in fixtures.py, shared with agencies)."""

from motcua.accounts.tests.fixtures import *  # noqa: F403
from motcua.agencies.tests.fixtures import *  # noqa: F403
