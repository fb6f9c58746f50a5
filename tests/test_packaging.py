"""A non-editable install from the wheel finds the bundled theatres and factions, and the
files that tools expect (licence, citation, changelog, type marker) and the pages' front
end are there and agree."""

import json
import os
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import jsonschema
import pytest
import yaml

import wargame

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_wheel_ships_the_theatres_and_runs_them_outside_the_checkout(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", tmp_path],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("wargame_abm-*.whl"))
    check_wheel_files(wheel)
    fresh = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", fresh], check=True)
    subprocess.run(
        [fresh / "bin" / "python", "-m", "pip", "install", "-q", "--no-deps", wheel],
        check=True,
        capture_output=True,
    )
    # The fresh venv borrows this environment's dependencies but not its editable
    # wargame: a PYTHONPATH entry is searched without running its .pth files.
    env = {**os.environ, "PYTHONPATH": sysconfig.get_paths()["purelib"]}
    where = tmp_path / "elsewhere"
    where.mkdir()
    probe = subprocess.run(
        [fresh / "bin" / "python", "-c", "import wargame; print(wargame.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=where,
        env=env,
    )
    assert probe.stdout.strip().startswith(str(fresh))
    run = subprocess.run(
        [fresh / "bin" / "wargame", "run", "--scenario", "kachin", "--days", "3", "--json"],
        capture_output=True,
        text=True,
        cwd=where,
        env=env,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["scenario"] == "kachin"
    listed = subprocess.run(
        [fresh / "bin" / "wargame", "scenarios"], capture_output=True, text=True, cwd=where, env=env
    )
    assert "kachin" in listed.stdout
    version = subprocess.run(
        [fresh / "bin" / "python", "-m", "wargame", "--version"],
        capture_output=True,
        text=True,
        cwd=where,
        env=env,
    )
    assert version.stdout.strip() == f"wargame {VERSION}", version.stderr
    metadata = subprocess.run(  # the wheel's metadata has the version the package prints
        [fresh / "bin" / "python", "-c", READ_METADATA],
        capture_output=True,
        text=True,
        cwd=where,
        env=env,
    )
    assert metadata.stdout.strip() == VERSION, metadata.stderr
    # the viewer's chart template and the shipped experiments travel in the wheel too
    probe = subprocess.run(
        [
            fresh / "bin" / "python",
            "-c",
            "from wargame.analysis.experiments import shipped_experiments, load_experiment;"
            "import wargame.apps.viewer, pathlib;"
            "print(shipped_experiments(), load_experiment('china_pressure').id,"
            " (pathlib.Path(wargame.apps.viewer.__file__).parent / 'chart.vue').is_file())",
        ],
        capture_output=True,
        text=True,
        cwd=where,
        env=env,
    )
    assert probe.returncode == 0, probe.stderr
    assert "'china_pressure', 'historical'" in probe.stdout and probe.stdout.endswith("True\n")
    # the new-theatre scaffold's templates travel too: a scaffold made from the wheel runs
    made = subprocess.run(
        [fresh / "bin" / "wargame", "new-theatre", "mine"], capture_output=True, text=True,
        cwd=where, env=env,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    ran = subprocess.run(
        [fresh / "bin" / "wargame", "run", "--scenario", "mine", "--days", "5", "--json"],
        capture_output=True,
        text=True,
        cwd=where,
        env=env,
    )
    assert ran.returncode == 0, ran.stderr
    assert "tamsen_island" in listed.stdout


PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
READ_METADATA = "import importlib.metadata as m; print(m.version('wargame-abm'))"
VERSION = wargame.__version__  # the build reads it from the package (dynamic in pyproject.toml)


def check_wheel_files(wheel: Path) -> None:
    """The wheel names the distribution, carries the licence's text and the type marker."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
        metadata = archive.read(f"{info}/METADATA").decode()
        licence = archive.read(f"{info}/licenses/LICENSE").decode()
    assert "Name: wargame-abm" in metadata.splitlines()
    assert "License-Expression: MIT" in metadata.splitlines()
    assert "Classifier: Typing :: Typed" in metadata.splitlines()
    assert "Project-URL: Homepage, https://pypi.org/project/wargame-abm/" in metadata.splitlines()
    assert licence == (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and "shall be included in all" in licence
    assert "wargame/py.typed" in names
    assert "wargame/scenario/world_basemap.geojson.gz" in names  # `wargame basemap` clips it
    # the pages' own templates and the script they share (read at run time, not imported)
    viewer = ROOT / "wargame" / "apps" / "viewer"
    templates = {f"wargame/apps/viewer/{p.name}" for p in viewer.glob("*.vue")}
    templates |= {f"wargame/apps/viewer/{p.name}" for p in viewer.glob("*.js")}
    assert "wargame/apps/viewer/echarts_template.js" in templates
    assert templates <= set(names), sorted(templates - set(names))
    # the pages' front end (served offline from the package; .gitignore must not drop dist/)
    front_end = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "wargame" / "_assets" / "cdn").rglob("*")
        if path.is_file()
    }
    assert any(path.endswith(".min.js") for path in front_end)
    assert front_end <= set(names), sorted(front_end - set(names))[:5]


def test_the_citation_file_is_valid_and_cites_this_version():
    """CITATION.cff against the Citation File Format 1.2.0 schema (the check `cffconvert
    --validate` makes), and in step with the package's version and licence."""
    schema = json.loads(
        (ROOT / "tests" / "data" / "citation-file-format-1.2.0.schema.json").read_text()
    )
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    citation["date-released"] = str(citation["date-released"])  # YAML reads it as a date
    jsonschema.validate(citation, schema)
    assert str(citation["version"]) == VERSION
    assert citation["license"] == PROJECT["license"]


def test_a_bad_citation_file_fails_the_schema():
    """The check can fail: a citation without authors, or with a misspelt key."""
    schema = json.loads(
        (ROOT / "tests" / "data" / "citation-file-format-1.2.0.schema.json").read_text()
    )
    good = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    good["date-released"] = str(good["date-released"])
    for bad in ({k: v for k, v in good.items() if k != "authors"}, {**good, "titel": "x"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


def test_the_changelog_has_this_version():
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"\n## {VERSION} - " in changelog
    assert "\n## Unreleased\n" in changelog


def _locked() -> dict[str, dict]:
    lock = tomllib.loads((ROOT / "pylock.toml").read_text(encoding="utf-8"))
    return {package["name"].lower(): package for package in lock["packages"]}


def test_the_lock_pins_every_declared_library_within_its_range():
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    locked = {canonicalize_name(name): package for name, package in _locked().items()}
    for line in [*project["dependencies"], *project["optional-dependencies"]["dev"]]:
        wanted = Requirement(line)
        name = canonicalize_name(wanted.name)
        assert name in locked, f"{name} is not in pylock.toml: run `make lock`"
        version = locked[name]["version"]
        assert wanted.specifier.contains(version, prereleases=True), (
            f"pylock.toml has {name} {version}, outside pyproject's {wanted}: run `make lock`"
        )


def test_the_lock_is_hashed_and_points_at_the_public_index():
    for name, package in _locked().items():
        assert "directory" not in package, f"{name}: a directory cannot be installed by hash"
        for wheel in package.get("wheels", []):
            assert wheel["hashes"]["sha256"], name
            assert wheel["url"].startswith("https://files.pythonhosted.org/"), wheel["url"]


@pytest.mark.skipif(
    subprocess.run([sys.executable, str(ROOT / "tools" / "lock.py"), "--fits"]).returncode,
    reason="the lock's wheels are not for this platform: make installs from the ranges",
)
def test_the_installed_libraries_are_the_locked_ones():
    """What the tests run on is what the lock says, so the lock is what CI tested."""
    from importlib.metadata import version

    for name, package in _locked().items():
        assert version(name) == package["version"], f"{name}: installed, not locked"


def test_the_lock_fits_only_a_glibc_new_enough_for_its_wheels(tmp_path):
    import importlib.util
    import platform

    spec = importlib.util.spec_from_file_location("lock", ROOT / "tools" / "lock.py")
    lock = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(lock)
    needs_future_glibc = tmp_path / "pylock.toml"
    needs_future_glibc.write_text('name = "x-1.0-cp312-cp312-manylinux_2_99_x86_64.whl"\n')
    assert not lock.fits(needs_future_glibc)
    needs_old_glibc = tmp_path / "old.toml"
    needs_old_glibc.write_text('name = "x-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"\n')
    here = sys.version_info[:2] == (3, 12) and platform.machine() == "x86_64"
    assert lock.fits(needs_old_glibc) == (here and platform.libc_ver()[0] == "glibc")
