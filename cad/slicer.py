"""Print time and filament of an STL from PrusaSlicer's own estimate, cached.

    prusa-slicer --export-gcode --load <profile.ini> --load profiles/material-petg.ini
                 --center X,Y -o out.gcode part.stl

The G-code's closing comments carry `estimated printing time (normal mode)`,
`filament used [cm3]` and `filament used [g]` (the profile's filament_density). The part
is centred on the profile's bed (`bed_shape`): a part that does not fit fails to slice.
Figures are never invented: when `prusa-slicer` is missing, or slicing fails, the result
is `{"available": False, "reason": ...}`.

Slicing a headband takes seconds to a minute, so results are cached as small JSON files
named by sha256(STL bytes, profile and material bytes, slicer version): a changed mesh,
profile, material or slicer slices again, nothing else does.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from cad.fsutil import atomic_write_text, sha256_file

REPO_ROOT = Path(__file__).resolve().parent.parent
#: the shared benchmark profile, next to the repository; a copy ships in cad/profiles/
SHARED_PROFILE = REPO_ROOT.parent / "shared" / "bench" / "reference-fdm.ini"
BUNDLED_PROFILE = Path(__file__).resolve().parent / "profiles" / "reference-fdm.ini"
#: the material the reference profile names in its header (PETG), loaded after every
#: profile: without it PrusaSlicer fills in PLA's defaults (type, temperatures), and the
#: printer-ready 3MF would disagree with the material the page states
MATERIAL_PROFILE = Path(__file__).resolve().parent / "profiles" / "material-petg.ini"
SLICER = "prusa-slicer"
TIMEOUT_S = 900
CACHE_SCHEMA = 1

_TIME = re.compile(r"^; estimated printing time \(normal mode\) = (.+)$", re.M)
_CM3 = re.compile(r"^; filament used \[cm3\] = ([0-9.]+)", re.M)
_GRAMS = re.compile(r"^; filament used \[g\] = ([0-9.]+)", re.M)
_MM = re.compile(r"^; filament used \[mm\] = ([0-9.]+)", re.M)
_DURATION = re.compile(r"(\d+)\s*([dhms])")


def reference_profile() -> Path:
    """The reference profile: the shared one if present, else the bundled copy."""
    return SHARED_PROFILE if SHARED_PROFILE.is_file() else BUNDLED_PROFILE


def slicer_path() -> str | None:
    """Path of the prusa-slicer executable, or None."""
    return shutil.which(SLICER)


@lru_cache(maxsize=4)
def _version_of(exe: str) -> str | None:
    try:
        out = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r"PrusaSlicer-([0-9][^\s]*)", out.stdout + out.stderr)
    if not match:
        return None
    return "PrusaSlicer " + match.group(1).split("+")[0]


def slicer_version() -> str | None:
    """e.g. "PrusaSlicer 2.5.0", or None when prusa-slicer is not installed."""
    exe = slicer_path()
    return _version_of(exe) if exe else None


def parse_duration(text: str) -> int:
    """PrusaSlicer's "1h 2m 3s" (also "1d 2h", "45s") in seconds."""
    units = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    parts = _DURATION.findall(text)
    if not parts:
        raise ValueError(f"not a PrusaSlicer duration: {text!r}")
    return sum(int(n) * units[u] for n, u in parts)


def parse_gcode(text: str) -> dict[str, Any]:
    """{"time_s", "filament_cm3", "filament_g", "filament_mm"} from G-code comments."""
    time_m, cm3_m = _TIME.search(text), _CM3.search(text)
    if not time_m or not cm3_m:
        raise ValueError("G-code has no PrusaSlicer time/filament comments")
    grams, mm = _GRAMS.search(text), _MM.search(text)
    return {"time_s": parse_duration(time_m.group(1)),
            "filament_cm3": float(cm3_m.group(1)),
            "filament_g": float(grams.group(1)) if grams else None,
            "filament_mm": float(mm.group(1)) if mm else None}


