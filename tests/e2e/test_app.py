"""The built app, end to end: tauri-driver + WebKitWebDriver under Xvfb, demo clouds, a
throwaway HOME. Prints 'e2e: N passed, M failed'."""
import json
import os
import re
import subprocess
import sys
import time

from selenium.webdriver.common.by import By

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import driver  # noqa: E402
from driver import wait_for  # noqa: E402

APP = os.environ["HANGAR_APP"]
WORK = os.environ["E2E_DIR"]
OUT = os.environ.get("E2E_OUT", WORK)
TRAY_TOOL = os.path.join(os.path.dirname(__file__), "..", "lib", "tray.py")


def cards(d, account="demo-aether"):
    """The cards of one demo account (every demo cloud shows its own)."""
    return [c for c in d.find_elements(By.CSS_SELECTOR, "[data-testid=workspace-card]") if f"· {account}" in c.text]


def card_state(d, wid):
    els = d.find_elements(By.CSS_SELECTOR, f"[data-testid=workspace-card][data-id='{wid}']")
    return els[0].get_attribute("data-state") if els else None


def notifications():
    path = os.path.join(WORK, "notify.jsonl")
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def test_demo_cards_appear(d):
    wait_for("the three Aether demo cards", lambda: len(cards(d)) == 3)
    assert d.find_element(By.CSS_SELECTOR, "[data-testid=demo-badge]").is_displayed(), "demo marker"
    text = " ".join(c.text for c in cards(d))
    assert "A100-40GB" in text, text
    d.save_screenshot(os.path.join(OUT, "app-demo.png"))


# tray.py gives each D-Bus call a minute (a loaded machine); finding the menu once may add a
# few seconds per app connection that never answers.
TRAY_TIMEOUT = 150
# Waits on the tray poll the menu; each read may take seconds on a loaded 2-core machine.
TRAY_WAIT = 60


def tray_run(*args):
    env = dict(os.environ, TRAY_BUS_CACHE=os.path.join(WORK, "tray-bus.json"))
    return subprocess.run(["/usr/bin/python3", TRAY_TOOL, APP, *args], capture_output=True, text=True,
                          timeout=TRAY_TIMEOUT, env=env)


def tray(*args):
    out = tray_run(*args)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def tray_labels():
    return [i["label"] for i in tray("layout")]


def tray_states():
    """{workspace part of the label: state part} for every workspace in the tray."""
    return dict(l.rsplit(" — ", 1) for l in tray_labels() if " — " in l)


def test_tray_stop_stops_the_workspace_and_notifies_once(d):
    running = wait_for("a running card", lambda: [c for c in cards(d) if c.get_attribute("data-state") == "running"])
    name = running[0].find_element(By.TAG_NAME, "h3").get_attribute("title")
    wid = running[0].get_attribute("data-id")
    def in_tray():
        labels = tray_labels()
        found = [l for l in labels if l.startswith(name + " ")]
        if not found:
            raise AssertionError(f"{name!r} not among {labels}")
        return found
    item = wait_for("the workspace in the tray menu", in_tray, timeout=TRAY_WAIT)
    assert item[0].endswith("— Running"), item
    labels = tray_labels()
    assert labels[-3:] == ["Show Hangar", "Pause notifications", "Quit"], labels
    tray("click", item[0], "Stop")
    wait_for("the card to follow", lambda: card_state(d, wid) in ("stopping", "stopped"))
    wait_for("the tray item to show Stopping… or Stopped",
             lambda: any(l.startswith(name + " ") and (l.endswith("Stopping…") or l.endswith("Stopped")) for l in tray_labels()),
             timeout=TRAY_WAIT)
    wait_for("stopped", lambda: card_state(d, wid) == "stopped", timeout=60)
    wait_for("the tray item to settle", lambda: any(l.startswith(name + " ") and l.endswith("— Stopped") for l in tray_labels()),
             timeout=TRAY_WAIT)
    found = wait_for("a 'stopped' notification",
                     lambda: [n for n in notifications() if n["summary"] == "Workspace stopped"], timeout=30)
    time.sleep(2.5)  # longer than the notifier's batch window: nothing else may follow
    stopped = [n for n in notifications() if "stopped" in n["summary"]]
    assert len(stopped) == 1 and name in stopped[0]["body"], stopped
    d.save_screenshot(os.path.join(OUT, "app-tray-stopped.png"))


