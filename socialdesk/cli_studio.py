"""`socialdesk studio …`: fit media to a network, render branded cards and infographics (docs/studio.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from socialdesk.cli import WorkspaceOpt, _context, _table, console
from socialdesk.cli_help import PlainHelpGroup

studio_app = typer.Typer(help="Visuals: fit media to each network, branded cards, infographics, brand kit.",
                         no_args_is_help=True, cls=PlainHelpGroup)
MediaArg = Annotated[str, typer.Argument(help="The media file's id (see `socialdesk studio review` or the API)")]


@studio_app.command("review")
def studio_review(workspace: WorkspaceOpt, media_id: MediaArg,
                  network: Annotated[list[str] | None, typer.Option(help="Only this network (repeatable); "
                                                                         "default: the workspace's")] = None,
                  as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """How each network would take a media file: what it refuses or crops, and what `fit` would do."""
    from socialdesk.studio import service

    with _context(workspace) as ctx:
        fits = service.review(ctx, media_id, network or None)
        rows = [{"network": f.network, "fits": f.fits, "problems": f.problems, "fit_would": f.plan,
                 "fitted_copy": f.copy.id if f.copy else None} for f in fits]
    if as_json:
        console.print_json(json.dumps(rows))
        return
    table = _table("network", "fits", "problems", "fit would")
    for row in rows:
        table.add_row(str(row["network"]), "yes" if row["fits"] else "no", "; ".join(row["problems"]) or "—",
                      "; ".join(row["fit_would"]) or "—")
    console.print(table)


@studio_app.command("fit")
def studio_fit(workspace: WorkspaceOpt, media_id: MediaArg,
               network: Annotated[str, typer.Option(help="The network to fit it for, e.g. instagram")],
               mode: Annotated[str, typer.Option(help="auto, crop, pad, resize, convert or strip_location")] = "auto",
               aspect: Annotated[str, typer.Option(help="crop/pad: width:height, e.g. 4:5 (default: the nearest "
                                                        "the network takes)")] = "",
               focal: Annotated[str, typer.Option(help="crop: the subject as x,y fractions, e.g. 0.5,0.3 "
                                                       "(default: the file's focal point)")] = "",
               background: Annotated[str, typer.Option(help="pad: a colour (#rrggbb) or 'blur'")] = "#ffffff",
               max_width: Annotated[int | None, typer.Option(help="resize: at most this many pixels wide")] = None
               ) -> None:
    """Make a copy of an image or video that fits a network (the original is kept); a video or GIF is
    transcoded with ffmpeg, with a progress bar."""
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    from socialdesk.core.errors import ValidationFailed
    from socialdesk.studio import fitting, service
    from socialdesk.studio.specs import SPECS, parse_aspect

    if network not in SPECS:
        raise ValidationFailed(f"Unknown network {network!r}; choose {', '.join(sorted(SPECS))}.")
    try:
        point = tuple(float(p) for p in focal.split(",")) if focal else (0.5, 0.5)
        if len(point) != 2:
            raise ValueError("--focal is two numbers, x,y, each from 0 to 1 (e.g. 0.5,0.3).")
        request = fitting.FitRequest(mode=mode, aspect=parse_aspect(aspect) if aspect else None,
                                     focal=(point[0], point[1]), background=background, max_width=max_width)
    except ValueError as exc:
        text = str(exc)
        raise ValidationFailed(text if "could not convert" not in text else
                               "--focal is two numbers, x,y, each from 0 to 1 (e.g. 0.5,0.3).") from None
    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
    with _context(workspace) as ctx, Progress(*columns, console=console, transient=True,
                                              disable=not console.is_terminal) as progress:
        task = progress.add_task(f"Fitting for {network}", total=1.0)
        copy = service.fit(ctx, media_id, network, request,
                           progress=lambda done: progress.update(task, completed=done))
        console.print(f"Fitted copy {copy.id} ({copy.filename}, {copy.width or '?'}×{copy.height or '?'}): "
                      f"{copy.fit_note}. {network} channels send it wherever the original is attached.",
                      highlight=False, soft_wrap=True)


@studio_app.command("card")
def studio_card(workspace: WorkspaceOpt,
                template: Annotated[str, typer.Argument(help="quote, announcement, event or menu")],
                field: Annotated[list[str], typer.Option(help="A field as name=value (repeatable), e.g. "
                                                              "quote='Coffee is a hug'")],
                network: Annotated[str, typer.Option(help="Whose sizes to render at")] = "instagram",
                size: Annotated[str, typer.Option(help="A size of the network (portrait, square, …) or 'all'")] = "",
                photo: Annotated[str, typer.Option(help="menu: a library image's id for the photo")] = "",
                output: Annotated[Path | None, typer.Option(help="Also write the (first) card to this file")] = None
                ) -> None:
    """Render a branded card at a network's size(s) into the media library (alt text written from its text)."""
    from socialdesk.core.errors import ValidationFailed
    from socialdesk.media import service as media
    from socialdesk.studio import brand

    values = {}
    for item in field:
        name, sep, value = item.partition("=")
        if not sep:
            raise ValidationFailed(f"--field {item!r}: write name=value, e.g. quote='Coffee is a hug'.")
        values[name.strip()] = value
    with _context(workspace) as ctx:
        made, warnings = brand.make_card(ctx, template, values, network=network, size=size or None,
                                         photo_media_id=photo or None)
        for asset in made:
            console.print(f"{asset.id}  {asset.filename}  {asset.width}×{asset.height}  alt: {asset.alt_text}",
                          highlight=False, soft_wrap=True)
        if output is not None:
            output.write_bytes(media.path_of(made[0]).read_bytes())
            console.print(f"Written to {output}", highlight=False)
    for warning in warnings:
        console.print(f"[yellow]contrast:[/yellow] {warning}", highlight=False, soft_wrap=True)


