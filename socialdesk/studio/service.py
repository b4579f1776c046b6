"""Fitting library media to networks: what each target network would do to a file, and a fitted copy on
request. The original is never changed; the copy is a media asset of its own (`derived_from_id`,
`fitted_for`), and wherever the original is attached, channels of that network send the copy
(`for_channel`, used by the composer's checks and by the publisher).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.audit import service as audit
from socialdesk.channels.models import Channel
from socialdesk.core.config import get_settings
from socialdesk.core.errors import ValidationFailed
from socialdesk.media import images
from socialdesk.media import service as media
from socialdesk.media.models import MediaAsset
from socialdesk.networks.base import MediaKind, MediaRules
from socialdesk.studio import fitting, video
from socialdesk.studio.specs import VisualSpec, aspect_label, spec_for
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission


@dataclass(frozen=True)
class FrameView:
    """One place the network shows the picture, as a box in percent of the picture (for the overlay)."""

    name: str
    note: str
    left: float
    top: float
    width: float
    height: float
    safe_top: float = 0.0
    safe_bottom: float = 0.0


@dataclass(frozen=True)
class NetworkFit:
    network: str
    label: str
    problems: list[str]  # what the network would refuse or spoil, as sentences
    plan: list[str]  # what "Fit" would do
    frames: list[FrameView] = field(default_factory=list)
    copy: MediaAsset | None = None

    @property
    def fits(self) -> bool:
        return not self.problems


def target_of(channel: Channel) -> str:
    """The network whose rules a channel follows (a sandbox channel: the one it imitates)."""
    if channel.network == "sandbox":
        return str((channel.settings or {}).get("profile") or "generic")
    return channel.network


def rules_of(network: str) -> MediaRules:
    """The network's own media rules (not a channel's, which may promise a conversion)."""
    from socialdesk.networks.profiles import NETWORK_PROFILES

    profile = NETWORK_PROFILES.get(network) or NETWORK_PROFILES["generic"]
    return profile.media


def workspace_networks(ctx: WorkspaceContext) -> list[str]:
    """The networks of the workspace's channels, each once, in a stable order."""
    found = {target_of(c) for c in ctx.session.scalars(ctx.select(Channel))}
    return sorted(found)


def original_of(ctx: WorkspaceContext, asset: MediaAsset) -> MediaAsset:
    return media.get(ctx, asset.derived_from_id) if asset.derived_from_id else asset


def copies_of(ctx: WorkspaceContext, asset: MediaAsset) -> dict[str, MediaAsset]:
    query = ctx.select(MediaAsset).where(MediaAsset.derived_from_id == asset.id)
    return {c.fitted_for or "": c for c in ctx.session.scalars(query)}


def fitted_networks(ctx: WorkspaceContext, media_ids: Sequence[str]) -> dict[str, list[str]]:
    """For each original, the labels of the networks it has a fitted copy for (one query)."""
    if not media_ids:
        return {}
    found: dict[str, list[str]] = {}
    query = ctx.select(MediaAsset).where(MediaAsset.derived_from_id.in_(list(media_ids)))
    for copy in ctx.session.scalars(query):
        found.setdefault(copy.derived_from_id or "", []).append(spec_for(copy.fitted_for or "").label)
    return {k: sorted(v) for k, v in found.items()}


# What each network would do ------------------------------------------------------------------------------


def review(ctx: WorkspaceContext, media_id: str, networks: Iterable[str] | None = None) -> list[NetworkFit]:
    """For each network (by default the workspace's), whether the file fits and how it would be shown."""
    asset = original_of(ctx, media.get(ctx, media_id))
    copies = copies_of(ctx, asset)
    chosen = list(networks) if networks is not None else workspace_networks(ctx)
    path = media.path_of(asset)
    facts = _video_facts(asset, path)
    location = _has_location(asset, path)
    result = []
    for network in chosen:
        spec, rules = spec_for(network), rules_of(network)
        if asset.kind == MediaKind.IMAGE:
            found, steps, frames = _image_review(asset, spec, rules, location)
        else:
            found, steps, frames = _motion_review(asset, spec, rules, facts)
        result.append(NetworkFit(network, spec.label, found, steps, frames, copies.get(network)))
    return result


