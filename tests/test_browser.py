"""The HTML report in a real browser: headless Chromium loads it, runs its scripts, draws it.

Needs Debian's ``chromium``: ``make test`` installs it first (``make browser``: apt-get when
missing and we are root). Without it these tests are skipped with the reason, or fail when
``CI`` is set; ``RHD_MATCH_SKIP_BROWSER=1`` skips them on purpose. The screenshot is kept as
``tests/artifacts/report.png`` for people to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

import pandas as pd
import pytest

from rhd_match import Scenario, Solution
from rhd_match.generate import generate_scenario
from rhd_match.report import write_html_report
from rhd_match.report.html import CHARTS

ARTIFACTS = Path(__file__).parent / "artifacts"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
WINDOW = (1280, 2000)
MAP_WINDOW = (1280, 3200)


def browser_missing(reason: str) -> None:
    """Skip with the reason, or fail under CI (``CI=true``): a real-browser test never goes
    silently missing from a CI run."""
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(f"{reason} (CI is set: the browser tests must run; `make browser`)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of Debian's chromium (``make browser``, a step of ``make test``, installs it)."""
    if os.environ.get("RHD_MATCH_SKIP_BROWSER"):
        pytest.skip("RHD_MATCH_SKIP_BROWSER is set")
    found = shutil.which("chromium")
    if found is None:
        browser_missing("chromium is not installed: `make browser` installs it (as root)")
    assert found is not None
    return found


def run_chromium(binary: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run headless chromium with a throw-away profile; fails the test on a non-zero exit."""
    with tempfile.TemporaryDirectory(prefix="rhd-chromium-") as profile:
        done = subprocess.run(
            [binary, *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of a small generated territory (six canteens, ten producers, a year)."""
    scenario: Scenario = generate_scenario(n_canteens=6, n_producers=10, n_products=15, seed=3)
    solution: Solution = scenario.solve(strategy="mip", time_limit_s=30, threads=1)
    return write_html_report(scenario, solution, tmp_path_factory.mktemp("html") / "report.html")


def dump_dom(binary: str, page: Path) -> str:
    """The page's DOM after load, as chromium serialises it."""
    return run_chromium(binary, "--dump-dom", page.as_uri()).stdout


def errors_box(dom: str) -> str:
    """Text of the page's ``#js-errors`` box (where ``window.onerror`` writes)."""
    found = re.search(r'<pre id="js-errors"[^>]*>(.*?)</pre>', dom, re.S)
    assert found is not None, "no #js-errors element in the DOM"
    return found.group(1)


def test_scripts_run_without_error_and_charts_are_in_the_dom(chromium: str, report: Path) -> None:
    dom = dump_dom(chromium, report)
    body = re.search(r"<body([^>]*)>", dom)
    assert body is not None
    assert 'data-loaded="ok"' in body.group(1)
    assert f'data-charts="{len(CHARTS)}"' in body.group(1)
    assert errors_box(dom) == ""
    assert re.search(r'<pre id="js-errors" hidden="">', dom)
    for chart in CHARTS:
        assert f'data-chart="{chart}"' in dom, chart


def test_script_errors_show_on_the_page(chromium: str, report: Path, tmp_path: Path) -> None:
    page = report.read_text(encoding="utf-8")
    broken = page.replace("</main>", "</main><script>notDefinedAnywhere();</script>", 1)
    path = tmp_path / "broken.html"
    path.write_text(broken, encoding="utf-8")
    dom = dump_dom(chromium, path)
    assert "notDefinedAnywhere" in errors_box(dom)
    assert 'data-loaded="ok"' in dom  # the page script still ran


def test_clicking_a_header_sorts_the_table(chromium: str, report: Path, tmp_path: Path) -> None:
    page = report.read_text(encoding="utf-8")
    click = (
        "<script>document.querySelector('#canteens table.sortable th:nth-child(2)')"
        ".click();</script>"
    )
    path = tmp_path / "sorted.html"
    path.write_text(page.replace("</body>", click + "</body>", 1), encoding="utf-8")
    dom = dump_dom(chromium, path)
    table = re.search(r'<section id="canteens">.*?<tbody>(.*?)</tbody>', dom, re.S)
    assert table is not None
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)
    keys = [float(re.findall(r'data-sort="([^"]*)"', row)[0]) for row in rows]
    assert len(keys) == 6
    assert keys == sorted(keys)
    assert 'aria-sort="ascending"' in dom


def png_facts(data: bytes) -> tuple[int, int, float, int]:
    """Width, height, share of non-zero filtered bytes, distinct byte values of a PNG.

    Checks the signature, every chunk's CRC and that the image data inflates to the size its
    header announces (8-bit RGB or RGBA). A blank page gives almost only zero bytes once
    filtered; a drawn page gives many.
    """
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind!r}"
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6), (depth, colour)
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    assert len(raw) == height * (1 + width * channels)
    nonzero = (len(raw) - raw.count(0)) / len(raw)
    return width, height, nonzero, len(set(raw))


def test_screenshot_is_a_drawn_page(chromium: str, report: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    shot.unlink(missing_ok=True)
    run_chromium(
        chromium,
        f"--screenshot={shot}",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        report.as_uri(),
    )
    data = shot.read_bytes()
    width, height, nonzero, distinct = png_facts(data)
    assert (width, height) == WINDOW
    assert len(data) > 50_000, f"screenshot only {len(data)} bytes: blank page?"
    assert nonzero > 0.02 and distinct > 100, (nonzero, distinct)


def test_a_missing_browser_fails_under_ci_and_is_skipped_elsewhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        browser_missing("chromium is not installed")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="chromium is not installed"):
        browser_missing("chromium is not installed")


