import pytest


class TestApi:
    @pytest.mark.parametrize("code", [200, 201])
    def test_status(self, code):
        assert code < 300

    def test_headers(self):
        headers = {"a": f"{'{'}x{'}'}"}
        assert headers


def test_module_level():
    assert True
