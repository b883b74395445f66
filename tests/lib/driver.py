"""What the WebDriver suites share: waiting for the app, and running tests against one app
session (tauri-driver at $TAURI_DRIVER_URL, 127.0.0.1:4444 by default) with a `NAME: N passed, M failed` line at the end."""

import os
import sys
import time
import traceback

from selenium import webdriver
from selenium.webdriver.common.options import ArgOptions


def wait_for(what, check, timeout=20.0):
    """Polls `check` until it returns something truthy; the page may be re-rendering meanwhile."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            value = check()
            if value:
                return value
        except Exception as e:  # noqa: BLE001 - a re-rendering page raises; try again
            last = e
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what} ({last})")


def run(name, app, tests, screenshots=None):
    """Starts the app through tauri-driver, runs every test in order, prints the summary, exits."""
    opts = ArgOptions()
    opts.set_capability("browserName", "wry")
    opts.set_capability("tauri:options", {"application": app})
    passed = failed = 0
    d = webdriver.Remote(command_executor=os.environ.get("TAURI_DRIVER_URL", "http://127.0.0.1:4444"), options=opts)
    try:
        for t in tests:
            try:
                t(d)
                passed += 1
                print(f"ok - {t.__name__}", flush=True)
            except Exception:  # noqa: BLE001 - every failure is reported, the next test runs
                failed += 1
                print(f"FAIL - {t.__name__}\n{traceback.format_exc()}", flush=True)
                if screenshots:
                    try:
                        d.save_screenshot(os.path.join(screenshots, f"fail-{t.__name__}.png"))
                    except Exception:  # noqa: BLE001 - the app may have quit (a test may quit it)
                        pass
    finally:
        try:
            d.quit()
        except Exception:  # noqa: BLE001 - the app quit already (from its tray, in a test)
            pass
    print(f"{name}: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