def test_tray_start_brings_it_back_with_one_running_notification(d):
    stopped = [l for l in tray_labels() if l.endswith("— Stopped")]
    assert stopped, tray_labels()
    label = stopped[0]
    name = re.sub(r" · \d+× \S+$", "", label.split(" — ")[0])  # the tray adds "· N× GPU" to GPU items
    before = len([n for n in notifications() if n["summary"] == "Workspace running"])
    tray("click", label, "Start")
    wait_for("the tray item to show Starting… or Running",
             lambda: any(l.startswith(name) and (l.endswith("Starting…") or l.endswith("— Running")) for l in tray_labels()),
             timeout=TRAY_WAIT)
    wait_for("running again", lambda: any(l.startswith(name) and l.endswith("— Running") for l in tray_labels()), timeout=TRAY_WAIT)
    wait_for("a 'running' notification",
             lambda: len([n for n in notifications() if n["summary"] == "Workspace running"]) > before, timeout=30)
    time.sleep(2.5)
    running = [n for n in notifications() if n["summary"] == "Workspace running"][before:]
    assert len(running) == 1 and name in running[0]["body"], running


def test_a_tray_click_from_an_older_menu_acts_on_the_workspace_it_showed(d):
    """The menu re-sorts as states change (running first). A host may hold a layout read a
    moment earlier: a click on an item from it acts on the workspace that item showed, or on
    nothing, never on the workspace that took its place."""
    def two_running():
        items = [i for i in tray("layout") if i["label"].endswith(" — Running")]
        return items if len(items) >= 2 else None
    old = wait_for("two running workspaces in the tray", two_running, timeout=TRAY_WAIT)
    mover, target = (i["label"].rsplit(" — ", 1)[0] for i in old[:2])
    target_stop = next(c for c in old[1]["children"] if c["label"] == "Stop")
    before = tray_states()

    tray("click", f"{mover} — Running", "Stop")  # the top workspace leaves the top: the order changes
    wait_for("the order to change", lambda: not tray_labels()[0].startswith(mover + " — "), timeout=TRAY_WAIT)

    out = tray_run("click-id", str(target_stop["id"]))
    assert out.returncode == 0, f"the Stop item read before the change no longer works: {out.stderr}"
    wait_for(f"{target} to stop", lambda: tray_states().get(target) in ("Stopping…", "Stopped"), timeout=TRAY_WAIT)
    after = tray_states()
    stopped = sorted(n for n, s in after.items()
                     if before.get(n) == "Running" and s in ("Stopping…", "Stopped") and n not in (mover, target))
    assert not stopped, f"a click on {target!r} stopped {stopped}"

    # Back as it was, for the tests after this one.
    for name in (mover, target):
        wait_for(f"{name} stopped", lambda: tray_states().get(name) == "Stopped", timeout=TRAY_WAIT)
        tray("click", f"{name} — Stopped", "Start")
    for name in (mover, target):
        wait_for(f"{name} running", lambda: tray_states().get(name) == "Running", timeout=TRAY_WAIT)


MARKUP_NAME = "e2e <b>bold</b> & <i>co</i>"


