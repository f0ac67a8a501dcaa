import pytest


@pytest.fixture
def cart():
    return []


def test_in_conftest_is_not_collected():
    pass
