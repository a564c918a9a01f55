"""End to end in a real headless browser: Debian's Chromium driven by Playwright.

A coordinator types a form, submits it, reads the checklist and the notice; a wrong value is shown
next to its field; a referral list is uploaded, its results page read and the results CSV
downloaded. Every page is scanned with axe-core (shipped by axe-playwright-python) in both
languages: no serious or critical violation. With CART_SCREEN_SCREENSHOTS=1 the screenshots in
docs/screenshots/ are made again. In CI (CI=true) a missing browser fails the test, never skips it.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from cart_screen.i18n import M
from cart_screen.result import NOTICE
from cart_screen.ruleset import default_ruleset
from cart_screen.web import create_app

REPO = Path(__file__).resolve().parents[1]
NOTICE_ZH = M.NOTICE("zh")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytest.skip(
        "Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True
    )

from axe_playwright_python.base import AXE_SCRIPT  # noqa: E402
from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

SCREENSHOTS = REPO / "docs" / "screenshots"


def screenshot(page: Page, name: str, *, full_page: bool = True) -> None:
    """Make docs/screenshots/NAME again, when CART_SCREEN_SCREENSHOTS=1 asks for it."""
    if os.environ.get("CART_SCREEN_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name), full_page=full_page)


def assert_accessible(page: Page) -> None:
    """axe-core finds no serious or critical violation on the page as it stands."""
    page.evaluate(AXE_SCRIPT)
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, serious


@pytest.fixture(scope="module")
def server(serve: Callable[[Any], AbstractContextManager[str]]) -> Iterator[str]:
    with serve(create_app(default_ruleset(), dt.date(2026, 10, 15))) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    opened = context.new_page()
    yield opened
    context.close()


def fill_form(page: Page, lvef: str) -> None:
    page.fill("#patient_id", "WEB-001")
    page.fill("#screening_date", "2026-10-15")
    page.fill("#date_of_birth", "1962-05-30")
    page.fill("#diagnosis", "DLBCL-NOS — Diffuse large B-cell lymphoma, not otherwise specified")
    page.select_option("#disease_status", "refractory")
    page.fill("#prior_systemic_lines", "3")
    page.select_option("#active_infection", "none")
    page.select_option("#hypersensitivity_to_components", "no")
    page.fill("#lvef_percent", lvef)
    page.select_option("#nyha_class", "II")
    for name in ("total_bilirubin_x_uln", "ast_x_uln", "alt_x_uln"):
        page.fill(f"#{name}", "1.0")
    for name in ("on_immunosuppressants", "recent_live_vaccine", "other_anticancer_therapy"):
        page.select_option(f"#{name}", "no")
    page.select_option("#icu_available", "yes")


def test_a_coordinator_fills_the_form_and_reads_the_checklist(server: str, page: Page) -> None:
    page.goto(server + "/")
    fill_form(page, lvef="35")
    page.click("button[type=submit]")
    expect(page.locator("#patient-id")).to_have_text("WEB-001")
    expect(page.locator("#outcome")).to_contain_text("Flagged")
    cardiac = page.locator('tr[data-rule="precaution.cardiac"]')
    expect(cardiac).to_contain_text("flagged")
    expect(cardiac).to_contain_text("LVEF 35 % is below 40 %")
    expect(page.locator("table.checklist:not(.advisory) tr[data-rule]")).to_have_count(12)
    expect(page.locator("#advisory-checklist tr[data-rule]")).to_have_count(
        len(default_ruleset().advisory)
    )
    expect(page.locator("footer .notice")).to_have_text(NOTICE)
    expect(page.locator("text=Treating physician (name)")).to_be_visible()
    (REPO / "docs").mkdir(exist_ok=True)
    screenshot(page, "checklist.png")


def test_the_advisory_checks_are_a_section_of_their_own_after_the_label(
    server: str, page: Page
) -> None:
    """Issue 16: a patient with no label flags and ECOG 3 is no flags, with an advisory flag
    shown in a second table under its own heading; the form asks for them in their own group."""
    page.goto(server + "/")
    fill_form(page, lvef="55")
    page.select_option("#nyha_class", "I")
    legend = page.locator("fieldset", has=page.locator("#ecog_ps")).locator("legend")
    expect(legend).to_have_text("Advisory (not label)")
    page.fill("#ecog_ps", "3")
    page.fill("#platelets_x10e9_l", "20,000/µL")
    page.select_option("#hbsag", "positive")
    page.select_option("#anti_hbc", "negative")
    page.select_option("#cns_involvement", "none")
    page.fill("#crcl_ml_min", "75")
    page.click("button[type=submit]")
    expect(page.locator("#outcome")).to_contain_text("No flags")
    expect(page.locator("table.checklist:not(.advisory) tr.status-flagged")).to_have_count(0)
    heading = page.locator("#advisory-heading")
    expect(heading).to_contain_text(
        "not part of the HICARA label — from the pivotal trials, for the physician"
    )
    advisory = page.locator("#advisory-checklist")
    expect(advisory.locator('tr[data-rule="advisory.performance_status_poor"]')).to_contain_text(
        "ECOG performance status 3 is at or above 3"
    )
    expect(advisory.locator('tr[data-rule="advisory.platelets"]')).to_contain_text(
        "20000 /µL = 20 ×10⁹/L is below 50 ×10⁹/L"
    )
    expect(advisory.locator("tr.status-flagged")).to_have_count(4)
    assert_accessible(page)
    screenshot(page, "checklist-advisory.png")


def test_a_wrong_value_is_shown_next_to_its_field_and_the_rest_is_kept(
    server: str, page: Page
) -> None:
    page.goto(server + "/")
    fill_form(page, lvef="abc")
    page.click("button[type=submit]")
    expect(page.locator("#lvef_percent-error")).to_contain_text("expected a number from 5 to 95")
    expect(page.locator("#lvef_percent")).to_have_value("abc")
    expect(page.locator("#patient_id")).to_have_value("WEB-001")
    page.fill("#lvef_percent", "55")
    page.click("button[type=submit]")
    expect(page.locator("#outcome")).to_contain_text("No flags")


def test_a_referral_list_is_uploaded_and_its_results_downloaded(
    server: str, page: Page, tmp_path: Path
) -> None:
    page.goto(server + "/batch")
    page.set_input_files("#file", str(REPO / "examples" / "referrals.csv"))
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Results: referrals")
    expect(page.locator('tr[data-outcome="flagged"] td').first).to_have_text("2")
    expect(page.locator("#attention-table tbody tr")).to_have_count(3)
    expect(page.locator('#attention-table tr[data-row="2"]')).to_contain_text(
        "Lymphoma subtype on the label"
    )
    expect(page.locator("#rule-chart svg.bar")).to_have_count(12)
    assert_accessible(page)
    screenshot(page, "list-results.png")
    with page.expect_download() as download:
        page.click("#download-csv")
    assert download.value.suggested_filename == "referrals-screened-2026-10-15.csv"
    saved = tmp_path / "results.csv"
    download.value.save_as(saved)
    lines = saved.read_text("utf-8-sig").splitlines()
    assert (
        lines[0]
        == "row,patient_id,outcome,flagged,needs_info,advisory_flagged,advisory_needs_info,errors,notice"
    )
    assert [line.split(",")[2] for line in lines[1:]] == [
        "no_flags", "flagged", "flagged", "needs_info", "no_flags",
    ]  # fmt: skip
    page.reload()  # its own address: nothing is posted again
    expect(page.locator("#attention-table tbody tr")).to_have_count(3)


def test_the_form_in_chinese(server: str, page: Page) -> None:
    page.goto(server + "/")
    page.click("#switch-language")
    expect(page.locator("h1")).to_have_text("转诊表")
    page.fill("#patient_id", "中文-001")
    page.fill("#screening_date", "2026-10-15")
    page.fill("#date_of_birth", "2008-10-16")
    page.fill("#diagnosis", "原发纵隔大B细胞淋巴瘤")
    page.select_option("#disease_status", "relapsed")
    page.fill("#lvef_percent", "55")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("预筛查清单")
    expect(page.locator("#outcome")).to_contain_text("有提示")
    expect(page.locator('tr[data-rule="indication.adult"]')).to_contain_text(
        "年龄 17 岁，低于 18 岁"
    )
    expect(page.locator('tr[data-rule="indication.subtype"]')).to_contain_text("✗ 提示")
    expect(page.locator("footer .notice")).to_have_text(NOTICE_ZH)
    screenshot(page, "checklist-zh.png")


# ---------------------------------------------------------------- issue 13: the page as a coordinator meets it


def no_sideways_scroll(page: Page) -> None:
    """Nothing is wider than the window: a long value wraps, a form is not clipped."""
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"{wide}px wider than the window"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_page_passes_the_accessibility_scan(server: str, page: Page, lang: str) -> None:
    for path in ("/", "/batch", "/rules", "/clinical-basis", "/no-such-page"):
        page.goto(f"{server}{path}?lang={lang}")
        assert_accessible(page)
    page.goto(f"{server}/?lang={lang}")
    page.fill("#patient_id", "A11Y-1")
    page.fill("#lvef_percent", "abc")
    page.click("#submit")
    expect(page.locator("#error-summary")).to_be_visible()
    assert_accessible(page)  # the form with its errors
    page.fill("#lvef_percent", "35")
    page.click("#submit")
    expect(page.locator("#outcome")).to_be_visible()
    assert_accessible(page)  # the checklist
    page.goto(f"{server}/batch?lang={lang}")
    page.set_input_files("#file", str(REPO / "examples" / "referrals.csv"))
    page.click("button[type=submit]")
    expect(page.locator("#rule-chart")).to_be_visible()
    assert_accessible(page)  # a list's results


def test_errors_are_summarised_focused_and_tied_to_their_fields(server: str, page: Page) -> None:
    page.goto(server + "/")
    page.fill("#patient_id", "WEB-002")
    page.fill("#lvef_percent", "abc")
    page.fill("#date_of_birth", "03/04/1965")
    page.click("#submit")
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.locator("a")).to_have_count(2)
    expect(page.locator("#lvef_percent")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#lvef_percent")).to_have_attribute(
        "aria-describedby", "lvef_percent-hint lvef_percent-error"
    )
    summary.locator('a[href="#lvef_percent"]').click()
    expect(page.locator("#lvef_percent")).to_be_focused()


def test_enter_moves_to_the_next_field_and_never_submits(server: str, page: Page) -> None:
    page.goto(server + "/")
    expect(page.locator("#screening_date")).to_have_value("2026-10-15")  # pre-filled
    page.fill("#patient_id", "WEB-003")
    page.press("#patient_id", "Enter")
    expect(page.locator("#screening_date")).to_be_focused()
    page.press("#screening_date", "Enter")
    expect(page.locator("#date_of_birth")).to_be_focused()
    expect(page.locator("h1")).to_have_text("Referral form")  # nothing was submitted


def test_switching_language_keeps_the_form_and_the_checklist(server: str, page: Page) -> None:
    page.goto(server + "/")
    fill_form(page, lvef="35")
    page.click("#switch-language")
    expect(page.locator("h1")).to_have_text("转诊表")
    expect(page.locator("#patient_id")).to_have_value("WEB-001")
    expect(page.locator("#lvef_percent")).to_have_value("35")
    expect(page.locator("#nyha_class")).to_have_value("II")
    page.click("#submit")
    expect(page.locator("#outcome")).to_contain_text("有提示")
    page.click("#switch-language")  # the same checklist, in English
    expect(page.locator("h1")).to_have_text("Pre-screening checklist")
    expect(page.locator("#patient-id")).to_have_text("WEB-001")
    expect(page.locator("#outcome-counts")).to_contain_text("1 flagged")
    page.click("#edit")  # back to the answers, filled in
    expect(page.locator("#lvef_percent")).to_have_value("35")
    expect(page.locator("#diagnosis")).to_have_value("DLBCL-NOS")
    page.click("#clear-form")
    expect(page.locator("#patient_id")).to_have_value("")
    expect(page.locator("#screening_date")).to_have_value("2026-10-15")


def test_the_page_fits_a_phone_and_a_long_id_wraps_on_screen_and_in_print(
    browser: Browser, server: str
) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 780})
    phone = context.new_page()
    try:
        phone.goto(server + "/")
        no_sideways_scroll(phone)
        screenshot(phone, "form-phone.png", full_page=False)
        phone.fill("#patient_id", "R-" + "0123456789" * 20)
        phone.fill("#lvef_percent", "55")
        phone.click("#submit")
        expect(phone.locator("#outcome")).to_be_visible()
        no_sideways_scroll(phone)
        phone.emulate_media(media="print")
        no_sideways_scroll(phone)
        phone.emulate_media(media="screen")
        for path in ("/rules", "/batch"):
            phone.goto(server + path)
            no_sideways_scroll(phone)
    finally:
        context.close()


def test_screenshots_of_the_form_and_the_rules(server: str, page: Page) -> None:
    page.goto(server + "/")
    expect(page.locator("#patient_id")).to_be_visible()
    screenshot(page, "form.png", full_page=False)
    page.goto(server + "/rules")
    expect(page.locator("#ruleset-sha256")).to_be_visible()
    screenshot(page, "rules.png", full_page=False)


def test_a_first_visit_leaves_no_error_in_the_console(server: str, page: Page) -> None:
    said: list[str] = []
    page.on("console", lambda message: said.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: said.append(f"pageerror: {error}"))
    page.goto(server + "/")
    page.goto(server + "/batch")
    page.wait_for_load_state("networkidle")
    assert [line for line in said if line.startswith(("error", "pageerror"))] == []
