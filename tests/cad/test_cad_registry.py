"""Design discovery, design.toml validation, model loading, variant matrix, publishing."""

from __future__ import annotations

import inspect

import re
import tomllib
from pathlib import Path

import pytest

from cad.registry import (DesignError, discover, published_designs, read_design,
                          read_publish, select_published)

BOX_TOML = "test-box/design.toml"
BOX_MODEL = "test-box/model.py"


def test_discover_finds_designs_sorted(designs_root):
    designs = discover(designs_root)
    assert [d.slug for d in designs] == ["test-box", "test-peg"]
    box = designs[0]
    assert box.path == (designs_root / "test-box").resolve()
    assert box.metadata["title"]["en"] == "Test plate"
    assert (box.technology, box.status, box.version) == ("fdm", "prototype", "1.0.0")


def test_discover_ignores_folders_without_design_toml(designs_root):
    (designs_root / "notes").mkdir()
    (designs_root / "notes" / "readme.md").write_text("x")
    assert [d.slug for d in discover(designs_root)] == ["test-box", "test-peg"]


def test_discover_does_not_import_models(designs_root):
    (designs_root / "test-peg" / "model.py").write_text("this is not python(")
    designs = discover(designs_root)  # texts can be listed without running any model
    with pytest.raises(DesignError, match=r"model\.py: import: SyntaxError.*line 1"):
        designs[1].model()


def _drop_key(text: str, dotted: str) -> str:
    """Remove `dotted` from design.toml text (a simple line edit for these fixtures)."""
    table, _, key = dotted.rpartition(".")
    lines, current, out = text.splitlines(), "", []
    for line in lines:
        header = re.match(r"^\[+([^\]]+)\]+", line)
        if header:
            current = header.group(1)
        elif current == table and re.match(rf"^{re.escape(key)}\s*=", line):
            continue
        out.append(line)
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("key", ["technology", "status", "licence", "version", "title.en",
                                 "summary.en", "not_certified_for.en", "variants.id"])
def test_missing_required_key_names_file_and_key(designs_root, key):
    path = designs_root / BOX_TOML
    path.write_text(_drop_key(path.read_text(), key))
    data = tomllib.loads(path.read_text())
    table, _, name = key.rpartition(".")
    assert name not in (data[table] if table else data)
    with pytest.raises(DesignError) as info:
        discover(designs_root)
    assert info.value.key == key
    assert "design.toml" in str(info.value) and key in str(info.value)
    assert "missing" in str(info.value)


def test_missing_matrix_is_refused(designs_root, edit):
    edit(BOX_TOML, "[variants.matrix]\nlength = [10, 20]\nhole = [0, 4]\n", "")
    with pytest.raises(DesignError, match=r"design\.toml: variants\.matrix: required key"):
        discover(designs_root)


@pytest.mark.parametrize("old, new, key, words", [
    ('technology = "fdm"', 'technology = "cnc"', "technology", "'cnc' is not one of fdm, laser"),
    ('status = "prototype"', 'status = "approved"', "status", "'approved' is not one of"),
    ('version = "1.0.0"', "version = 1", "version", "must be a text value"),
    ('en = "Test plate"', 'en = ""', "title.en", "must not be empty"),
    ("hole = [0, 4]", "hole = []", "variants.matrix.hole", "non-empty list"),
    ("hole = [0, 4]", "hole = 4", "variants.matrix.hole", "non-empty list"),
])
def test_bad_values_name_file_and_key(designs_root, edit, old, new, key, words):
    edit(BOX_TOML, old, new)
    with pytest.raises(DesignError) as info:
        discover(designs_root)
    assert info.value.key == key and words in str(info.value)
    assert info.value.path.name == "design.toml"


def test_toml_syntax_error(designs_root, edit):
    edit(BOX_TOML, 'licence = "CC0-1.0"', "licence = CC0")
    with pytest.raises(DesignError, match=r"design\.toml: syntax: "):
        discover(designs_root)


def test_folder_name_must_be_a_slug(designs_root):
    (designs_root / "test-peg").rename(designs_root / "Test_Peg")
    with pytest.raises(DesignError, match="not a slug"):
        discover(designs_root)


