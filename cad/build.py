"""The variant build engine: build what changed, in parallel, into a clean manifest.

For every published design and every variant of its matrix, the engine computes the
cache key (cad.cache); a variant whose key, files and file hashes match the previous
manifest is reused as is, the others are built in worker processes: import the design's
package and read its model only through cad.contract.DesignModel, build, export four
files (and, for a printed part, the 3MF PrusaSlicer saves with the reference profile),
check the mesh and the design's own rules (a model's `checks(params, result, files)`
receives the files written for the variant, so it measures what is published), measure.
A model that raises costs only its own variant: the others are built, the manifest keeps
only finished records, and the run reports failure. The manifest is written atomically,
so the site and the API never read a half-written one.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from cad.cache import cad_digest, design_digest, key_from_digests, stale_reason
from cad.dxf import audit_dxf, cut_metrics, cut_time_s, export_dxf
from cad.export import (FORMATS, as_shape, assembly_shape, export_all,
                        export_assembly)
from cad.fit import apply_fits
from cad.fsutil import atomic_write_text, sha256_file
from cad.measure import measure
from cad.meshcheck import check_mesh, load_mesh
from cad.registry import (DEFAULT_ROOT, REPO_ROOT, SLUG_RE, Design, DesignError,
                          load_model, published_designs)
from cad.slicer import export_3mf, profile_settings, slice_stl, slicer_fingerprint

MANIFEST_SCHEMA = 1
MANIFEST_NAME = "manifest.json"
DEFAULT_OUT = REPO_ROOT / "build"
#: file extensions the engine writes into build/<slug>/ (stale ones are removed)
OUTPUT_EXTS = set(FORMATS) | {"dxf", "pdf", "3mf"}


def slicer_cache_dir() -> Path:
    """Where sliced figures are cached: $USINE_SLICER_CACHE, else build/.slicer-cache of
    the repository (content-addressed, so shared by every output folder)."""
    env = os.environ.get("USINE_SLICER_CACHE")
    return Path(env) if env else DEFAULT_OUT / ".slicer-cache"


@dataclass(frozen=True)
class Task:
    """What a worker needs to build one variant (plain data: it crosses processes)."""

    design: str
    variant: str
    design_dir: str
    params: dict[str, Any]
    cache_key: str
    out_dir: str
    technology: str = "fdm"


@dataclass
class Failure:
    """A variant whose model (or export) raised: named, with the exception."""

    design: str
    variant: str
    error: str
    where: str = ""
    traceback: str = ""

    def line(self) -> str:
        where = f" ({self.where})" if self.where else ""
        return f"error: {self.design}/{self.variant}: {self.error}{where}"


@dataclass
class BuildReport:
    """Outcome of one build run: the manifest written and what happened to each variant."""

    manifest: dict[str, Any]
    manifest_path: Path
    built: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed_checks(self) -> dict[str, list[str]]:
        """{"design/variant": [names of failed checks]} over the manifest's records."""
        out = {}
        for rec in self.manifest["variants"]:
            bad = [name for name, c in rec["checks"].items() if not c.get("ok")]
            if bad:
                out[f"{rec['design']}/{rec['variant']}"] = bad
        return out

    @property
    def exit_code(self) -> int:
        """0 only if every variant was built and passed every check."""
        return 1 if self.failures or self.failed_checks else 0

    def summary(self) -> str:
        return (f"built {len(self.built)}, cached {len(self.cached)}, "
                f"failed {len(self.failures)} in {self.seconds:.1f} s")


# ---------------------------------------------------------------- worker side

def _plain(value: Any) -> Any:
    """JSON fallback for numpy scalars and tuples returned by design checks."""
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (tuple, set)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _design_checks(model, params, result, files: dict[str, Path]
                   ) -> dict[str, dict[str, Any]]:
    """The model's checks(params, result, files): it receives {key: path} of the files
    written for this variant (stl, glb, <profile>.dxf, extra files...), so it can
    measure what is published rather than its own numbers."""
    checks = model.checks(params, result, dict(files))
    if not isinstance(checks, dict):
        raise TypeError(f"checks() must return a dict of checks, got {type(checks).__name__}")
    for name, check in checks.items():
        if not (isinstance(check, dict) and isinstance(check.get("ok"), bool)
                and isinstance(check.get("detail"), str)):
            raise TypeError(f"check {name!r} must be a dict with ok (bool) and detail (str)")
    return checks


