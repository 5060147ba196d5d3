"""Fixtures for the simulation tests: the demo province and staff of the organisation
tests (``accounts``/``agencies`` fixtures)."""

from motcua.accounts.tests.fixtures import *  # noqa: F403
from motcua.agencies.tests.fixtures import *  # noqa: F403
