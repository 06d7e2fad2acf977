"""Package data (app/resources): fonts, licences, icons and the desktop entry are found through
importlib.resources, so an installed wheel or a bundle finds them as the checkout does."""
from __future__ import annotations

import configparser
import struct
from pathlib import Path

import pytest

from app import resources

ROOT = Path(__file__).resolve().parents[1]


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", header[16:24])


def test_fonts_are_files_inside_the_package():
    path = resources.font_path("DejaVuSans.ttf")
    assert path.is_file() and path.stat().st_size > 100_000
    assert (ROOT / "app" / "resources") in path.parents


def test_missing_font_is_a_clear_error():
    with pytest.raises(FileNotFoundError, match="NoSuchFont.ttf"):
        resources.font_path("NoSuchFont.ttf")


@pytest.mark.parametrize("size", resources.ICON_SIZES)
def test_each_icon_png_has_its_size(size):
    assert png_size(resources.icon_path(size)) == (size, size)


def test_icon_svg_and_unknown_size():
    svg = resources.icon_path()
    assert svg.suffix == ".svg" and "<svg" in svg.read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="no 20px icon"):
        resources.icon_path(20)
    assert resources.icon_paths()[0].name == "dfu-monitor-16.png"


def test_licence_texts_come_from_the_bundled_files():
    texts = resources.licence_texts()
    assert len(texts) == 3
    joined = "\n".join(texts.values())
    for phrase in ("Bitstream", "Apache License", "SIL OPEN FONT LICENSE"):
        assert phrase in joined
    assert any(key.startswith("DejaVu Sans") for key in texts)


def test_every_font_has_its_licence_file():
    fonts = ROOT / "app/resources/fonts"
    families = {p.stem.split("-")[0] for p in fonts.glob("*.ttf")}
    licensed = {name.removeprefix("LICENSE-").split("-")[0].removesuffix(".txt")
                for name in resources.FONT_LICENCES}
    assert families == {"DejaVuSans", "DroidSansFallback", "NotoEmoji"}
    assert {"DejaVu", "DroidSansFallback", "NotoEmoji"} == licensed
    assert all((fonts / name).is_file() for name in resources.FONT_LICENCES)


def test_desktop_entry_names_the_command_and_the_icon():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # keys are case-sensitive
    entry.read(ROOT / "packaging/linux/dfu-monitor.desktop", encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Name"] == "DFU Monitor"
    assert section["Exec"] == "dfu-monitor" and section["Icon"] == "dfu-monitor"
    assert "MedicalSoftware" in section["Categories"].split(";")


def test_package_data_globs_cover_every_resource_kind():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = set(config["tool"]["setuptools"]["package-data"]["*"])
    suffixes = {p.suffix for p in (ROOT / "app").rglob("*")
                if p.is_file() and p.suffix not in (".py", ".pyc", ".md")}
    assert {f"*{s}" for s in suffixes} <= globs


def test_a_resource_beside_the_module_is_what_importlib_finds():
    from importlib.resources import files

    for parts in (("icons",), ("fonts", "DejaVuSans.ttf"), ("icons", "dfu-monitor-16.png")):
        assert resources.resource(*parts) == files("app.resources").joinpath(*parts)
    assert not resources.resource("fonts", "NoSuchFont.ttf").is_file()