def _where(tb: Any, design_dir: Path) -> str:
    frames = [f for f in traceback.extract_tb(tb)
              if Path(f.filename).resolve().is_relative_to(design_dir)]
    if not frames:
        return ""
    frame = frames[-1]
    return f"{Path(frame.filename).name} line {frame.lineno}"


def _file_entry(path: Path, out_dir: Path) -> dict[str, Any]:
    return {"path": path.relative_to(out_dir).as_posix(), "bytes": path.stat().st_size,
            "sha256": sha256_file(path), "format": path.suffix.lstrip(".").lower()}


def _solid_outputs(result, folder: Path, stem: str, preview=None):
    """A printed part: STL, GLB, SVG, STEP, mesh checks. (shape, paths, checks, extra).
    preview: an optional Assembly written as the GLB (see the model's `preview`)."""
    shape = as_shape(result)
    paths = export_all(shape, folder, stem, preview=preview)
    mesh = load_mesh(paths["stl"])
    valid = bool(shape.isValid())
    checks: dict[str, dict[str, Any]] = {
        "valid_brep": {"ok": valid, "detail": "valid B-rep solid" if valid
                       else "OCCT reports an invalid B-rep (self-intersection?)"},
        **check_mesh(mesh),
    }
    return shape, paths, checks, {"triangles": int(len(mesh.faces))}


def _assembly_outputs(assembly, folder: Path, stem: str):
    """A multi-part preview: GLB, SVG, STEP (no STL); every part a valid solid."""
    shape, parts = assembly_shape(assembly)
    paths = export_assembly(assembly, shape, folder, stem)
    bad = [name for name, solid in parts if not solid.isValid()]
    checks = {"valid_parts": {
        "ok": not bad and bool(parts),
        "detail": (f"{len(parts)} parts, each a valid B-rep solid" if not bad and parts
                   else f"invalid parts: {', '.join(bad)}" if bad else "no parts"),
        "parts": len(parts)}}
    return shape, paths, checks, {"parts": [name for name, _ in parts]}


def _profile_outputs(model, params, folder: Path, stem: str):
    """Each named cut profile to <stem>.<name>.dxf, audited and measured."""
    profiles = model.profiles(params)
    if not isinstance(profiles, dict):
        raise TypeError(f"profiles() must return a dict of named profiles, got "
                        f"{type(profiles).__name__}")
    paths, checks, cut = {}, {}, {}
    for name, profile in profiles.items():
        if not (isinstance(name, str) and SLUG_RE.match(name)):
            raise ValueError(f"profile name {name!r} is not a slug (a-z, 0-9, hyphens)")
        path = export_dxf(profile, folder / f"{stem}.{name}.dxf")
        audit = audit_dxf(path)
        checks[f"dxf_{name}"] = {k: v for k, v in audit.items()}
        cut[name] = cut_metrics(path)
        paths[f"{name}.dxf"] = path
    return paths, checks, cut