def test_missing_model(designs_root):
    (designs_root / BOX_MODEL).unlink()
    with pytest.raises(DesignError, match=r"model\.py: file: missing"):
        discover(designs_root)


@pytest.mark.parametrize("old, new, key", [
    ("PARAMS = PlateParams", "PARAMS = dict", "PARAMS"),
    ("PARAMS = PlateParams", "", "PARAMS"),
    ("def build(p: PlateParams)", "def _build(p: PlateParams)", "build"),
    ("def checks(p", "checks = 3\ndef _checks(p", "checks"),
])
def test_model_interface_checked(designs_root, edit, old, new, key):
    edit(BOX_MODEL, old, new)
    with pytest.raises(DesignError) as info:
        discover(designs_root)[0].model()
    assert info.value.key == key


@pytest.mark.parametrize("member", ["profiles", "preview", "extra_files", "units", "figures",
                                    "interface"])
def test_every_contract_member_is_required(designs_root, edit, member):
    # the box has nothing to say for these: it imports the contract's empty answers
    edit(BOX_MODEL, f" as {member},", f" as _{member},")
    with pytest.raises(DesignError, match=rf"model\.py: {member}: must be a function "
                       rf"{member}\(p") as info:
        discover(designs_root)[0].model()
    assert info.value.key == member


def test_the_empty_answers_fulfil_the_contract():
    from cad import contract
    empties = {"profiles": contract.no_profiles, "preview": contract.no_preview,
               "extra_files": contract.no_extra_files, "units": contract.one_unit,
               "figures": contract.no_figures, "interface": contract.no_interface}
    for member, empty in empties.items():
        assert tuple(inspect.signature(empty).parameters)[:len(contract.arguments(member))] \
            == contract.arguments(member), member


def test_contract_arguments_are_checked(designs_root, edit):
    # the engine passes the files it wrote: a checks(p, result) would break at build time
    edit(BOX_MODEL, "shape: cq.Workplane, files=None)", "shape: cq.Workplane)")
    with pytest.raises(DesignError, match=r"checks: must take the arguments "
                       r"checks\(p, result, files\)"):
        discover(designs_root)[0].model()


def test_contract_members_are_the_protocol():
    from cad.contract import MEMBERS, DesignModel, arguments
    assert MEMBERS == ("PARAMS", "build", "checks", "profiles", "preview", "extra_files",
                       "units", "figures", "interface")
    assert arguments("checks") == ("p", "result", "files")
    assert arguments("extra_files") == ("p", "result", "folder", "stem")
    assert [len(arguments(m)) for m in MEMBERS[1:]] == [1, 3, 1, 2, 4, 1, 2, 3]
    assert all(isinstance(d.model(), DesignModel) for d in discover())  # the real designs


def test_design_folder_must_be_a_package(designs_root):
    (designs_root / "test-box" / "__init__.py").unlink()
    with pytest.raises(DesignError, match=r"__init__\.py: file: missing"):
        discover(designs_root)


def test_a_design_package_imports_its_own_modules(designs_root, edit):
    (designs_root / "test-box" / "sizes.py").write_text("MAX_AREA = 2500\n")
    edit(BOX_MODEL, "PARAMS = PlateParams", "from .sizes import MAX_AREA\n\nPARAMS = PlateParams")
    edit(BOX_MODEL, "area <= 2500", "area <= MAX_AREA")
    box = discover(designs_root)[0]
    assert box.model().checks(box.variants()[0].params, None)["footprint"]["ok"]
    # an edited sibling module is picked up by the next load (a fresh package each time)
    (designs_root / "test-box" / "sizes.py").write_text("MAX_AREA = 10\n")
    assert not discover(designs_root)[0].model().checks(box.variants()[0].params,
                                                        None)["footprint"]["ok"]


def test_model_import_error_names_line(designs_root, edit):
    edit(BOX_MODEL, "PARAMS = PlateParams", "PARAMS = PlateParams\nraise RuntimeError('boom')")
    with pytest.raises(DesignError, match=r"import: RuntimeError: boom \(model\.py line 2[0-9]\)"):
        discover(designs_root)[0].model()


def test_models_get_distinct_modules(designs_root):
    box, peg = discover(designs_root)
    assert box.model().__name__ != peg.model().__name__
    assert box.model().PARAMS.__name__ == "PlateParams"