def test_a_notification_shows_markup_in_a_name_as_text(d):
    """Notification servers read markup in bodies; a vendor's workspace name is text."""
    wizard_create(d, "demo-aether", MARKUP_NAME, [("gpu_kind", "a10")])
    card = wait_for("the new card", lambda: [
        c for c in cards(d) if MARKUP_NAME in (c.find_element(By.TAG_NAME, "h3").get_attribute("title") or "")], timeout=30)[0]
    wid = card.get_attribute("data-id")
    wait_for("it running", lambda: card_state(d, wid) == "running", timeout=90)
    label = wait_for("it running in the tray", lambda: [
        l for l in tray_labels() if l.startswith(MARKUP_NAME + " ") and l.endswith(" — Running")], timeout=TRAY_WAIT)[0]
    tray("click", label, "Stop")  # from the tray, so the change is announced
    escaped = "e2e &lt;b&gt;bold&lt;/b&gt; &amp; &lt;i&gt;co&lt;/i&gt;"
    wait_for("the 'stopped' notification", lambda: [
        n for n in notifications() if n["summary"] == "Workspace stopped" and escaped in n["body"]], timeout=90)
    assert all("<b>" not in n["body"] and "<i>" not in n["body"] for n in notifications()), notifications()
    wait_for("stopped", lambda: card_state(d, wid) == "stopped", timeout=60)
    card = [c for c in cards(d) if c.get_attribute("data-id") == wid][0]
    card.find_element(By.XPATH, ".//button[normalize-space()='Delete']").click()
    wait_for("the delete dialog", lambda: d.find_element(By.CSS_SELECTOR, "[data-testid=confirm-delete-button]")).click()
    wait_for("it gone", lambda: card_state(d, wid) is None, timeout=60)


def test_window_stop_moves_the_card_to_stopped(d):
    running = wait_for("a running card", lambda: [c for c in cards(d) if c.get_attribute("data-state") == "running"])
    wid = running[0].get_attribute("data-id")
    button = running[0].find_element(By.XPATH, ".//button[normalize-space()='Stop']")
    button.click()
    wait_for("stopping", lambda: card_state(d, wid) in ("stopping", "stopped"))
    wait_for("stopped", lambda: card_state(d, wid) == "stopped", timeout=30)
    d.save_screenshot(os.path.join(OUT, "app-stopped.png"))


def test_details_show_a_window_stop_and_a_tray_start_in_order_with_their_causes(d):
    running = wait_for("a running card", lambda: [c for c in cards(d) if c.get_attribute("data-state") == "running"])
    card = running[-1]
    wid = card.get_attribute("data-id")
    name = card.find_element(By.CSS_SELECTOR, "[data-testid=card-name]").text
    card.find_element(By.XPATH, ".//button[normalize-space()='Stop']").click()
    wait_for("stopped from the window", lambda: card_state(d, wid) == "stopped", timeout=60)
    label = wait_for("it stopped in the tray", lambda: [
        l for l in tray_labels() if l.startswith(name + " ") and l.endswith(" — Stopped")], timeout=TRAY_WAIT)[0]
    tray("click", label, "Start")
    wait_for("running again from the tray", lambda: card_state(d, wid) == "running", timeout=90)

    d.find_element(By.CSS_SELECTOR, f"[data-testid=workspace-card][data-id='{wid}'] [data-testid=card-name]").click()

    def steps():
        items = d.find_elements(By.CSS_SELECTOR, "[data-testid=timeline] li")
        return [(i.get_attribute("data-cause"), i.text) for i in items]

    def in_order():
        seen = steps()
        stop = next((n for n, (cause, text) in enumerate(seen) if cause == "you" and text.endswith("→ Stopped, by you")), None)
        start = stop is not None and any(c == "tray" and "→ Running" in t for c, t in seen[stop:])
        return seen if start else None
    wait_for("the window's stop, then the tray's start, in the details timeline", in_order, timeout=30)
    d.save_screenshot(os.path.join(OUT, "app-details.png"))
    d.find_element(By.TAG_NAME, "body").send_keys("\ue00c")  # Escape closes the panel
    wait_for("the panel closed", lambda: not d.find_elements(By.CSS_SELECTOR, "[data-testid=details]"))


def test_open_hands_the_preview_url_to_the_os_opener(d):
    running = wait_for("a running card", lambda: [c for c in cards(d) if c.get_attribute("data-state") == "running"])
    running[0].find_element(By.XPATH, ".//button[normalize-space()='Open']").click()
    log = os.path.join(WORK, "opened.log")
    url = wait_for("the opener to be called", lambda: os.path.exists(log) and open(log).read().strip())
    assert re.match(r"^http://3000-[0-9a-f]{8}-[a-z0-9]{32}\.preview\.localhost:\d+/$", url), url