def bed_centre(profile: str | os.PathLike) -> tuple[float, float]:
    """Centre of the profile's `bed_shape` (default 125, 105 when absent)."""
    text = Path(profile).read_text(encoding="utf-8")
    m = re.search(r"^bed_shape\s*=\s*(.+)$", text, re.M)
    if not m:
        return 125.0, 105.0
    pts = [tuple(float(v) for v in p.split("x")) for p in m.group(1).strip().split(",")]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


def bed_size(profile: str | os.PathLike) -> tuple[float, float, float]:
    """(x, y, max height) of the profile's printable volume (bed_shape, max_print_height)."""
    text = Path(profile).read_text(encoding="utf-8")
    m = re.search(r"^bed_shape\s*=\s*(.+)$", text, re.M)
    pts = [tuple(float(v) for v in p.split("x")) for p in m.group(1).strip().split(",")] \
        if m else [(0.0, 0.0), (250.0, 210.0)]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    h = re.search(r"^max_print_height\s*=\s*([0-9.]+)", text, re.M)
    return max(xs) - min(xs), max(ys) - min(ys), float(h.group(1)) if h else 210.0


def _too_big(stl: str | os.PathLike, profile: Path) -> str | None:
    """Why the part does not fit the printer's volume, or None (PrusaSlicer 2.5's CLI
    slices a part larger than the bed without complaint)."""
    import trimesh

    mesh = trimesh.load(str(stl), file_type="stl", force="mesh", process=False)
    size = mesh.bounds[1] - mesh.bounds[0]
    bx, by, bz = bed_size(profile)
    if size[0] > bx or size[1] > by or size[2] > bz:
        return (f"the part ({size[0]:.1f} x {size[1]:.1f} x {size[2]:.1f} mm) does not fit "
                f"the profile's printable volume ({bx:g} x {by:g} x {bz:g} mm)")
    return None


def _loads(profile: Path) -> list[str]:
    """PrusaSlicer's arguments loading the profile, then the material on top."""
    return ["--load", str(profile), "--load", str(MATERIAL_PROFILE)]


def cache_key(stl: str | os.PathLike, profile: str | os.PathLike, version: str) -> str:
    """sha256 over (STL, profile and material sha256, slicer version, cache schema)."""
    payload = json.dumps([sha256_file(stl), sha256_file(profile),
                          sha256_file(MATERIAL_PROFILE), version, CACHE_SCHEMA])
    return hashlib.sha256(payload.encode()).hexdigest()


def unavailable(reason: str) -> dict[str, Any]:
    return {"available": False, "reason": reason}


def slice_stl(stl: str | os.PathLike, profile: str | os.PathLike | None = None, *,
              cache_dir: str | os.PathLike | None = None, units: int = 1) -> dict[str, Any]:
    """Slice `stl` with PrusaSlicer on `profile` (default: `reference_profile()`).

    Returns the manifest's print figure:
    {"available": True, "time_s", "filament_cm3", "filament_g", "units", "time_per_unit_s",
     "filament_per_unit_cm3", "profile", "slicer", "cached"} or
    {"available": False, "reason"}. `units`: parts in the file (a stack of N headbands),
    for the per-unit figures. cache_dir: where results are kept (None: no cache)."""
    profile = Path(profile) if profile is not None else reference_profile()
    exe = slicer_path()
    if exe is None:
        return unavailable(f"{SLICER} is not installed")
    if not profile.is_file():
        return unavailable(f"slicer profile {profile} is missing")
    version = _version_of(exe)
    if version is None:
        return unavailable(f"{SLICER} did not report its version")
    key = cache_key(stl, profile, version)
    cached_file = Path(cache_dir) / f"{key}.json" if cache_dir is not None else None
    figures = None
    if cached_file is not None and cached_file.is_file():
        try:
            figures = json.loads(cached_file.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, OSError):
            figures = None
    was_cached = figures is not None
    if figures is None:
        too_big = _too_big(stl, profile)
        if too_big:
            return unavailable(too_big)
        cx, cy = bed_centre(profile)
        with tempfile.TemporaryDirectory(prefix="usine-slice-") as tmp:
            gcode = Path(tmp) / "out.gcode"
            cmd = [exe, "--export-gcode", *_loads(profile), "--center",
                   f"{cx:g},{cy:g}", "-o", str(gcode), str(stl)]
            try:
                run = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S)
            except subprocess.TimeoutExpired:
                return unavailable(f"{SLICER} took more than {TIMEOUT_S} s")
            if run.returncode != 0 or not gcode.is_file():
                tail = [ln for ln in (run.stderr + run.stdout).splitlines()
                        if "error" in ln.lower() or "fit" in ln.lower()][-2:]
                return unavailable(f"{SLICER} failed (exit {run.returncode}): "
                                   + (" | ".join(tail) or "no message"))
            try:
                figures = parse_gcode(gcode.read_text(encoding="utf-8", errors="replace"))
            except ValueError as err:
                return unavailable(str(err))
        if cached_file is not None:
            atomic_write_text(cached_file, json.dumps(figures))
    units = max(1, int(units))
    return {"available": True, "time_s": figures["time_s"],
            "filament_cm3": figures["filament_cm3"], "filament_g": figures["filament_g"],
            "units": units, "time_per_unit_s": round(figures["time_s"] / units, 1),
            "filament_per_unit_cm3": round(figures["filament_cm3"] / units, 3),
            "profile": profile.name, "slicer": version, "cached": was_cached}