def _cut_figure(cut: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """One profile: its metrics; several: the totals plus each profile's."""
    if not cut:
        return None
    if len(cut) == 1:
        return next(iter(cut.values()))
    total = sum(c["cut_length_mm"] for c in cut.values())
    pierces = sum(c["pierces"] for c in cut.values())
    return {"cut_length_mm": round(total, 2), "pierces": pierces,
            "cut_time_s": round(cut_time_s(total, pierces), 1),
            "reference": next(iter(cut.values()))["reference"], "profiles": cut}


def build_variant(task: Task) -> dict[str, Any]:
    """Build, export, check and measure one variant. Never raises: returns
    {"record": manifest record} or {"failure": Failure fields} (workers must not send
    exceptions that may not pickle)."""
    import cadquery as cq

    start = time.perf_counter()
    design_dir = Path(task.design_dir).resolve()
    try:
        model = load_model(design_dir / "model.py", task.design)
        params = model.PARAMS.from_dict(task.params)
        result = model.build(params)
        out_dir = Path(task.out_dir)
        folder = out_dir / task.design
        if isinstance(result, cq.Assembly):
            shape, paths, checks, extra = _assembly_outputs(result, folder, task.variant)
        else:
            preview = model.preview(params, result)
            if preview is not None and not isinstance(preview, cq.Assembly):
                raise TypeError("preview() must return a cadquery Assembly or None")
            shape, paths, checks, extra = _solid_outputs(result, folder, task.variant,
                                                         preview)
        geometry = measure(shape)  # on the B-rep, before any tessellation is stored
        dxf_paths, dxf_checks, cut = _profile_outputs(model, params, folder, task.variant)
        paths.update(dxf_paths)
        checks.update(dxf_checks)
        for key, path in model.extra_files(params, result, folder, task.variant).items():
            if key in paths:
                raise ValueError(f"extra file {key!r} has the name of an engine output")
            paths[key] = Path(path)
        for name, check in _design_checks(model, params, result, paths).items():
            if name in checks:
                raise ValueError(f"design check {name!r} has the name of an engine check")
            checks[name] = check
        figures: dict[str, Any] = {}
        if task.technology == "fdm" and "stl" in paths:
            units = int(model.units(params))
            figures["print"] = slice_stl(paths["stl"], cache_dir=slicer_cache_dir(),
                                         units=units)
            figures["print"].pop("cached", None)
            if figures["print"]["available"]:
                # printer-ready: the same part on the same profile, as PrusaSlicer saves it
                paths["3mf"] = export_3mf(paths["stl"], folder / f"{task.variant}.3mf")
                figures["print"]["settings"] = profile_settings()
        cut_fig = _cut_figure(cut)
        if cut_fig is not None:
            figures["cut"] = cut_fig
        extra_figures = model.figures(params, result)
        if not isinstance(extra_figures, dict):
            raise TypeError("figures() must return a dict")
        figures.update(extra_figures)
        interface = model.interface(params, result, dict(paths))
        record = {
            "design": task.design,
            "variant": task.variant,
            "params": task.params,
            "cache_key": task.cache_key,
            "files": {key: _file_entry(path, out_dir) for key, path in paths.items()},
            **geometry,
            **extra,
            "checks": checks,
            "figures": figures,
            "ok": all(c["ok"] for c in checks.values()),
            "build_seconds": round(time.perf_counter() - start, 3),
        }
        if interface is not None:
            record["interface"] = interface
        return {"record": json.loads(json.dumps(record, default=_plain, allow_nan=False))}
    except Exception as err:  # noqa: BLE001 - reported per variant, never lost
        return {"failure": asdict(Failure(
            design=task.design, variant=task.variant,
            error=f"{type(err).__name__}: {err}", where=_where(err.__traceback__, design_dir),
            traceback=traceback.format_exc()))}


# ---------------------------------------------------------------- manifest

def empty_manifest() -> dict[str, Any]:
    return {"schema": MANIFEST_SCHEMA, "designs": {}, "variants": []}


def read_manifest(out_dir: str | os.PathLike) -> dict[str, Any]:
    """The previous manifest, or an empty one if missing, unreadable or of another schema
    (everything then rebuilds, which is always safe)."""
    path = Path(out_dir) / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
        return empty_manifest()
    if not isinstance(data, dict) or data.get("schema") != MANIFEST_SCHEMA \
            or not isinstance(data.get("variants"), list) \
            or not isinstance(data.get("designs"), dict):
        return empty_manifest()
    return data


def write_manifest(out_dir: str | os.PathLike, manifest: dict[str, Any]) -> Path:
    """Write manifest.json atomically (temp file + rename)."""
    return atomic_write_text(Path(out_dir) / MANIFEST_NAME,
                             json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")


def design_entry(design: Design, parameters: list[dict[str, Any]] | None = None
                 ) -> dict[str, Any]:
    """The manifest's per-design summary: from design.toml, plus `parameters` (the
    model's PARAMS.describe(): name, title, doc, unit, default, range) for the site's
    tables. Pass `parameters` to avoid importing the model."""
    if parameters is None:
        parameters = json.loads(json.dumps(design.model().PARAMS.describe(), default=str))
    return {"technology": design.technology, "status": design.status,
            "version": design.version, "licence": design.licence, "parameters": parameters}


# ---------------------------------------------------------------- stale files

def _remove_stale(out_dir: Path, slug: str, keep: set[str]) -> list[str]:
    """Delete outputs of variants no longer in the matrix (and leftover temp files)."""
    folder = out_dir / slug
    removed = []
    if not folder.is_dir():
        return removed
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        ext = path.suffix.lstrip(".")
        leftover_tmp = path.name.startswith(".") and ".tmp." in path.name
        variant = path.name.split(".", 1)[0]  # ids are slugs: no dot in them
        if leftover_tmp or (ext in OUTPUT_EXTS and variant not in keep):
            path.unlink()
            removed.append(path.relative_to(out_dir).as_posix())
    return removed


def _remove_unpublished(out_dir: Path, previous: dict[str, Any], live: set[str]) -> list[str]:
    """Delete files the previous manifest listed for designs that are gone."""
    removed = []
    for rec in previous["variants"]:
        if rec.get("design") in live:
            continue
        for info in (rec.get("files") or {}).values():
            path = out_dir / info["path"]
            if path.is_file():
                path.unlink()
                removed.append(info["path"])
    for slug in {r.get("design") for r in previous["variants"]} - live:
        folder = out_dir / str(slug)
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    return removed


# ---------------------------------------------------------------- running

def _pool(jobs: int) -> ProcessPoolExecutor:
    # forkserver: workers fork from a clean process that has imported CadQuery once
    # (fast start) but never meshed: forking a process whose OCCT thread pool is running
    # can deadlock the child.
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["cad.build"])
    return ProcessPoolExecutor(max_workers=jobs, mp_context=ctx)


def _died(task: Task, err: BaseException) -> dict[str, Any]:
    return {"failure": asdict(Failure(
        task.design, task.variant,
        f"worker process died while building this variant ({err or 'native crash'})"))}


def _run_isolated(task: Task) -> dict[str, Any]:
    """Retry one variant alone in a fresh worker, to tell the crasher from its victims."""
    with _pool(1) as pool:
        try:
            return pool.submit(build_variant, task).result()
        except BrokenProcessPool as err:
            return _died(task, err)


def run_tasks(tasks: list[Task], jobs: int,
              on_done: Callable[[Task, dict[str, Any]], None]) -> None:
    """Run build_variant over tasks: in this process when one job (or one task) is
    enough, else in a process pool; calls on_done(task, outcome) as each finishes.

    A worker killed by a native crash breaks the whole pool: the variants it took down
    with it are retried one by one in fresh workers, so only the culprit fails."""
    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            on_done(task, build_variant(task))
        return
    broken: list[Task] = []
    with _pool(min(jobs, len(tasks))) as pool:
        futures = {pool.submit(build_variant, task): task for task in tasks}
        for future in as_completed(futures):
            task = futures[future]
            try:
                outcome = future.result()
            except BrokenProcessPool:
                broken.append(task)
                continue
            except Exception as err:  # noqa: BLE001 - e.g. an unpicklable result
                outcome = {"failure": asdict(Failure(
                    task.design, task.variant, f"{type(err).__name__}: {err}"))}
            on_done(task, outcome)
    for task in broken:
        on_done(task, _run_isolated(task))


def _selected(published: list[Design], only: Iterable[str] | None) -> list[Design]:
    if only is None:
        return published
    only = list(only)
    by_slug = {d.slug: d for d in published}
    unknown = [s for s in only if s not in by_slug]
    if unknown:
        raise DesignError("--design", ", ".join(unknown),
                          "not a published design; published: "
                          + (", ".join(sorted(by_slug)) or "none"))
    return [d for d in published if d.slug in set(only)]


def build(root: str | os.PathLike | None = None, out: str | os.PathLike | None = None, *,
          designs: Iterable[str] | None = None, jobs: int | None = None, force: bool = False,
          hub: str | os.PathLike | None = None, publish: list[str] | None = None,
          progress: bool = False) -> BuildReport:
    """Build the published designs under `root` into `out` and write its manifest.

    designs: only these slugs (the others keep their previous records); jobs: worker
    processes (default: CPU count); force: ignore the cache; hub: hub.toml to read
    `[designs] publish` from (default: next to `root`); publish: override that list.
    Raises DesignError before building anything if a design or its matrix is invalid.
    """
    started = time.perf_counter()
    root = Path(root) if root is not None else DEFAULT_ROOT
    out_dir = Path(out) if out is not None else DEFAULT_OUT
    jobs = jobs or os.cpu_count() or 1
    published = published_designs(root, hub, publish)
    selected = _selected(published, designs)
    selected_slugs = {d.slug for d in selected}

    previous = read_manifest(out_dir)
    prev_index = {(r.get("design"), r.get("variant")): r for r in previous["variants"]}
    cad = cad_digest()

    plan: list[tuple[Design, list[str]]] = []  # each design with its variant ids, in order
    reused: dict[tuple[str, str], dict[str, Any]] = {}
    tasks: list[Task] = []
    for design in selected:
        variants = design.variants()
        digest = design_digest(design.path)
        if design.technology == "fdm":  # print figures depend on the slicer and profile
            digest = f"{digest}:{slicer_fingerprint()}"
        plan.append((design, [v.id for v in variants]))
        for variant in variants:
            params = variant.params_dict()
            key = key_from_digests(digest, cad, params)
            rec = prev_index.get((design.slug, variant.id))
            if not force and stale_reason(rec, key, out_dir) is None:
                reused[(design.slug, variant.id)] = rec
            else:
                tasks.append(Task(design.slug, variant.id, str(design.path), params, key,
                                  str(out_dir), design.technology))

    report = BuildReport(manifest=empty_manifest(), manifest_path=out_dir / MANIFEST_NAME,
                         cached=[f"{d}/{v}" for d, v in reused])
    fresh: dict[tuple[str, str], dict[str, Any]] = {}
    total = len(tasks) + len(reused)
    bar = _progress_bar(total, progress)
    bar.update(len(reused))

    def on_done(task: Task, outcome: dict[str, Any]) -> None:
        name = f"{task.design}/{task.variant}"
        if "record" in outcome:
            fresh[(task.design, task.variant)] = outcome["record"]
            report.built.append(name)
        else:
            report.failures.append(Failure(**outcome["failure"]))
        bar.set_postfix_str(name, refresh=False)
        bar.update(1)

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        run_tasks(tasks, jobs, on_done)
    finally:
        bar.close()

    manifest = empty_manifest()
    for design in published:
        if design.slug in selected_slugs:
            ids = next(ids for d, ids in plan if d is design)
            records = [fresh.get((design.slug, v)) or reused.get((design.slug, v)) for v in ids]
            records = [r for r in records if r]
            report.removed += _remove_stale(out_dir, design.slug, set(ids))
            entry = design_entry(design) if records else None
        else:  # not asked for this time: keep what the last build made
            records = [r for r in previous["variants"] if r.get("design") == design.slug]
            entry = design_entry(design, previous["designs"].get(design.slug, {})
                                 .get("parameters", [])) if records else None
        if records:
            manifest["designs"][design.slug] = entry
            manifest["variants"].extend(records)
    # fit: every carrier (pegs) against every sheet (holes) of the same pattern; a
    # carrier that does not fit one of them is not published
    refused = apply_fits(manifest["variants"])
    for (slug, vid), reason in refused.items():
        report.failures.append(Failure(slug, vid, reason))
    if refused:
        manifest["variants"] = [r for r in manifest["variants"]
                                if (r["design"], r["variant"]) not in refused]
    if designs is None:
        report.removed += _remove_unpublished(out_dir, previous, {d.slug for d in published})
    write_manifest(out_dir, manifest)
    report.manifest = manifest
    report.seconds = time.perf_counter() - started
    return report


class _NoBar:
    def update(self, n: int = 1) -> None: ...
    def set_postfix_str(self, s: str, refresh: bool = True) -> None: ...
    def close(self) -> None: ...


def _progress_bar(total: int, enabled: bool):
    if not enabled:
        return _NoBar()
    from tqdm import tqdm
    return tqdm(total=total, unit="variant", file=sys.stderr, dynamic_ncols=True,
                desc="build")