def test_tokens_never_reach_the_web_view(d):
    html = d.page_source
    assert not re.search(r"aether_demo_[a-z0-9]{24}", html), "a demo token reached the page"
    state = d.execute_async_script(
        "const cb = arguments[arguments.length - 1];"
        "window.__TAURI_INTERNALS__.invoke('snapshot').then(s => cb(JSON.stringify(s)), e => cb('ERR ' + JSON.stringify(e)));")
    assert not state.startswith("ERR"), state
    assert "aether_demo_" not in state, "a token in an IPC payload"


def test_a_disallowed_command_is_refused(d):
    result = d.execute_async_script(
        "const cb = arguments[arguments.length - 1];"
        "window.__TAURI_INTERNALS__.invoke('plugin:opener|open_url', {url: 'file:///etc/passwd'})"
        ".then(() => cb('allowed'), e => cb('refused: ' + String(e)));")
    assert result.startswith("refused"), result


def wizard_create(d, account, name, picks, texts=()):
    from selenium.webdriver.support.ui import Select
    d.find_element(By.CSS_SELECTOR, "[data-testid=new-workspace]").click()
    # Dialogs load on first use: wait for them rather than expect them at once.
    Select(wait_for("the wizard", lambda: d.find_element(By.ID, "wizard-account"))).select_by_value(account)
    d.find_element(By.CSS_SELECTOR, "[data-testid=wizard-next]").click()
    wait_for("the provider's form", lambda: d.find_elements(By.ID, "wizard-name"))
    d.find_element(By.ID, "wizard-name").send_keys(name)
    for key, value in picks:
        Select(d.find_element(By.CSS_SELECTOR, f"[data-testid='field-{key}'] select")).select_by_value(value)
        time.sleep(0.5)  # the form may narrow its other choices after a pick
    for key, value in texts:
        box = d.find_element(By.CSS_SELECTOR, f"[data-testid='field-{key}'] input")
        box.clear()
        box.send_keys(value)
    d.find_element(By.CSS_SELECTOR, "[data-testid=wizard-create]").click()
    wait_for("the wizard to close", lambda: not d.find_elements(By.CSS_SELECTOR, "[data-testid=create-wizard]"), timeout=20)


def follow_new_card(d, account, name):
    card = wait_for("the new card", lambda: [
        c for c in cards(d, account) if name in (c.find_element(By.TAG_NAME, "h3").get_attribute("title") or "")], timeout=10)[0]
    wid = card.get_attribute("data-id")
    assert card_state(d, wid) in ("pending", "starting", "running"), card_state(d, wid)
    wait_for(f"{name} running", lambda: card_state(d, wid) == "running", timeout=40)
    card = [c for c in cards(d, account) if c.get_attribute("data-id") == wid][0]
    assert card.find_elements(By.CSS_SELECTOR, "[data-testid=gpu]"), "a GPU card shows its GPU"
    opened_before = open(os.path.join(WORK, "opened.log")).read().count("\n") if os.path.exists(os.path.join(WORK, "opened.log")) else 0
    card.find_element(By.XPATH, ".//button[normalize-space()='Open']").click()
    wait_for("the opener", lambda: open(os.path.join(WORK, "opened.log")).read().count("\n") > opened_before)
    card.find_element(By.XPATH, ".//button[normalize-space()='Stop']").click()
    wait_for(f"{name} stopped", lambda: card_state(d, wid) == "stopped", timeout=40)
    card = [c for c in cards(d, account) if c.get_attribute("data-id") == wid][0]
    card.find_element(By.XPATH, ".//button[normalize-space()='Delete']").click()
    wait_for("the delete dialog", lambda: d.find_element(By.CSS_SELECTOR, "[data-testid=confirm-delete-button]")).click()
    wait_for(f"{name} gone", lambda: card_state(d, wid) is None, timeout=30)


def test_wizard_creates_a_gpu_workspace_on_aether(d):
    wizard_create(d, "demo-aether", "e2e-aether-gpu", [("gpu_kind", "a10")])
    follow_new_card(d, "demo-aether", "e2e-aether-gpu")