def slicer_fingerprint() -> str:
    """What print figures and the 3MF depend on besides the STL: slicer version, profile
    and material bytes (part of an fdm variant's cache key, so a new slicer, profile or
    material re-slices)."""
    profile = reference_profile()
    version = slicer_version() or "no-slicer"
    digest = sha256_file(profile) if profile.is_file() else "no-profile"
    return f"{version}:{digest}:{sha256_file(MATERIAL_PROFILE)}"


# ---------------------------------------------------------------- printer-ready 3MF

#: PrusaSlicer's own name for the print settings inside a 3MF (read back when opened)
CONFIG_3MF = "Metadata/Slic3r_PE.config"
#: fixed date in the 3MF (its metadata and zip entries), so the same part gives the same bytes
FIXED_DATE = (2020, 1, 1, 0, 0, 0)
_MATERIALS = re.compile(r"\b(PLA|PETG|PET|ABS|ASA|TPU|PA|PC|PP)\b")


def profile_values(profile: str | os.PathLike) -> dict[str, str]:
    """`key = value` lines of a PrusaSlicer .ini (comments skipped)."""
    out = {}
    for line in Path(profile).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";", "[")) and "=" in line:
            key, value = line.split("=", 1)
            out[key.strip()] = value.strip()
    return out


def profile_settings(profile: str | os.PathLike | None = None) -> dict[str, Any]:
    """What a maker needs to know of the profile, for a design page: layer height,
    perimeters, infill, nozzle, material and its temperatures. The material is the
    `filament_type` of the material profile loaded after it (MATERIAL_PROFILE) or of the
    profile, else the one its header comment names ("PETG at 8 mm3/s"), with
    `material_source` saying which."""
    profile = Path(profile) if profile is not None else reference_profile()
    values = {**profile_values(profile), **profile_values(MATERIAL_PROFILE)}
    settings: dict[str, Any] = {"technology": "fdm"}
    if "layer_height" in values:
        settings["layer_height_mm"] = float(values["layer_height"])
    if "perimeters" in values:
        settings["perimeters"] = int(values["perimeters"])
    if "fill_density" in values:
        settings["infill"] = values["fill_density"]
    if "fill_pattern" in values:
        settings["infill_pattern"] = values["fill_pattern"]
    if "nozzle_diameter" in values:
        settings["nozzle_mm"] = float(values["nozzle_diameter"].split(",")[0])
    for key, name in (("temperature", "nozzle_temperature_c"),
                      ("bed_temperature", "bed_temperature_c")):
        if key in values:
            settings[name] = int(values[key])
    if values.get("filament_type"):
        settings["material"], settings["material_source"] = values["filament_type"], "profile"
    else:
        comments = "\n".join(ln for ln in profile.read_text(encoding="utf-8").splitlines()
                             if ln.lstrip().startswith(("#", ";")))
        found = _MATERIALS.search(comments)
        if found:
            settings["material"], settings["material_source"] = found.group(1), "comment"
    return settings


