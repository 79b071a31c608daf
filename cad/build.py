"""The variant build engine: build what changed, in parallel, into a clean manifest.

For every published design and every variant of its matrix, the engine computes the
cache key (cad.cache); a variant whose key, files and file hashes match the previous
manifest is reused as is, the others are built in worker processes: import the model,
build, export four files, check the mesh and the design's own rules, measure. A model
that raises costs only its own variant: the others are built, the manifest keeps only
finished records, and the run reports failure. The manifest is written atomically, so
the site and the API never read a half-written one.
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
from cad.export import FORMATS, as_shape, export_all
from cad.fsutil import atomic_write_text, sha256_file
from cad.measure import measure
from cad.meshcheck import check_mesh, load_mesh
from cad.registry import (DEFAULT_ROOT, REPO_ROOT, Design, DesignError, load_model,
                          published_designs)

MANIFEST_SCHEMA = 1
MANIFEST_NAME = "manifest.json"
DEFAULT_OUT = REPO_ROOT / "build"


@dataclass(frozen=True)
class Task:
    """What a worker needs to build one variant (plain data: it crosses processes)."""

    design: str
    variant: str
    design_dir: str
    params: dict[str, Any]
    cache_key: str
    out_dir: str


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


def _design_checks(model, params, result) -> dict[str, dict[str, Any]]:
    checks_fn = getattr(model, "checks", None)
    if checks_fn is None:
        return {}
    checks = checks_fn(params, result)
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


def build_variant(task: Task) -> dict[str, Any]:
    """Build, export, check and measure one variant. Never raises: returns
    {"record": manifest record} or {"failure": Failure fields} (workers must not send
    exceptions that may not pickle)."""
    start = time.perf_counter()
    design_dir = Path(task.design_dir).resolve()
    try:
        model = load_model(design_dir / "model.py", task.design)
        params = model.PARAMS.from_dict(task.params)
        result = model.build(params)
        shape = as_shape(result)
        geometry = measure(shape)  # on the B-rep, before any tessellation is stored
        out_dir = Path(task.out_dir)
        paths = export_all(shape, out_dir / task.design, task.variant)
        mesh = load_mesh(paths["stl"])
        valid = bool(shape.isValid())
        checks: dict[str, dict[str, Any]] = {
            "valid_brep": {"ok": valid, "detail": "valid B-rep solid" if valid
                           else "OCCT reports an invalid B-rep (self-intersection?)"},
            **check_mesh(mesh),
        }
        for name, check in _design_checks(model, params, result).items():
            if name in checks:
                raise ValueError(f"design check {name!r} has the name of an engine check")
            checks[name] = check
        record = {
            "design": task.design,
            "variant": task.variant,
            "params": task.params,
            "cache_key": task.cache_key,
            "files": {fmt: {"path": paths[fmt].relative_to(out_dir).as_posix(),
                            "bytes": paths[fmt].stat().st_size,
                            "sha256": sha256_file(paths[fmt])} for fmt in FORMATS},
            **geometry,
            "triangles": int(len(mesh.faces)),
            "checks": checks,
            "ok": all(c["ok"] for c in checks.values()),
            "build_seconds": round(time.perf_counter() - start, 3),
        }
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
        if leftover_tmp or (ext in FORMATS and path.stem not in keep):
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
        plan.append((design, [v.id for v in variants]))
        for variant in variants:
            params = variant.params_dict()
            key = key_from_digests(digest, cad, params)
            rec = prev_index.get((design.slug, variant.id))
            if not force and stale_reason(rec, key, out_dir) is None:
                reused[(design.slug, variant.id)] = rec
            else:
                tasks.append(Task(design.slug, variant.id, str(design.path), params, key,
                                  str(out_dir)))

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