def _image_review(asset: MediaAsset, spec: VisualSpec, rules: MediaRules, location: bool
                  ) -> tuple[list[str], list[str], list[FrameView]]:
    width, height = asset.width or 1, asset.height or 1
    steps = fitting.plan(width, height, asset.content_type, asset.size_bytes, spec, rules, fitting.FitRequest(),
                         has_location=location)
    found = []
    if asset.content_type not in rules.image_types:
        found.append(f"{spec.label} does not take {asset.content_type.split('/')[-1].upper()} images")
    if steps.aspect is not None:
        found.append(f"its shape {aspect_label(width / height)} is outside what {spec.label} accepts "
                     f"({aspect_label(spec.min_ratio or 0.05)} to {aspect_label(spec.max_ratio or 20)})")
    if rules.max_image_bytes and asset.size_bytes > rules.max_image_bytes:
        found.append(f"it is {asset.size_bytes / 1e6:.1f} MB; {spec.label} takes up to "
                     f"{rules.max_image_bytes / 1e6:.1f} MB")
    if steps.max_width:
        found.append(f"it is {width} pixels wide; {spec.label} shows at most {steps.max_width}")
    if location:
        found.append("the photo's data says where it was taken")
    focal = (asset.focal_x if asset.focal_x is not None else 0.5, asset.focal_y if asset.focal_y is not None else 0.5)
    frames = []
    for frame in spec.frames:
        left, top, right, bottom = fitting.crop_box(width, height, frame.aspect, focal)
        frames.append(FrameView(frame.name, frame.note, 100 * left / width, 100 * top / height,
                                100 * (right - left) / width, 100 * (bottom - top) / height,
                                frame.safe_top * 100, frame.safe_bottom * 100))
    return found, list(steps.reasons), frames


def _motion_review(asset: MediaAsset, spec: VisualSpec, rules: MediaRules, facts: video.VideoFacts | None
                   ) -> tuple[list[str], list[str], list[FrameView]]:
    if asset.kind == MediaKind.GIF:
        if MediaKind.GIF in rules.kinds:
            return [], [], []
        if MediaKind.VIDEO in rules.kinds:
            return [f"{spec.label} does not take GIFs"], ["converted to an MP4 video"], []
        return [f"{spec.label} takes neither GIFs nor videos"], [], []
    if MediaKind.VIDEO not in rules.kinds:
        return [f"{spec.label} does not take videos"], [], []
    if facts is None:
        missing = "ffprobe is not installed: the video's codec and shape cannot be checked (apt-get install ffmpeg)"
        return [missing if not video.available() else "ffprobe could not read this video"], [], []
    found = video.problems(facts, spec, rules)
    return found, (["re-encoded to H.264/AAC MP4 to fit"] if found else []), []


def _video_facts(asset: MediaAsset, path: Path) -> video.VideoFacts | None:
    if asset.kind != MediaKind.VIDEO or not video.available():
        return None
    try:
        return video.probe(path)
    except ValidationFailed:
        return None


def _has_location(asset: MediaAsset, path: Path) -> bool:
    if asset.kind != MediaKind.IMAGE:
        return False
    try:
        with images.open_checked(path, asset.filename) as image:
            return fitting.has_location(image)
    except (OSError, ValidationFailed):
        return False


# Making the fitted copy ----------------------------------------------------------------------------------


def fit(ctx: WorkspaceContext, media_id: str, network: str, request: fitting.FitRequest | None = None,
        progress: Callable[[float], None] | None = None) -> MediaAsset:
    """A copy of the media made to fit `network`, stored in the library beside the original (which is kept).

    One copy per network: fitting again replaces the previous copy. Raises ValidationFailed, saying what to
    do, when there is nothing to fit or the file cannot be converted.
    """
    ctx.require(Permission.POSTS_WRITE)
    request = request or fitting.FitRequest()
    original = original_of(ctx, media.get(ctx, media_id))
    spec, rules = spec_for(network), rules_of(network)
    source = media.path_of(original)
    if not source.exists():
        raise ValidationFailed(f"The file of {original.filename} is missing from the media directory.")
    work = Path(tempfile.mkdtemp(prefix="fit-", dir=_scratch()))
    try:
        if original.kind == MediaKind.IMAGE:
            try:
                target, steps = _fit_image(original, source, spec, rules, request, work)
            except OSError as exc:  # damaged on disk since its upload (UnidentifiedImageError is an OSError)
                raise ValidationFailed(f"{original.filename} cannot be read any more ({exc}); upload it again."
                                       ) from None
        else:
            target, steps = _fit_motion(original, source, spec, rules, work, progress)
        previous = copies_of(ctx, original).get(network)
        if previous is not None:
            media.delete(ctx, previous.id, audited=False)
            ctx.session.flush()
        with target.open("rb") as file:
            copy = media.upload(ctx, f"{Path(original.filename).stem}-{network}{target.suffix}", file,
                                original.alt_text)
    finally:
        for leftover in work.iterdir():
            leftover.unlink(missing_ok=True)
        work.rmdir()
    if copy.id == original.id:
        raise ValidationFailed(f"{original.filename} already fits {spec.label}; nothing was changed.")
    copy.derived_from_id = original.id
    copy.fitted_for = network
    copy.fit_note = "; ".join(steps)[:300]
    copy.alt_skipped = original.alt_skipped
    audit.record(ctx, "media.fit", "media", copy.id, f"Fitted {original.filename} for {spec.label}: {copy.fit_note}")
    return copy