def colour_pixels(png: Path, colour: str, tolerance: int = 6) -> int:
    """Number of pixels of ``png`` within ``tolerance`` of ``colour`` (``#rrggbb``) on each
    channel (Pillow decodes the file; it comes with matplotlib)."""
    from PIL import Image

    target = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    with Image.open(png) as image:
        rgb = image.convert("RGB")
        return sum(
            count
            for count, pixel in rgb.getcolors(maxcolors=1 << 24) or []
            if all(abs(int(c) - t) <= tolerance for c, t in zip(pixel, target, strict=True))
        )


def test_french_report_shows_french_headings_and_the_map_over_the_communes(
    chromium: str, report: Path
) -> None:
    from rhd_match.report.drawing import BLUE
    from rhd_match.report.map_chart import COMMUNE_FILL

    dom = dump_dom(chromium, report)
    headings = re.findall(r"<h2>([^<]*)</h2>", dom)
    assert headings[:3] == [
        "Le plan en bref",
        "Les cantines, des plus éloignées de la loi aux plus proches",
        "Carte des cantines et de leurs fournisseurs locaux",
    ]
    assert headings[-1] == "Détails techniques (solveur)"
    ARTIFACTS.mkdir(exist_ok=True)
    top, map_shot = ARTIFACTS / "report-fr.png", ARTIFACTS / "report-fr-map.png"
    # Headless chromium shoots before scrolling to a fragment: the map's shot is a taller
    # window holding the whole map rather than the page scrolled to it.
    shots = ((top, report.as_uri(), WINDOW), (map_shot, report.as_uri() + "#map", MAP_WINDOW))
    for shot, address, window in shots:
        shot.unlink(missing_ok=True)
        run_chromium(
            chromium, f"--screenshot={shot}", f"--window-size={window[0]},{window[1]}", address
        )
        width, height, _nonzero, distinct = png_facts(shot.read_bytes())
        assert (width, height) == window and distinct > 100
    # The map's shot: the communes and the canteens' blue dots are drawn.
    assert colour_pixels(map_shot, COMMUNE_FILL, 2) > 2_000
    assert colour_pixels(map_shot, BLUE) > 100


def test_a_canteen_page_prints_alone_from_its_address(
    chromium: str, report: Path, tmp_path: Path
) -> None:
    first = re.search(r'<article class="canteen-page" id="([^"]+)"', report.read_text("utf-8"))
    assert first is not None
    pages = {}
    for name, address in (("all", report.as_uri()), ("one", f"{report.as_uri()}#{first[1]}")):
        pdf = tmp_path / f"{name}.pdf"
        run_chromium(chromium, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", address)
        pages[name] = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    # the canteen's page alone: one or two sheets (its month-by-month purchases from producers
    # and market suppliers), against the whole report with each canteen on its own sheets
    assert 1 <= pages["one"] <= 2
    assert pages["all"] > 3 * pages["one"]


def test_a_report_whose_routing_the_clock_cut_opens_offline_and_says_so(
    chromium: str, tmp_path: Path
) -> None:
    """The delivery rounds of a plan whose routing had no time left: the page still runs its
    scripts offline, draws the rounds' map, and warns how many routing problems keep their
    first rounds, in French."""
    from rhd_match.logistics import plan_tours
    from rhd_match.report import render_html

    scenario = Scenario.from_folder(Path(__file__).parent / "data" / "cases" / "cli-small-scenario")
    solution = scenario.solve(time_limit_s=30)
    tours = plan_tours(scenario, solution.flows, time_limit_s=0.0)
    assert tours.first_only > 0
    page = tmp_path / "report.html"
    page.write_text(render_html(scenario, solution, language="fr", tours=tours), encoding="utf-8")
    dom = dump_dom(chromium, page)
    assert errors_box(dom) == ""
    assert 'data-loaded="ok"' in dom
    section = dom.split('<section id="tours">')[1].split("</section>")[0]
    assert 'data-chart="tour-map"' in section
    warning = re.search(r'<p class="warning" role="alert">([^<]*)</p>', section)
    assert warning is not None
    assert f"{tours.first_only} calculs de tournées gardent les premières tournées" in (
        warning.group(1)
    )


def test_the_hubs_page_opens_offline_with_the_csv_s_figures(
    chromium: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``rhd-match hubs``'s page of a two-canteen territory in the browser, network names
    unresolvable: its scripts run, and every figure of its table is the CSV file's, shares'
    differences in points."""
    from test_hubs import local_apples, page_figures

    from rhd_match.cli.main import main

    local_apples().to_folder(tmp_path / "case")
    assert main(["hubs", str(tmp_path / "case"), "--out", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    page = tmp_path / "out" / "hub_value.html"
    dom = run_chromium(
        chromium, "--host-resolver-rules=MAP * ~NOTFOUND", "--dump-dom", page.as_uri()
    ).stdout
    assert errors_box(dom) == ""
    assert 'data-loaded="ok"' in dom
    table = pd.read_csv(tmp_path / "out" / "hub_value.csv").set_index("figure")
    shown = page_figures(dom)
    for figure, row in table.iterrows():
        for column in ("without_hubs", "with_hubs", "difference"):
            value, text = shown[(str(figure), column)]
            assert value == pytest.approx(float(row[column]), nan_ok=True), (figure, column)
            assert text.strip() != ""
        points = shown[(str(figure), "difference")][1]
        assert points.endswith("pt") == (row["difference_unit"] == "points"), (figure, points)
