"""The installed app (/usr/bin/hangar from the .deb), driven through tauri-driver: one window,
a second launch does not open another, a hangar:// link focuses the named card."""
import os
import subprocess
import sys
import time

from selenium.webdriver.common.by import By

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import driver  # noqa: E402
from driver import wait_for  # noqa: E402

APP = os.environ["HANGAR_APP"]
OUT = os.environ["PKG_OUT"]


def hangar_windows():
    tree = subprocess.run(["xwininfo", "-root", "-tree"], capture_output=True, text=True).stdout
    return [line for line in tree.splitlines() if '"Hangar"' in line and "x" in line.split('"Hangar"')[-1]]


def second_launch(*args):
    """Runs the app again as a desktop would; the running one takes over and this one exits."""
    return subprocess.run([APP, *args], capture_output=True, text=True, timeout=20)


def test_installed_app_shows_its_window(d):
    wait_for("demo cards", lambda: d.find_elements(By.CSS_SELECTOR, "[data-testid=workspace-card]"))
    d.save_screenshot(os.path.join(OUT, "installed-app.png"))
    assert len(hangar_windows()) >= 1, subprocess.run(["xwininfo", "-root", "-tree"], capture_output=True, text=True).stdout


def test_a_second_launch_opens_no_second_window(d):
    before = len(hangar_windows())
    r = second_launch()
    assert r.returncode == 0, r.stderr
    time.sleep(1.5)
    assert len(hangar_windows()) == before, (before, hangar_windows())


def test_a_hangar_link_focuses_the_named_card(d):
    windows = len(hangar_windows())
    cards = d.find_elements(By.CSS_SELECTOR, "[data-testid=workspace-card]")
    target = cards[-1].get_attribute("data-id")
    account = d.execute_script(
        "return [...document.querySelectorAll('[data-testid=workspace-card]')].pop().querySelector('.meta').textContent.split(' · ').pop().trim()")
    d.execute_script("document.activeElement && document.activeElement.blur()")
    r = second_launch(f"hangar://open?account={account}&workspace={target}")
    assert r.returncode == 0, r.stderr
    wait_for("the named card to have focus", lambda: d.execute_script("return document.activeElement && document.activeElement.dataset.id") == target)
    second_launch("hangar://open?account=nobody&workspace=nothing")
    notice = wait_for("a clear message", lambda: d.find_element(By.CSS_SELECTOR, "[data-testid=notice]").text)
    assert "No workspace 'nothing' in account 'nobody'" in notice, notice
    second_launch("hangar://delete?account=a&workspace=b")
    wait_for("the refusal", lambda: "unknown action" in d.find_element(By.CSS_SELECTOR, "[data-testid=notice]").text)
    assert len(hangar_windows()) == windows, "links reuse the running window"
    d.save_screenshot(os.path.join(OUT, "installed-link.png"))


TESTS = [test_installed_app_shows_its_window, test_a_second_launch_opens_no_second_window, test_a_hangar_link_focuses_the_named_card]


if __name__ == "__main__":
    driver.run("installed", APP, TESTS, OUT)
