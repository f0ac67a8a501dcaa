"""Cart tests: module functions, classes, nested classes, async tests, marks."""
import asyncio
import sys
import unittest

import pytest

pytestmark = pytest.mark.filterwarnings("ignore")


def helper(x):
    return x * 2


def test_empty_cart(cart):
    assert cart == []


@pytest.mark.parametrize("n", [1, 2, 3])
def test_add(n):
    assert helper(n) == 2 * n


@pytest.mark.parametrize(
    "a,b",
    [
        (1, 2),
        pytest.param(3, 4, marks=pytest.mark.skip),
    ],
)
@pytest.mark.slow
def test_pairs(a, b):
    assert a < b


async def test_async_checkout():
    await asyncio.sleep(0)


@pytest.mark.skip(reason="not yet")
def test_skipped():
    pass


@pytest.mark.skipif(sys.platform == "win32", reason="posix")
def test_posix_only():
    pass


def test_with_inner_function():
    def test_inner():
        pass

    assert test_inner() is None


s = "def test_in_a_string(): pass"
t = """
def test_in_a_docstring():
    pass
"""

# def test_commented_out():
#     pass


class TestTotals:
    def test_sum(self):
        assert sum([1, 2]) == 3

    @pytest.mark.parametrize("x", [0, 1])
    def test_param_method(self, x):
        assert x >= 0

    async def test_async_method(self):
        pass

    def helper_method(self):
        pass

    class TestRounding:
        def test_half_up(self):
            assert round(0.5) == 0

        class TestDeeper:
            def test_deepest(self):
                pass


@pytest.mark.usefixtures("cart")
class TestWithDecorator:
    def test_decorated_class(self):
        pass


class Helper:
    def test_not_collected(self):
        pass


class TestHasInit:
    def __init__(self):
        self.x = 1

    def test_not_collected_either(self):
        pass


class CheckoutCase(unittest.TestCase):
    def test_unittest_style(self):
        self.assertTrue(True)

    def testCamelCase(self):
        pass

    def helper(self):
        pass


if sys.version_info >= (3, 8):

    def test_conditionally_defined():
        pass


else:

    def test_never_defined_on_modern_python():
        pass