def test_wizard_gpu_picker_follows_the_cluster_on_exalsius(d):
    from selenium.webdriver.support.ui import Select
    d.find_element(By.CSS_SELECTOR, "[data-testid=new-workspace]").click()
    Select(wait_for("the wizard", lambda: d.find_element(By.ID, "wizard-account"))).select_by_value("demo-exalsius")
    d.find_element(By.CSS_SELECTOR, "[data-testid=wizard-next]").click()
    count = wait_for("the GPU count field", lambda: d.find_element(By.CSS_SELECTOR, "[data-testid='field-gpu_count'] input"))
    types = Select(d.find_element(By.CSS_SELECTOR, "[data-testid='field-gpu_type'] select"))
    limits = {}
    for option in [o.get_attribute("value") for o in types.options]:
        types.select_by_value(option)
        limits[option] = wait_for("the narrowed limit",
                                  lambda: d.find_element(By.CSS_SELECTOR, "[data-testid='field-gpu_count'] input").get_attribute("max"))
        time.sleep(0.5)
        limits[option] = d.find_element(By.CSS_SELECTOR, "[data-testid='field-gpu_count'] input").get_attribute("max")
    assert len(set(limits.values())) > 1, f"the GPU count limit follows the GPU type: {limits}"
    d.save_screenshot(os.path.join(OUT, "app-wizard-gpu.png"))
    d.find_element(By.XPATH, "//dialog//button[normalize-space()='Back']").click()
    d.find_element(By.XPATH, "//dialog//button[normalize-space()='Cancel']").click()
    wizard_create(d, "demo-exalsius", "e2e-exalsius-gpu", [], [("var.notebookPassword", "e2e-notebook-pass")])
    follow_new_card(d, "demo-exalsius", "e2e-exalsius-gpu")


def test_browser_sign_in_adds_an_account_and_ends_the_demo(d):
    from selenium.webdriver.support.ui import Select
    with open(os.environ["E2E_DEMO_JSON"], encoding="utf-8") as f:
        exalsius = next(c for c in json.load(f)["clouds"] if c["provider"] == "exalsius")
    d.find_element(By.CSS_SELECTOR, "[data-testid=open-accounts]").click()
    form = wait_for("the accounts dialog", lambda: d.find_element(By.CSS_SELECTOR, "[data-testid=add-account]"))
    Select(form.find_element(By.TAG_NAME, "select")).select_by_visible_text("exalsius")
    inputs = form.find_elements(By.CSS_SELECTOR, "label input")
    inputs[0].send_keys("e2e-exalsius")
    inputs[1].send_keys(exalsius["base_url"])
    form.find_element(By.CSS_SELECTOR, "[data-testid=account-options]").send_keys(f"auth_url={exalsius['base_url']}")
    form.find_element(By.CSS_SELECTOR, "[data-testid=sign-in-browser]").click()
    wait_for("the sign-in page handed to the browser",
             lambda: "/authorize?" in open(os.path.join(WORK, "opened.log")).read())
    wait_for("the demo to end", lambda: not d.find_elements(By.CSS_SELECTOR, "[data-testid=demo-badge]"), timeout=30)
    wait_for("the account's cards", lambda: cards(d, "e2e-exalsius"), timeout=30)
    stored = subprocess.run(["secret-tool", "lookup", "service", "hangar", "username", "e2e-exalsius"],
                            capture_output=True, text=True).stdout
    assert "access_token" in stored and "refresh_token" in stored, "tokens went to the keyring"
    config = open(os.path.join(WORK, "config", "hangar", "accounts.json"), encoding="utf-8").read()
    assert "e2e-exalsius" in config and "token" not in config.replace("access_token", "").replace("refresh_token", ""), config
    d.save_screenshot(os.path.join(OUT, "app-signed-in.png"))

    d.find_element(By.XPATH, "//li[.//strong[text()='e2e-exalsius']]//button[normalize-space()='Sign out']").click()
    wait_for("the tokens to leave the keyring", lambda: "access_token" not in subprocess.run(
        ["secret-tool", "lookup", "service", "hangar", "username", "e2e-exalsius"], capture_output=True, text=True).stdout)
    wait_for("the signed-out account reported in place",
             lambda: any("e2e-exalsius" in b.text for b in d.find_elements(By.CSS_SELECTOR, "[data-testid=account-failure]")),
             timeout=20)


