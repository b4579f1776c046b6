"""Fitting an image to a network, in pixels: crop to an aspect around a focal point, pad with a colour or a
blurred copy of itself, scale within limits, flatten to JPEG, drop the location from EXIF.

Pure Pillow, no database: the service (studio/service.py) opens the original, asks `plan` what a network
needs, applies it with `apply` and stores the result as a copy in the media library.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image, ImageColor, ImageFilter, ImageOps

from socialdesk.networks.base import MediaRules
from socialdesk.studio.specs import VisualSpec, aspect_label

GPS_IFD = 0x8825
ORIENTATION = 0x0112
CROP, PAD, RESIZE, CONVERT, STRIP = "crop", "pad", "resize", "convert", "strip_location"
MODES = ("auto", CROP, PAD, RESIZE, CONVERT, STRIP)
BLUR = "blur"


@dataclass(frozen=True)
class FitRequest:
    """What the user asked for. `mode` auto does what the network needs and nothing more."""

    mode: str = "auto"
    aspect: float | None = None  # for crop and pad; None: the nearest ratio the network accepts
    focal: tuple[float, float] = (0.5, 0.5)  # fractions of width and height
    background: str = "#ffffff"  # a colour, or "blur"
    max_width: int | None = None  # resize: at most this wide

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"Unknown fit {self.mode!r}; choose one of {', '.join(MODES)}.")
        if self.background != BLUR:
            try:
                ImageColor.getrgb(self.background)
            except ValueError:
                raise ValueError(f"{self.background!r} is not a colour; write it as #rrggbb, or 'blur'.") from None
        fx, fy = self.focal
        if not (0 <= fx <= 1 and 0 <= fy <= 1):
            raise ValueError("The focal point is given as fractions of the width and height, each from 0 to 1.")
        if self.max_width is not None and not 16 <= self.max_width <= 20_000:
            raise ValueError("Resize to a width from 16 to 20,000 pixels.")


@dataclass(frozen=True)
class Plan:
    """The steps for one image on one network, and why (each reason a sentence for the user)."""

    aspect: float | None  # crop or pad to this; None: keep the shape
    how: str  # crop or pad
    max_width: int | None
    jpeg: bool
    reasons: tuple[str, ...]

    @property
    def needed(self) -> bool:
        return bool(self.reasons)


def allowed_ratio(ratio: float, spec: VisualSpec) -> float:
    """The nearest aspect the network accepts (the ratio itself when it fits)."""
    if spec.min_ratio is not None and ratio < spec.min_ratio:
        return spec.min_ratio
    if spec.max_ratio is not None and ratio > spec.max_ratio:
        return spec.max_ratio
    return ratio


def plan(width: int, height: int, content_type: str, size_bytes: int, spec: VisualSpec, rules: MediaRules,
         request: FitRequest, *, has_location: bool = False) -> Plan:
    ratio = width / height
    reasons: list[str] = []
    aspect: float | None = None
    how = PAD if request.mode == PAD else CROP
    wanted = allowed_ratio(ratio, spec)
    if request.mode in (CROP, PAD):
        aspect = request.aspect or wanted
        reasons.append(f"{'cropped' if how == CROP else 'padded'} to {aspect_label(aspect)}")
    elif request.mode == "auto" and abs(wanted - ratio) > 0.005:
        aspect = wanted
        # Far from the allowed shape a crop would lose too much of the picture: pad instead.
        how = CROP if max(ratio / wanted, wanted / ratio) <= 1.35 else PAD
        reasons.append(f"{aspect_label(ratio)} is outside what {spec.label} accepts: "
                       f"{'cropped' if how == CROP else 'padded'} to {aspect_label(wanted)}")
    max_width = request.max_width if request.mode == RESIZE else None
    limit = spec.max_width
    if request.mode in ("auto", CROP, PAD) and limit and width > limit:
        max_width = limit
    if rules.max_image_pixels and width * height > rules.max_image_pixels:
        fit = int((rules.max_image_pixels * ratio) ** 0.5)
        max_width = min(max_width or fit, fit)
    if spec.max_side_sum and width + height > spec.max_side_sum:
        fit = int(spec.max_side_sum * ratio / (1 + ratio)) - 1
        max_width = min(max_width or fit, fit)
    if max_width and max_width < width:
        reasons.append(f"scaled to {max_width} pixels wide")
    elif request.mode == RESIZE and request.max_width:
        reasons.append(f"already {width} pixels wide, at most {request.max_width}: not enlarged")
    jpeg = content_type.lower() not in rules.image_types or request.mode == CONVERT or (
        rules.max_image_bytes is not None and size_bytes > rules.max_image_bytes)
    if jpeg:
        reasons.append("converted to JPEG")
    if has_location:
        reasons.append("location removed from the photo's data")
    elif request.mode == STRIP:
        reasons.append("no location in the photo's data; copied without it anyway")
    return Plan(aspect, how, max_width, jpeg, tuple(reasons))


def crop_box(width: int, height: int, aspect: float, focal: tuple[float, float] = (0.5, 0.5)
             ) -> tuple[int, int, int, int]:
    """The largest box of `aspect` inside width × height, centred on the focal point as far as it can be."""
    if width / height > aspect:
        box_w, box_h = max(1, round(height * aspect)), height
    else:
        box_w, box_h = width, max(1, round(width / aspect))
    left = min(max(0, round(focal[0] * width - box_w / 2)), width - box_w)
    top = min(max(0, round(focal[1] * height - box_h / 2)), height - box_h)
    return left, top, left + box_w, top + box_h


def upright(image: Image.Image) -> Image.Image:
    """Turned as the camera's orientation tag says (the copy then needs no tag)."""
    turned = ImageOps.exif_transpose(image)
    return turned if turned is not None else image