def _config_text(full_ini: str, version: str) -> str:
    """PrusaSlicer's 3MF config format: a `generated by` header, then `; key = value`."""
    lines = [f"; generated by {version} on "
             f"{FIXED_DATE[0]:04d}-{FIXED_DATE[1]:02d}-{FIXED_DATE[2]:02d} at 00:00:00 UTC", ""]
    for line in full_ini.splitlines():
        if line.strip() and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            lines.append(f"; {key.strip()} = {value.strip()}")
    return "\n".join(lines) + "\n"


def _normalise_3mf(src: Path, dst: Path, config: str) -> None:
    """Rewrite PrusaSlicer's 3MF with fixed dates and its print config added."""
    import zipfile

    date = f"{FIXED_DATE[0]:04d}-{FIXED_DATE[1]:02d}-{FIXED_DATE[2]:02d}"
    with zipfile.ZipFile(src) as zin, \
            zipfile.ZipFile(dst, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == CONFIG_3MF:
                continue
            if item.filename.endswith(".model"):
                text = data.decode("utf-8")
                text = re.sub(r'(<metadata name="(?:CreationDate|ModificationDate)">)[^<]*',
                              rf"\g<1>{date}", text)
                data = text.encode("utf-8")
            zout.writestr(zipfile.ZipInfo(item.filename, FIXED_DATE), data,
                          compress_type=zipfile.ZIP_DEFLATED)
        zout.writestr(zipfile.ZipInfo(CONFIG_3MF, FIXED_DATE), config.encode("utf-8"),
                      compress_type=zipfile.ZIP_DEFLATED)


def export_3mf(stl: str | os.PathLike, out: str | os.PathLike,
               profile: str | os.PathLike | None = None) -> Path:
    """A printer-ready 3MF of `stl`: PrusaSlicer's `--export-3mf` with `--load profile`
    and the material (MATERIAL_PROFILE) as sliced, the part centred on the profile's bed
    like the sliced one.

    PrusaSlicer 2.5's command line writes the model but not the print settings into the
    3MF (its CLI passes no config to the 3MF writer), so the settings PrusaSlicer
    resolved from the profile (`--save`: the profile plus PrusaSlicer's defaults for what
    it leaves out) are added as `Metadata/Slic3r_PE.config` in PrusaSlicer's own format:
    opening the file in PrusaSlicer, or slicing it without `--load`, uses them.
    Dates are fixed. Raises RuntimeError when prusa-slicer is missing or fails."""
    from cad.fsutil import atomic_target

    profile = Path(profile) if profile is not None else reference_profile()
    exe = slicer_path()
    version = _version_of(exe) if exe else None
    if exe is None or version is None:
        raise RuntimeError(f"{SLICER} is not installed")
    cx, cy = bed_centre(profile)
    with tempfile.TemporaryDirectory(prefix="usine-3mf-") as tmp:
        raw, full = Path(tmp) / f"{Path(out).stem}.3mf", Path(tmp) / "full.ini"
        cmd = [exe, "--export-3mf", *_loads(profile), "--center", f"{cx:g},{cy:g}",
               "--save", str(full), "-o", str(raw), str(stl)]
        try:
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"{SLICER} --export-3mf took more than {TIMEOUT_S} s") from None
        if run.returncode != 0 or not raw.is_file() or not full.is_file():
            raise RuntimeError(f"{SLICER} --export-3mf failed (exit {run.returncode})")
        config = _config_text(full.read_text(encoding="utf-8"), version)
        with atomic_target(out) as target:
            _normalise_3mf(raw, Path(target), config)
    return Path(out)
