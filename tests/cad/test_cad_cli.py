"""`python -m cad`: exit codes, one-line errors, summary, list and bench."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cad.bench import bench
from cad.cli import main

REPO = Path(__file__).resolve().parents[2]


def cli(*args: str) -> int:
    return main(list(args))


def test_build_prints_summary(designs_root, out_dir, capsys):
    assert cli("build", "--root", str(designs_root), "--out", str(out_dir), "--jobs", "1",
               "--quiet") == 0
    assert capsys.readouterr().out.startswith("built 6, cached 0, failed 0 in ")
    assert cli("build", "--root", str(designs_root), "--out", str(out_dir), "--jobs", "1",
               "--design", "test-peg", "--force", "--quiet") == 0
    assert capsys.readouterr().out.startswith("built 2, cached 0, failed 0 in ")


def test_progress_bar_goes_to_stderr(designs_root, out_dir, capsys):
    assert cli("build", "--root", str(designs_root), "--out", str(out_dir), "--jobs", "1") == 0
    captured = capsys.readouterr()
    assert "6/6" in captured.err and "6/6" not in captured.out


def test_parameter_error_is_one_line_exit_2(designs_root, out_dir, edit, capsys):
    edit("test-box/design.toml", "length = [10, 20]", "length = [10, 99]")
    assert cli("build", "--root", str(designs_root), "--out", str(out_dir), "--quiet") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "variants.matrix.length" in err and "PlateParams.length = 99" in err
    assert "from 5 to 50 mm" in err
    assert not out_dir.exists()  # refused before building anything


def test_failing_model_exit_1_names_variant(designs_root, out_dir, edit, capsys):
    edit("test-peg/model.py", "return cq.Workplane", "raise KeyError('peg')\n    return cq.Workplane")
    assert cli("build", "--root", str(designs_root), "--out", str(out_dir), "--jobs", "1",
               "--quiet") == 1
    captured = capsys.readouterr()
    assert "error: test-peg/d3: KeyError: 'peg' (model.py line" in captured.err
    assert "Traceback" not in captured.err
    assert captured.out.startswith("built 4, cached 0, failed 2 in ")
    manifest = json.loads((out_dir / "manifest.json").read_text())
    assert list(manifest["designs"]) == ["test-box"] and len(manifest["variants"]) == 4


def test_list_shows_variants_and_parameters(designs_root, capsys):
    assert cli("list", "--root", str(designs_root)) == 0
    out = capsys.readouterr().out
    assert "test-box  (fdm, prototype, v1.0.0)  Test plate" in out
    assert "  l20-h4: length=20.0, width=8.0, height=2.0, hole=4.0" in out
    assert cli("list", "--root", str(designs_root), "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert [len(r["variants"]) for r in rows] == [4, 2]


def test_bench_times_cold_then_cached(designs_root):
    result = bench(designs_root, jobs=1)
    assert result["variants"] == 6 and result["cold_built"] == 6
    assert result["cached_rebuilt"] == 0 and result["failures"] == []
    assert result["cold_seconds"] > result["cached_seconds"] > 0
    assert result["ratio"] > 1


def test_module_entry_point(designs_root, edit):
    """The real `python -m cad` process: bad matrix value -> one line, exit 2."""
    edit("test-peg/design.toml", "diameter = [3, 5]", "diameter = [3, 50]")
    proc = subprocess.run([sys.executable, "-m", "cad", "list", "--root", str(designs_root)],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1
    assert "PegParams.diameter = 50 is not allowed: from 1 to 10 mm" in proc.stderr
