"""End to end in a real headless Chromium: a supervisor reassigns a case and opens the dashboard.

Needs Debian's ``chromium`` and ``chromium-driver`` packages (``apt-get install -y chromium
chromium-driver``; ``.ci/run`` installs them) and ``selenium``; without them the test is
skipped, not failed. Nothing is downloaded: the driver and the browser are the system's.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assignments.models import CustomerAgent
from cases.models import CustomerCase
from tests.factories import (
    TEST_PASSWORD,
    AgentFactory,
    CrmUserFactory,
    CustomerCaseFactory,
    CustomerFactory,
)

webdriver = pytest.importorskip(
    "selenium.webdriver", reason="selenium is not installed (pip install -e '.[dev]')"
)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    """A headless Chromium with a fresh profile under ``tmp_path``; skips without one."""
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: apt-get install -y chromium chromium-driver")
    if not Path(driver_path).exists():
        pytest.skip("chromedriver is absent: apt-get install -y chromium-driver")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    # An explicit driver path: Selenium Manager never runs (and never downloads anything).
    service = Service(executable_path=driver_path, log_output=str(tmp_path / "chromedriver.log"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver: Any, css: str, timeout: float = 15) -> Any:
    return WebDriverWait(driver, timeout).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, css))
    )


def test_a_supervisor_reassigns_a_case_in_the_browser_and_reads_the_dashboard(
    browser: Any, live_server: Any, tmp_path: Path
) -> None:
    CrmUserFactory(username="sup.browser", role="SUPERVISOR")
    old = AgentFactory(name="Old Caller", employee_id="E-OLD-1", team="Team North")
    new = AgentFactory(name="New Caller", employee_id="E-NEW-1", team="Team North")
    case = CustomerCaseFactory(
        customer=CustomerFactory(cif="C90000001", name="Pham Thi Dao"), assigned_call_agent=old
    )

    # Sign in through the admin login form with the CRM credentials.
    browser.get(f"{live_server.url}/admin/login/?next=/admin/")
    browser.find_element(By.NAME, "username").send_keys("sup.browser")
    browser.find_element(By.NAME, "password").send_keys(TEST_PASSWORD + Keys.ENTER)
    wait_for(browser, "#content-main")
    assert browser.current_url.endswith("/admin/")

    # The cases list, then the case.
    browser.get(f"{live_server.url}/admin/cases/customercase/")
    wait_for(browser, "#result_list")
    browser.find_element(By.LINK_TEXT, "C90000001").click()
    wait_for(browser, "#assignment-history-group")
    assert "Old Caller" in browser.find_element(By.ID, "assignment-history-group").text

    # The call agent's autocomplete (select2, fed by the agents admin's search).
    browser.find_element(
        By.CSS_SELECTOR, "#id_assigned_call_agent + .select2 .select2-selection"
    ).click()
    search = wait_for(browser, ".select2-container--open .select2-search__field")
    search.send_keys("New Call")
    option = WebDriverWait(browser, 15).until(
        ec.element_to_be_clickable(
            (
                By.XPATH,
                "//li[contains(@class, 'select2-results__option') and contains(., 'New Caller')]",
            )
        )
    )
    option.click()
    browser.find_element(By.NAME, "_save").click()
    success = wait_for(browser, ".messagelist .success")
    assert "was changed successfully" in success.text

    case.refresh_from_db()
    assert case.assigned_call_agent_id == new.pk
    assert CustomerAgent.objects.filter(customer_id="C90000001").count() == 2
    assert CustomerCase.objects.get(pk=case.pk).updated_by == "sup.browser"

    # The dashboard: the server-side SVG charts draw, the new assignment is counted.
    browser.get(f"{live_server.url}/admin/reports/team-dashboard/")
    chart = wait_for(browser, "#agent-chart svg.dashboard-chart")
    assert chart.size["width"] > 300 and chart.size["height"] > 40
    new_row = browser.find_element(By.CSS_SELECTOR, "tr[data-agent='E-NEW-1']")
    assert new_row.find_elements(By.TAG_NAME, "td")[-1].text == "1"

    screenshot = tmp_path / "dashboard.png"
    assert browser.save_screenshot(str(screenshot))
    data = screenshot.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert 10_000 < len(data) < 10_000_000