def test_variant_matrix_is_a_cartesian_product(designs_root):
    variants = discover(designs_root)[0].variants()
    assert [v.id for v in variants] == ["l10-h0", "l10-h4", "l20-h0", "l20-h4"]
    assert variants[1].params_dict() == {"length": 10.0, "width": 8.0, "height": 2.0,
                                         "hole": 4.0}
    assert all(v.design == "test-box" for v in variants)


def test_empty_matrix_gives_one_default_variant(designs_root, edit):
    edit("test-peg/design.toml", "diameter = [3, 5]\n", "")
    edit("test-peg/design.toml", 'id = "d{diameter:g}"', 'id = "default"')
    [variant] = discover(designs_root)[1].variants()
    assert variant.id == "default" and variant.params_dict()["diameter"] == 3.0


def test_matrix_key_must_be_a_parameter(designs_root, edit):
    edit(BOX_TOML, "hole = [0, 4]", "hole = [0, 4]\ncolour = [\"red\"]")
    with pytest.raises(DesignError) as info:
        discover(designs_root)[0].variants()
    assert info.value.key == "variants.matrix.colour"
    assert "not a parameter of PlateParams" in str(info.value) and "length" in str(info.value)


def test_matrix_value_out_of_range_names_field_value_range(designs_root, edit):
    edit(BOX_TOML, "length = [10, 20]", "length = [10, 80]")
    with pytest.raises(DesignError) as info:
        discover(designs_root)[0].variants()
    message = str(info.value)
    assert "design.toml: variants.matrix.length:" in message
    assert "PlateParams.length = 80 is not allowed: from 5 to 50 mm" in message
    assert "\n" not in message


def test_matrix_value_breaking_a_cross_field_rule(designs_root, edit):
    edit(BOX_TOML, "hole = [0, 4]", "hole = [0, 4, 6]\nwidth = [6]")
    with pytest.raises(DesignError, match=r"PlateParams\.hole = 6\.0 is not allowed"):
        discover(designs_root)[0].variants()


@pytest.mark.parametrize("template, words", [
    ('"L{length}"', "gives 'L10.0'"),          # capital letter and a dot
    ('"{length:g} mm"', "not a slug"),
    ('"plate-{colour}"', "cannot be filled"),
    ('"l{length:g}"', "same id 'l10'"),        # hole missing: two variants per id
])
def test_bad_id_templates(designs_root, edit, template, words):
    edit(BOX_TOML, 'id = "l{length:g}-h{hole:g}"', f"id = {template}")
    with pytest.raises(DesignError) as info:
        discover(designs_root)[0].variants()
    assert info.value.key == "variants.id" and words in str(info.value)


def test_select_published(designs_root):
    designs = discover(designs_root)
    assert [d.slug for d in select_published(designs, ["*"])] == ["test-box", "test-peg"]
    assert [d.slug for d in select_published(designs, "*")] == ["test-box", "test-peg"]
    assert [d.slug for d in select_published(designs, ["test-peg"])] == ["test-peg"]
    assert select_published(designs, []) == []
    with pytest.raises(DesignError, match=r"hub\.toml: designs\.publish: no design folder "
                                          r"for 'visor'; found: test-box, test-peg"):
        select_published(designs, ["visor"])


def test_read_publish(tmp_path):
    assert read_publish(tmp_path / "absent.toml") == ["*"]
    hub = tmp_path / "hub.toml"
    hub.write_text('[designs]\npublish = ["test-peg"]\n')
    assert read_publish(hub) == ["test-peg"]
    hub.write_text("[designs]\npublish = 3\n")
    with pytest.raises(DesignError, match="designs.publish"):
        read_publish(hub)


def test_published_designs_reads_hub_next_to_root(designs_root):
    assert len(published_designs(designs_root)) == 2  # no hub.toml: all
    (designs_root.parent / "hub.toml").write_text('[designs]\npublish = ["test-box"]\n')
    assert [d.slug for d in published_designs(designs_root)] == ["test-box"]


def test_repo_hub_toml_is_readable():
    repo = Path(__file__).resolve().parents[2]
    assert isinstance(read_publish(repo / "hub.toml"), list)


def test_read_design_of_a_single_folder(designs_root):
    assert read_design(designs_root / "test-peg").slug == "test-peg"