def flatten(image: Image.Image, background: str = "#ffffff") -> Image.Image:
    """RGB, transparency laid on `background` (white unless a colour is chosen)."""
    colour = "#ffffff" if background == BLUR else background
    if image.mode in ("RGBA", "LA", "P", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, colour)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB") if image.mode != "RGB" else image


def crop_to(image: Image.Image, aspect: float, focal: tuple[float, float]) -> Image.Image:
    return image.crop(crop_box(image.width, image.height, aspect, focal))


def pad_to(image: Image.Image, aspect: float, background: str) -> Image.Image:
    """The whole picture inside a frame of `aspect`, bars in a colour or a blurred, enlarged copy."""
    if image.width / image.height > aspect:
        size = image.width, max(image.height, round(image.width / aspect))
    else:
        size = max(image.width, round(image.height * aspect)), image.height
    if background == BLUR:
        frame = ImageOps.fit(image, size, Image.Resampling.BILINEAR)
        frame = frame.filter(ImageFilter.GaussianBlur(max(8, min(size) // 30)))
    else:
        frame = Image.new("RGB", size, background)
    frame.paste(image, ((size[0] - image.width) // 2, (size[1] - image.height) // 2))
    return frame


def scale_to_width(image: Image.Image, width: int) -> Image.Image:
    if image.width <= width:
        return image
    return image.resize((width, max(1, round(image.height * width / image.width))), Image.Resampling.LANCZOS)


def apply(image: Image.Image, steps: Plan, request: FitRequest) -> Image.Image:
    """The fitted picture (RGB when it becomes a JPEG, else the original's mode where it can stay)."""
    image.load()
    image = upright(image)
    work = flatten(image, request.background) if steps.jpeg or steps.how == PAD else image
    if steps.aspect is not None:
        if steps.how == PAD:
            work = pad_to(flatten(work, request.background), steps.aspect, request.background)
        else:
            work = crop_to(work, steps.aspect, request.focal)
    if steps.max_width:
        work = scale_to_width(work, steps.max_width)
    return work


def has_location(image: Image.Image) -> bool:
    try:
        return bool(image.getexif().get_ifd(GPS_IFD))
    except Exception:  # a damaged EXIF block carries no location we could read either
        return False


def exif_without_location(image: Image.Image) -> bytes:
    """The photo's EXIF minus its GPS block and orientation (the copy is already upright)."""
    exif = image.getexif()
    for tag in (GPS_IFD, ORIENTATION):
        if tag in exif:
            del exif[tag]
    return exif.tobytes() if len(exif) else b""

