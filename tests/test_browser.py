"""End to end in a real headless browser: Debian's Chromium driven by Playwright.

A coordinator types a form, submits it, reads the checklist and the notice; a wrong value is shown
next to its field; a referral list is uploaded and the results CSV downloaded. The checklist's
screenshot in docs/ is made here. In CI (CI=true) a missing browser fails the test, never skips it.
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

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


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
    expect(page.locator("tr[data-rule]")).to_have_count(12)
    expect(page.locator("footer .notice")).to_have_text(NOTICE)
    expect(page.locator("text=Treating physician (name)")).to_be_visible()
    (REPO / "docs").mkdir(exist_ok=True)
    page.screenshot(path=str(REPO / "docs" / "web-checklist.png"), full_page=True)


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
    with page.expect_download() as download:
        page.click("button[type=submit]")
    saved = tmp_path / "results.csv"
    download.value.save_as(saved)
    lines = saved.read_text("utf-8-sig").splitlines()
    assert lines[0] == "row,patient_id,outcome,flagged,needs_info,errors,notice"
    assert [line.split(",")[2] for line in lines[1:]] == [
        "no_flags", "flagged", "flagged", "needs_info", "no_flags",
    ]  # fmt: skip


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
    page.screenshot(path=str(REPO / "docs" / "web-checklist-zh.png"), full_page=True)
