"""How each network shows images and videos: the aspect ratios it accepts, the sizes it recommends, the
frames its apps crop a picture into (for the safe-area overlay), and the video codecs it takes.

The hard limits (formats, bytes, pixels, durations) stay in each network's `Capabilities.media`; this
module adds what `MediaRules` cannot say. Figures are the networks' own help and API pages where they
publish them (Instagram's 4:5 to 1.91:1 and 1440-pixel width: networks/instagram/rules.py and media.py);
the rest (story safe zones, timeline crops) is the layout the apps show today and is marked "(advice)".
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Frame:
    """A place the network shows an image, cropped to `aspect` (width / height) around the centre or the
    focal point; `safe` is the share of the height kept free of the app's own buttons, top and bottom."""

    name: str
    aspect: float
    note: str = ""
    safe_top: float = 0.0
    safe_bottom: float = 0.0


@dataclass(frozen=True)
class Size:
    name: str
    width: int
    height: int

    @property
    def aspect(self) -> float:
        return self.width / self.height

    def label(self) -> str:
        return f"{self.name} {self.width}×{self.height}"


@dataclass(frozen=True)
class VisualSpec:
    network: str
    label: str
    min_ratio: float | None = None  # narrowest width/height accepted (None: any)
    max_ratio: float | None = None  # widest
    max_width: int | None = None  # larger images are scaled down by the network: do it first, sharper
    max_side_sum: int | None = None  # Telegram: width + height at most 10,000
    sizes: tuple[Size, ...] = ()  # recommended sizes, the first is the default for cards
    frames: tuple[Frame, ...] = ()
    video_codecs: frozenset[str] = frozenset({"h264"})
    audio_codecs: frozenset[str] = frozenset({"aac", "mp3"})
    video_min_ratio: float | None = None
    video_max_ratio: float | None = None
    video_max_width: int = 1920
    notes: tuple[str, ...] = field(default=())


SQUARE = Size("square", 1080, 1080)
PORTRAIT = Size("portrait", 1080, 1350)
STORY = Size("story", 1080, 1920)
LANDSCAPE = Size("landscape", 1200, 675)

SPECS: dict[str, VisualSpec] = {
    "instagram": VisualSpec(
        "instagram", "Instagram", min_ratio=4 / 5, max_ratio=1.91, max_width=1440,
        sizes=(PORTRAIT, SQUARE, Size("landscape", 1080, 566), STORY),
        frames=(Frame("profile grid", 3 / 4, "the grid shows a 3:4 tile (advice)"),
                Frame("story", 9 / 16, "buttons cover the top and bottom 14 % (advice)", 0.14, 0.14)),
        video_min_ratio=9 / 16, video_max_ratio=1.91, video_max_width=1920),
    "threads": VisualSpec("threads", "Threads", min_ratio=None, max_ratio=None, max_width=1440,
                          sizes=(PORTRAIT, SQUARE), frames=(Frame("feed", 4 / 5, "tall images are cut to 4:5 "
                                                                                 "in the feed (advice)"),)),
    "facebook": VisualSpec("facebook", "Facebook", max_width=2048, sizes=(PORTRAIT, SQUARE, LANDSCAPE),
                           frames=(Frame("feed", 4 / 5, "taller images are cut to 4:5 (advice)"),
                                   Frame("link preview", 1.91, "shared links show 1.91:1 (advice)"))),
    "x": VisualSpec("x", "X", max_width=4096, sizes=(LANDSCAPE, SQUARE),
                    frames=(Frame("timeline", 16 / 9, "one image is shown 16:9 until opened (advice)"),)),
    "bluesky": VisualSpec("bluesky", "Bluesky", max_width=2000, sizes=(LANDSCAPE, SQUARE),
                          frames=(Frame("timeline", 16 / 9, "several images are shown as 16:9 tiles (advice)"),)),
    "mastodon": VisualSpec("mastodon", "Mastodon", max_width=3840, sizes=(LANDSCAPE, SQUARE),
                           frames=(Frame("timeline", 16 / 9, "the web app crops to 16:9 around the focal point"),)),
    "linkedin": VisualSpec("linkedin", "LinkedIn", max_width=7680, sizes=(Size("landscape", 1200, 627), SQUARE,
                                                                          PORTRAIT),
                           frames=(Frame("feed", 1.91, "wide images show 1.91:1 (advice)"),)),
    "telegram": VisualSpec("telegram", "Telegram", max_ratio=20, min_ratio=1 / 20, max_side_sum=10_000,
                           sizes=(SQUARE, LANDSCAPE)),
    "tiktok": VisualSpec("tiktok", "TikTok", max_width=1080, sizes=(STORY,),
                         frames=(Frame("full screen", 9 / 16, "caption and buttons cover the bottom 20 % (advice)",
                                       0.08, 0.2),),
                         video_min_ratio=9 / 16, video_max_ratio=16 / 9, video_max_width=1080),
    "pinterest": VisualSpec("pinterest", "Pinterest", max_width=1000 * 3, sizes=(Size("pin", 1000, 1500),),
                            frames=(Frame("grid", 2 / 3, "Pins taller than 2:3 are cut in the grid (advice)"),)),
    "youtube": VisualSpec("youtube", "YouTube", sizes=(Size("thumbnail", 1280, 720),),
                          video_min_ratio=9 / 16, video_max_ratio=16 / 9, video_max_width=3840),
    "vk": VisualSpec("vk", "VK", max_width=2560, sizes=(LANDSCAPE, SQUARE)),
}
GENERIC = VisualSpec("generic", "Any network", sizes=(SQUARE, LANDSCAPE, PORTRAIT))


def spec_for(network: str) -> VisualSpec:
    return SPECS.get(network, GENERIC)


def parse_aspect(text: str) -> float:
    """"4:5", "1.91:1", "1.91" → width / height; ValueError with what to write for anything else."""
    raw = str(text).strip().replace("/", ":").replace("x", ":").replace("×", ":")
    try:
        if ":" in raw:
            width, height = (float(part) for part in raw.split(":", 1))
        else:
            width, height = float(raw), 1.0
    except ValueError:
        raise ValueError(f"{text!r} is not an aspect ratio; write it as width:height, e.g. 4:5 or 16:9.") from None
    if width <= 0 or height <= 0 or not 1 / 20 <= width / height <= 20:
        raise ValueError(f"{text!r} is not a usable aspect ratio; use one between 1:20 and 20:1, e.g. 4:5.")
    return width / height


def aspect_label(ratio: float) -> str:
    for name, value in (("1:1", 1.0), ("4:5", 0.8), ("3:4", 0.75), ("2:3", 2 / 3), ("9:16", 9 / 16),
                        ("16:9", 16 / 9), ("1.91:1", 1.91), ("4:3", 4 / 3), ("3:2", 1.5)):
        if abs(ratio - value) < 0.01:
            return name
    return f"{ratio:.2f}:1"
