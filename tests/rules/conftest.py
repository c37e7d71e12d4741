"""Fixtures for rule tests."""

import pytest

from protection_workbench.config import get_config


@pytest.fixture
def cfg():
    return get_config()
