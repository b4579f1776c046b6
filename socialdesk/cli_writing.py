"""`socialdesk check-text`: the writing checks on a text from standard input, as JSON (docs/studio.md)."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from socialdesk.cli_help import PlainHelpGroup

check_text_app = typer.Typer(help="Check a text's spelling, grammar, style and readability (JSON out).",
                             cls=PlainHelpGroup, invoke_without_command=True)


@check_text_app.callback()
def check_text(
        language: Annotated[str, typer.Option("--language", "-l", help="hr, sr, bs, en, de, es, ru, or auto "
                                                                        "(detected)")] = "auto",
        network: Annotated[list[str] | None, typer.Option(
            "--network", "-n", help="A network the text goes to (instagram, x, linkedin…): its hashtag and link "
                                    "advice; repeat for several")] = None,
        paid: Annotated[bool, typer.Option("--paid", help="A paid post: the style guide's disclosure is required")]
        = False,
        workspace: Annotated[str, typer.Option("--workspace", "-w", help="Use this workspace's dictionary, style "
                                                                         "guide and settings (name or id)")] = "",
        details: Annotated[bool, typer.Option("--details", help="Print the whole result (language, readability, "
                                                                "notes) instead of the list of problems")] = False,
) -> None:
    """Read a text from standard input and print its problems as a JSON list: offset, length, kind, message,
    suggestions. Offsets count characters (code points). Exit status 0 even with problems."""
    text = sys.stdin.read()
    if workspace:
        from socialdesk.cli import _context
        from socialdesk.studio.writing import service

        with _context(workspace) as ctx:
            result = service.check(ctx, text, language=language, networks=network or [], paid=paid)
    else:
        from socialdesk.core.errors import ValidationFailed
        from socialdesk.studio.writing.check import UnknownLanguage, check_text

        try:
            result = check_text(text, language, networks=network or [], paid=paid)
        except UnknownLanguage as exc:
            raise ValidationFailed(str(exc)) from None
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    out = result.as_dict() if details else [p.as_dict() for p in result.problems]
    print(json.dumps(out, ensure_ascii=False, indent=2))
