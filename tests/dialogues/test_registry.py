"""The one decorator registry every name → function table uses (dialogues/registry.py)."""

from dialogues.registry import Registry


def test_register_puts_the_function_under_each_name_and_returns_it_unchanged() -> None:
    table: Registry = Registry()

    def hello() -> str:
        return "hallo"

    assert table.register("/hallo", "/hi")(hello) is hello
    assert table == {"/hallo": hello, "/hi": hello}


def test_a_later_registration_replaces_the_earlier_one_as_a_dict_does() -> None:
    table: Registry = Registry()
    table.register("x")(len)
    table.register("x")(abs)
    assert table["x"] is abs and list(table) == ["x"]
