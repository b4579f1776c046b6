"""Help that reads like a person wrote it.

Typer labels every value with its Python type (`<str>`, `<list[Path]>`), even plain on/off flags
(`<bool>`), and writes an argument as `{post_id}`. Here a flag shows no value at all, and a value shows
what to type (TEXT, NUMBER, FILE, POST_ID).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from typer.core import TyperArgument, TyperGroup, TyperOption

_WORDS = {"str": "TEXT", "int": "NUMBER", "float": "NUMBER", "Path": "FILE", "bool": "YES|NO",
          "datetime": "DATE"}


class _PlainArgument(TyperArgument):
    """POST_ID in the usage line (not {post_id}), and no Python type beside it in the list."""

    def _usage_display_name(self) -> str:
        name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
        return name + ("..." if self.nargs != 1 else "")

    def display_type_rich(self, ctx: Any) -> str | None:
        return None


def _what_to_type(param: TyperOption) -> str:
    label = param.bare_type().removeprefix("list[").removesuffix("]")
    return _WORDS.get(label, label.upper())


def plain(params: Iterable[Any]) -> None:
    for param in params:
        if isinstance(param, TyperArgument):
            param.metavar = (param.name or "value").upper()
            param.__class__ = _PlainArgument
        elif isinstance(param, TyperOption) and (param.is_flag or param.count):
            param.metavar = ""
        elif isinstance(param, TyperOption) and param.metavar is None:
            param.metavar = _what_to_type(param)


class PlainHelpGroup(TyperGroup):
    """A command group whose own options and whose commands' parameters get plain labels."""

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        plain(params)
        return params

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None and not isinstance(command, TyperGroup):
            plain(command.get_params(ctx))
        return command
