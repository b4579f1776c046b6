"""Videos and animated GIFs: what ffprobe says a file is, whether a network takes it, and an ffmpeg
transcode (H.264 + AAC in MP4) that makes it fit, reporting its progress.

ffmpeg and ffprobe are Debian's (`apt-get install ffmpeg`; scripts/fresh-machine-check installs them for
the tests). Without them every function here raises `ToolMissing` with that instruction.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from socialdesk.core.errors import ValidationFailed
from socialdesk.networks.base import MediaRules
from socialdesk.studio.specs import VisualSpec, aspect_label

PROBE_TIMEOUT = 60
TRANSCODE_TIMEOUT = 3600


class ToolMissing(ValidationFailed):
    pass


@dataclass(frozen=True)
class VideoFacts:
    codec: str
    audio_codec: str | None
    width: int
    height: int
    duration_seconds: float
    size_bytes: int
    container: str

    @property
    def aspect(self) -> float:
        return self.width / self.height if self.height else 1.0


def tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise ToolMissing(f"{name} is not installed on this server, so videos cannot be checked or converted. "
                          "Install it with: apt-get install ffmpeg (README, 'Video').")
    return found


def available() -> bool:
    return bool(shutil.which("ffmpeg") and shutil.which("ffprobe"))


def probe(path: Path) -> VideoFacts:
    """Codec, size, duration of the first video stream; ValidationFailed when ffprobe cannot read it."""
    try:
        done = subprocess.run([tool("ffprobe"), "-v", "error", "-print_format", "json", "-show_format",
                               "-show_streams", str(path)], capture_output=True, timeout=PROBE_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise ValidationFailed(f"{path.name}: reading the video took too long.") from None
    if done.returncode != 0:
        raise ValidationFailed(f"{path.name}: not a video ffprobe can read "
                               f"({done.stderr.decode(errors='replace').strip()[:200]}).")
    found = json.loads(done.stdout or b"{}")
    streams = found.get("streams") or []
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    if video is None:
        raise ValidationFailed(f"{path.name}: the file has no video stream.")
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    fmt = found.get("format") or {}
    duration = float(video.get("duration") or fmt.get("duration") or 0)
    return VideoFacts(codec=str(video.get("codec_name", "")), audio_codec=audio.get("codec_name") if audio else None,
                      width=int(video.get("width") or 0), height=int(video.get("height") or 0),
                      duration_seconds=duration, size_bytes=int(fmt.get("size") or path.stat().st_size),
                      container=str(fmt.get("format_name", "")))


def problems(facts: VideoFacts, spec: VisualSpec, rules: MediaRules) -> list[str]:
    """What this network would refuse or spoil, each a sentence; [] when the video fits."""
    found = []
    if facts.codec not in spec.video_codecs:
        found.append(f"its video is {facts.codec or 'of an unknown codec'}; {spec.label} wants "
                     f"{', '.join(sorted(c.upper() for c in spec.video_codecs))}")
    if facts.audio_codec and facts.audio_codec not in spec.audio_codecs:
        found.append(f"its sound is {facts.audio_codec}; {spec.label} wants "
                     f"{' or '.join(sorted(c.upper() for c in spec.audio_codecs))}")
    if rules.max_video_seconds and facts.duration_seconds > rules.max_video_seconds:
        found.append(f"it runs {facts.duration_seconds:.0f} s; {spec.label} takes up to "
                     f"{rules.max_video_seconds:.0f} s")
    if rules.max_video_bytes and facts.size_bytes > rules.max_video_bytes:
        found.append(f"it is {facts.size_bytes / 1e6:.0f} MB; {spec.label} takes up to "
                     f"{rules.max_video_bytes / 1e6:.0f} MB")
    ratio = facts.aspect
    if (spec.video_min_ratio and ratio < spec.video_min_ratio - 0.005) or (
            spec.video_max_ratio and ratio > spec.video_max_ratio + 0.005):
        found.append(f"its shape is {aspect_label(ratio)}; {spec.label} shows videos from "
                     f"{aspect_label(spec.video_min_ratio or ratio)} to {aspect_label(spec.video_max_ratio or ratio)}")
    if facts.width > spec.video_max_width:
        found.append(f"it is {facts.width} pixels wide; {spec.label} plays up to {spec.video_max_width}")
    return found


def _filters(facts: VideoFacts, spec: VisualSpec) -> str:
    """Pad into the accepted shape (nothing lost), scale within the width, even sizes for H.264."""
    parts = []
    ratio = facts.aspect
    if spec.video_min_ratio and ratio < spec.video_min_ratio:
        parts.append(f"pad=ceil(ih*{spec.video_min_ratio:.6f}/2)*2:ih:(ow-iw)/2:0:black")
    elif spec.video_max_ratio and ratio > spec.video_max_ratio:
        parts.append(f"pad=iw:ceil(iw/{spec.video_max_ratio:.6f}/2)*2:0:(oh-ih)/2:black")
    parts.append(f"scale='min({spec.video_max_width},iw)':-2")
    parts.append("format=yuv420p")
    return ",".join(parts)


def transcode(source: Path, target: Path, facts: VideoFacts, spec: VisualSpec, rules: MediaRules,
              progress: Callable[[float], None] | None = None) -> list[str]:
    """Write an MP4 (H.264, AAC, fast start) that the network takes; returns what was changed.

    `progress` gets the fraction done (0..1) as ffmpeg reports it. A GIF becomes a silent MP4.
    """
    steps = ["re-encoded as H.264/AAC MP4"]
    command = [tool("ffmpeg"), "-hide_banner", "-nostdin", "-y", "-i", str(source)]
    duration = facts.duration_seconds
    if rules.max_video_seconds and duration > rules.max_video_seconds:
        command += ["-t", f"{rules.max_video_seconds:.3f}"]
        duration = rules.max_video_seconds
        steps.append(f"trimmed to the first {rules.max_video_seconds:.0f} s")
    command += ["-vf", _filters(facts, spec), "-c:v", "libx264", "-preset", "veryfast", "-crf", "23",
                "-movflags", "+faststart", "-map_metadata", "-1"]
    command += ["-c:a", "aac", "-b:a", "128k"] if facts.audio_codec else ["-an"]
    command += ["-progress", "pipe:1", "-nostats", "-loglevel", "error", str(target)]
    partial = target.with_name(target.name + ".partial.mp4")
    command[-1] = str(partial)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    for line in process.stdout:
        key, _, value = line.strip().partition("=")
        if key == "out_time_us" and progress and duration > 0 and value.isdigit():
            progress(min(1.0, int(value) / 1e6 / duration))
    error = process.stderr.read() if process.stderr else ""
    if process.wait(timeout=TRANSCODE_TIMEOUT) != 0:
        partial.unlink(missing_ok=True)
        raise ValidationFailed(f"{source.name}: ffmpeg could not convert it ({error.strip()[:300]}).")
    partial.replace(target)
    if progress:
        progress(1.0)
    return steps