# --- notifications you can act on (run.sh sets HANGAR_DEBUG_POLICY_MINUTE_MS: a policy minute
# lasts that many ms in this debug build, so an hour of "Keep running" passes in seconds) ---
POLICY_MINUTE_S = int(os.environ.get("HANGAR_DEBUG_POLICY_MINUTE_MS", "60000")) / 1000.0
REMINDER = "still running"


def ipc(d, command, args=None):
    """Calls the app's IPC as its window does; the answer, or raises with the error."""
    out = d.execute_async_script(
        "const cb = arguments[arguments.length - 1];"
        "window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1] || {})"
        ".then(r => cb(JSON.stringify({ok: r === undefined ? null : r})), e => cb(JSON.stringify({err: e})));",
        command, args)
    answer = json.loads(out)
    if "err" in answer:
        raise AssertionError(f"{command}: {answer['err']}")
    return answer["ok"]


def change_settings(d, change):
    settings = ipc(d, "settings")
    change(settings)
    ipc(d, "save_settings", {"settings": settings})


def press(note, key):
    """Presses a notification's button on the stand-in server (ActionInvoked on the bus)."""
    subprocess.run(["gdbus", "call", "--session", "--dest", "org.freedesktop.Notifications",
                    "--object-path", "/org/freedesktop/Notifications",
                    "--method", "org.hangar.TestNotifications.Invoke", str(note["id"]), key],
                   check=True, capture_output=True, timeout=30)


def buttons(note):
    """The (key, label) pairs a notification offered."""
    a = note["actions"]
    return list(zip(a[0::2], a[1::2]))


def reminders_of(name, after=0):
    return [n for n in notifications()[after:] if REMINDER in n["summary"] and name in n["body"]]


def refreshing(d, check):
    """A check that asks for a poll first: reminders and budgets are looked at after each poll."""
    def polled():
        ipc(d, "refresh")
        time.sleep(0.5)
        return check()
    return polled


def gpu_workspace(d, state):
    snap = ipc(d, "snapshot")
    return [w for w in snap["workspaces"]
            if w["hardware"].get("gpu") and w["state"] == state and "start" in w["actions"]
            and w["account"].startswith("demo-")]


def test_a_running_notification_offers_open_and_open_opens_the_link(d):
    running = [w["name"] for w in ipc(d, "snapshot")["workspaces"] if w["state"] == "running"]
    note = wait_for("a 'running' notification with Open about a workspace still running",
                    lambda: [n for n in notifications() if n["summary"] == "Workspace running"
                             and ("open", "Open") in buttons(n) and any(r in n["body"] for r in running)])[-1]
    log = os.path.join(WORK, "opened.log")
    before = open(log).read().count("\n") if os.path.exists(log) else 0
    press(note, "open")
    url = wait_for("the opener to be called by the button",
                   lambda: open(log).read().count("\n") > before and open(log).read().splitlines()[-1], timeout=30)
    assert url.startswith("http"), url


