def test_suffix_style_file():
    pass


def testNoUnderscore():
    pass