def _scratch() -> Path:
    folder = get_settings().media_dir / "derived" / "work"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _fit_image(original: MediaAsset, source: Path, spec: VisualSpec, rules: MediaRules,
               request: fitting.FitRequest, work: Path) -> tuple[Path, list[str]]:
    if request.focal == (0.5, 0.5) and original.focal_x is not None and original.focal_y is not None:
        request = fitting.FitRequest(request.mode, request.aspect, (original.focal_x, original.focal_y),
                                     request.background, request.max_width)
    with images.open_checked(source, original.filename) as image:
        location = fitting.has_location(image)
        steps = fitting.plan(image.width, image.height, original.content_type, original.size_bytes, spec, rules,
                             request, has_location=location)
        if not steps.needed:
            raise ValidationFailed(f"{original.filename} already fits {spec.label}: nothing to change. Choose "
                                   "crop, pad or resize to change it anyway.")
        exif = fitting.exif_without_location(image)
        fitted = fitting.apply(image, steps, request)
    keep_png = not steps.jpeg and original.content_type == "image/png"
    target = work / ("fitted.png" if keep_png else "fitted.jpg")
    if keep_png:
        fitted.save(target, "PNG", optimize=True)
        return target, list(steps.reasons)
    rgb = fitting.flatten(fitted, request.background)
    quality = 90
    while True:
        rgb.save(target, "JPEG", quality=quality, optimize=True, exif=exif)
        if rules.max_image_bytes is None or target.stat().st_size <= rules.max_image_bytes or quality <= 50:
            break
        quality -= 10
    if rules.max_image_bytes and target.stat().st_size > rules.max_image_bytes:
        raise ValidationFailed(f"{original.filename}: even at low quality the JPEG is over {spec.label}'s "
                               f"{rules.max_image_bytes / 1e6:.1f} MB; resize it to a smaller width first.")
    return target, list(steps.reasons)


def _fit_motion(original: MediaAsset, source: Path, spec: VisualSpec, rules: MediaRules, work: Path,
                progress: Callable[[float], None] | None) -> tuple[Path, list[str]]:
    if original.kind == MediaKind.GIF and MediaKind.GIF in rules.kinds:
        raise ValidationFailed(f"{spec.label} takes GIFs as they are: nothing to convert.")
    if MediaKind.VIDEO not in rules.kinds:
        raise ValidationFailed(f"{spec.label} takes no videos, so {original.filename} cannot be made to fit it.")
    facts = video.probe(source)
    if original.kind == MediaKind.VIDEO and not video.problems(facts, spec, rules):
        raise ValidationFailed(f"{original.filename} already fits {spec.label}: nothing to convert.")
    target = work / "fitted.mp4"
    steps = video.transcode(source, target, facts, spec, rules, progress)
    if original.kind == MediaKind.GIF:
        steps = ["GIF converted to an MP4 video"]
    return target, steps


def set_focal_point(ctx: WorkspaceContext, media_id: str, x: float, y: float) -> MediaAsset:
    ctx.require(Permission.POSTS_WRITE)
    if not (0 <= x <= 1 and 0 <= y <= 1):
        raise ValidationFailed("The focal point is given as fractions of the width and height, each from 0 to 1 "
                               "(0.5, 0.5 is the centre).")
    asset = original_of(ctx, media.get(ctx, media_id))
    asset.focal_x, asset.focal_y = round(x, 4), round(y, 4)
    return asset


# The copy a channel sends --------------------------------------------------------------------------------


def for_channel(session: Session, workspace_id: str, assets: Sequence[MediaAsset], channel: Channel
                ) -> list[MediaAsset]:
    """`assets` as `channel` sends them: each original replaced by its copy fitted for the channel's network."""
    originals = [a.id for a in assets if a.derived_from_id is None]
    if not originals:
        return list(assets)
    network = target_of(channel)
    query = select(MediaAsset).where(MediaAsset.workspace_id == workspace_id, MediaAsset.fitted_for == network,
                                     MediaAsset.derived_from_id.in_(originals))
    copies = {c.derived_from_id: c for c in session.scalars(query)}
    return [copies.get(a.id, a) for a in assets]