def test_a_gpu_reminder_offers_stop_and_keep_running_and_both_work(d):
    change_settings(d, lambda s: s["notifications"].update(gpu_reminder_minutes=10, paused=False))
    # Whatever else runs is reminded of now, before the workspace this test follows starts.
    time.sleep(10 * POLICY_MINUTE_S + 1)
    ipc(d, "refresh")
    time.sleep(2)
    stopped = wait_for("a stopped GPU workspace", lambda: gpu_workspace(d, "stopped"), timeout=60)[0]
    name, account, wid = stopped["name"], stopped["account"], stopped["id"]
    ipc(d, "workspace_action", {"account": account, "id": wid, "action": "start"})
    wait_for(f"{name} running", refreshing(d, lambda: card_state(d, wid) == "running"), timeout=90)

    first = wait_for(f"a reminder about {name}", refreshing(d, lambda: reminders_of(name)), timeout=60)[-1]
    keys = [k for k, _ in buttons(first)]
    assert "stop" in keys and "keep-running" in keys, first
    assert ("keep-running", "Keep running 1 h") in buttons(first), first
    seen = len(notifications())
    press(first, "keep-running")
    # Snoozed for a policy hour: no reminder about it for most of that hour, polls or not.
    quiet_until = time.time() + 30 * POLICY_MINUTE_S
    while time.time() < quiet_until:
        ipc(d, "refresh")
        time.sleep(0.5)
        assert not reminders_of(name, seen), f"reminded again within the hour: {reminders_of(name, seen)}"
    again = wait_for(f"the reminder about {name} once the hour is over",
                     refreshing(d, lambda: reminders_of(name, seen)), timeout=60 + 60 * POLICY_MINUTE_S)[-1]
    assert card_state(d, wid) == "running", "Keep running left it running"

    press(again, "stop")
    wait_for(f"{name} stopping at its demo cloud", refreshing(d, lambda: card_state(d, wid) in ("stopping", "stopped")),
             timeout=60)
    wait_for(f"{name} stopped", refreshing(d, lambda: card_state(d, wid) == "stopped"), timeout=90)
    with open(os.path.join(WORK, "actions.jsonl"), encoding="utf-8") as f:
        pressed = [json.loads(l) for l in f if l.strip()]
    assert {"invoked": first["id"], "action": "keep-running"} in pressed and \
        {"invoked": again["id"], "action": "stop"} in pressed, pressed
    change_settings(d, lambda s: s["notifications"].update(gpu_reminder_minutes=240))


def test_a_budget_crossing_raises_exactly_one_notification(d):
    snap = ipc(d, "snapshot")
    kinds = {w["hardware"]["gpu"]["kind"] for w in snap["workspaces"] if w["hardware"].get("gpu")}
    account = "demo-aether"

    def budget(s):
        s["rates"]["gpu_per_hour"].update({k: 2.5 for k in kinds})
        s["rates"]["cpu_core_per_hour"] = 0.05
        s["budgets"]["accounts"][account] = {"daily": 0.0001, "monthly": None}
    change_settings(d, budget)
    mine = lambda: [n for n in notifications() if n["summary"].startswith(f"{account}: ") and "budget" in n["summary"]]
    found = wait_for("a budget notification", refreshing(d, mine), timeout=90)
    for _ in range(6):  # more polls, more spending: nothing new in the same day
        ipc(d, "refresh")
        time.sleep(0.5)
    assert len(mine()) == 1, mine()
    assert ("show", "Show") in buttons(found[0]), found[0]
    press(found[0], "show")
    change_settings(d, lambda s: s["budgets"]["accounts"].pop(account, None))


TESTS = [test_demo_cards_appear, test_open_hands_the_preview_url_to_the_os_opener,
         test_tray_stop_stops_the_workspace_and_notifies_once,
         test_tray_start_brings_it_back_with_one_running_notification,
         test_a_tray_click_from_an_older_menu_acts_on_the_workspace_it_showed,
         test_a_notification_shows_markup_in_a_name_as_text, test_window_stop_moves_the_card_to_stopped,
         test_details_show_a_window_stop_and_a_tray_start_in_order_with_their_causes,
         test_wizard_creates_a_gpu_workspace_on_aether, test_wizard_gpu_picker_follows_the_cluster_on_exalsius, test_tokens_never_reach_the_web_view,
         test_a_disallowed_command_is_refused,
         test_a_running_notification_offers_open_and_open_opens_the_link,
         test_a_gpu_reminder_offers_stop_and_keep_running_and_both_work,
         test_a_budget_crossing_raises_exactly_one_notification,
         test_browser_sign_in_adds_an_account_and_ends_the_demo]


if __name__ == "__main__":
    # E2E_ONLY=name,name runs the first test (it waits for the cards) and those named.
    only = [n for n in os.environ.get("E2E_ONLY", "").split(",") if n]
    chosen = TESTS[:1] + [t for t in TESTS[1:] if t.__name__ in only] if only else TESTS
    driver.run("e2e", APP, chosen, OUT)