@studio_app.command("infographic")
def studio_infographic(workspace: WorkspaceOpt,
                       kind: Annotated[str, typer.Argument(help="followers, heatmap, top_posts or milestone")],
                       channel: Annotated[str, typer.Option(help="A channel's id (default: all, or the first)")] = "",
                       goal: Annotated[str, typer.Option(help="milestone: the goal's id")] = "",
                       network: Annotated[str, typer.Option(help="Whose size to render at")] = "instagram",
                       output: Annotated[Path | None, typer.Option(help="Also write the image to this file")] = None
                       ) -> None:
    """Draw an infographic from the workspace's own numbers into the media library, with alt text."""
    from socialdesk.media import service as media
    from socialdesk.studio import infographics

    with _context(workspace) as ctx:
        asset = infographics.make(ctx, kind, channel_id=channel or None, goal_id=goal or None, network=network)
        console.print(f"{asset.id}  {asset.filename}  alt: {asset.alt_text}", highlight=False, soft_wrap=True)
        if output is not None:
            output.write_bytes(media.path_of(asset).read_bytes())


@studio_app.command("brand")
def studio_brand(workspace: WorkspaceOpt,
                 colour: Annotated[list[str] | None, typer.Option(help="name=#rrggbb for primary, accent, "
                                                                       "background or text (repeatable)")] = None,
                 heading_font: Annotated[str | None, typer.Option(help="A font name (see --fonts)")] = None,
                 body_font: Annotated[str | None, typer.Option(help="A font name (see --fonts)")] = None,
                 logo: Annotated[str | None, typer.Option(help="A library image's id")] = None,
                 upload_font: Annotated[Path | None, typer.Option(help="A .ttf/.otf file to add")] = None,
                 require_alt_text: Annotated[bool | None, typer.Option(
                     "--require-alt-text/--optional-alt-text", help="Whether every image needs alt text")] = None,
                 fonts: Annotated[bool, typer.Option("--fonts", help="List the fonts to choose from")] = False
                 ) -> None:
    """Show or change the brand kit: colours, fonts, logo, the alt-text rule."""
    from socialdesk.core.errors import ValidationFailed
    from socialdesk.studio import brand

    changes = {}
    for item in colour or []:
        name, sep, value = item.partition("=")
        if not sep:
            raise ValidationFailed(f"--colour {item!r}: write name=#rrggbb, e.g. primary=#1c7ed6.")
        changes[name.strip()] = value.strip()
    with _context(workspace) as ctx:
        if upload_font is not None:
            if not upload_font.is_file():
                raise ValidationFailed(f"{upload_font}: no such file.")
            console.print(f"Uploaded font: {brand.upload_font(ctx, upload_font.name, upload_font.read_bytes())}")
        if changes or heading_font or body_font or logo or require_alt_text is not None:
            brand.update(ctx, colours=changes, heading_font=heading_font, body_font=body_font, logo_media_id=logo,
                         require_alt_text=require_alt_text)
        kit = brand.kit(ctx)
        colours = brand.colours_of(kit, ctx)
        if fonts:
            console.print("\n".join(brand.font_choices(kit)), highlight=False)
            return
        console.print(f"colours: {json.dumps(colours)}\nheading font: {kit.heading_font}\nbody font: "
                      f"{kit.body_font}\nlogo: {kit.logo_media_id or '—'}\nalt text required: "
                      f"{'yes' if kit.require_alt_text else 'no'}", highlight=False)
