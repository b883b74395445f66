"""Port forwarding in the built app, end to end: an exalsius account on the demo clouds, its
dev-container workspace started from the card, a real sshd (the test's own host key and
authorized_keys) listening on the SSH port the demo cloud gives that workspace, and a small
HTTP server on the remote side's port. "Forward a port" shows http://127.0.0.1:LOCAL, a page
comes through it, Open hands it to the OS opener; then Hangar quits from its tray and no ssh
process is left. Run by tests/e2e/run.sh after test_app.py. Prints 'e2e-forward: N passed, M failed'."""
import http.server
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import driver  # noqa: E402
from driver import wait_for  # noqa: E402

APP = os.environ["HANGAR_APP"]
WORK = os.environ["E2E_DIR"]
OUT = os.environ.get("E2E_OUT", WORK)
HOME = os.environ["HOME"]
TRAY_TOOL = os.path.join(os.path.dirname(__file__), "..", "lib", "tray.py")
ACCOUNT = "e2e-forward"
WORKSPACE = "vscode-calm-heron"
PAGE = b"hello through the forward"
# What the test learned, for the checks after Hangar quit.
seen = {}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ssh_forwarding(local):
    """Live ssh processes forwarding to `local`, whoever their parent is now."""
    needle = f"127.0.0.1:{local}:localhost:"
    count = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            argv = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].endswith(b"ssh") and any(a.decode(errors="replace").startswith(needle) for a in argv):
            count += 1
    return count


def start_sshd(port):
    d = os.path.join(WORK, "forward-sshd")
    os.makedirs(d, exist_ok=True)
    for key in ("host_key", "user_key"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", os.path.join(d, key)], check=True)
    with open(os.path.join(d, "user_key.pub"), encoding="utf-8") as f, \
            open(os.path.join(d, "authorized_keys"), "w", encoding="utf-8") as out:
        out.write(f.read())
    with open(os.path.join(d, "sshd_config"), "w", encoding="utf-8") as f:
        f.write(f"Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host_key\nAuthorizedKeysFile {d}/authorized_keys\n"
                f"PidFile {d}/sshd.pid\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
                "StrictModes no\nPermitRootLogin prohibit-password\nAllowTcpForwarding yes\n")
    os.makedirs("/run/sshd", exist_ok=True)
    proc = subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", os.path.join(d, "sshd_config")],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(d, "sshd.log"), "w"))
    wait_for("sshd to listen", lambda: socket.create_connection(("127.0.0.1", port), timeout=1).close() or True)
    return proc, os.path.join(d, "user_key")


def start_page_server():
    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the stdlib's name
            self.send_response(200)
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def card(d):
    for c in d.find_elements(By.CSS_SELECTOR, "[data-testid=workspace-card]"):
        text = c.get_attribute("textContent")
        if f"· {ACCOUNT}" in text and WORKSPACE in text:
            return c
    return None


def test_add_an_exalsius_account_whose_ssh_user_is_this_one(d):
    with open(os.environ["E2E_DEMO_JSON"], encoding="utf-8") as f:
        exalsius = next(c for c in json.load(f)["clouds"] if c["provider"] == "exalsius")
    user = subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()
    wait_for("the window", lambda: d.find_element(By.CSS_SELECTOR, "[data-testid=open-accounts]"), timeout=60).click()
    form = wait_for("the accounts dialog", lambda: d.find_element(By.CSS_SELECTOR, "[data-testid=add-account]"))
    Select(form.find_element(By.TAG_NAME, "select")).select_by_visible_text("exalsius")
    # The demo account's own tokens, pasted: it sees the cloud's dev-container workspace.
    creds = exalsius["credentials"]
    inputs = form.find_elements(By.CSS_SELECTOR, "label input")
    for field, text in zip(inputs, [ACCOUNT, exalsius["base_url"], creds["access_token"], creds["refresh_token"]]):
        field.send_keys(text)
    form.find_element(By.CSS_SELECTOR, "[data-testid=account-options]").send_keys(
        f"auth_url={exalsius['base_url']}", Keys.ENTER, f"ssh_user={user}")
    next(b for b in form.find_elements(By.TAG_NAME, "button") if b.text == "Test and add").click()
    wait_for("the account added", lambda: f"Account {ACCOUNT} added" in form.text, timeout=60)
    d.find_element(By.CSS_SELECTOR, "dialog[open] button[aria-label=Close]").click()
    wait_for("the dialog closed", lambda: not d.find_elements(By.CSS_SELECTOR, "dialog[open]"))
    try:
        wait_for("the account's dev-container workspace", lambda: card(d), timeout=60)
    except AssertionError:
        texts = [c.text for c in d.find_elements(By.CSS_SELECTOR, "[data-testid=workspace-card]")]
        raise AssertionError(f"no {WORKSPACE} among {texts}") from None


def test_forward_a_port_of_the_started_workspace_and_fetch_a_page(d):
    c = wait_for("the workspace's card", lambda: card(d))
    if c.get_attribute("data-state") != "running":
        start = wait_for("Start", lambda: next(b for b in c.find_elements(By.TAG_NAME, "button") if b.text == "Start"))
        d.execute_script("arguments[0].scrollIntoView({block: 'center'})", start)
        start.click()
    wait_for("the workspace running", lambda: card(d).get_attribute("data-state") == "running", timeout=120)
    title = wait_for("its SSH command", lambda: card(d).find_element(By.CSS_SELECTOR, "[data-testid=copy-ssh]")
                     .get_attribute("title"))
    port = int(re.search(r"-p (\d+)", title).group(1))
    sshd, key = start_sshd(port)
    seen["sshd"] = sshd
    # The user's config includes Hangar's file (as after consent), and names the test's key and
    # known-hosts file (ssh reads its defaults from the password database's home, not $HOME).
    os.makedirs(os.path.join(HOME, ".ssh"), mode=0o700, exist_ok=True)
    with open(os.path.join(HOME, ".ssh", "config"), "w", encoding="utf-8") as f:
        f.write(f'Include "{HOME}/.ssh/hangar/config"\nHost *\n  IdentityFile {key}\n  IdentitiesOnly yes\n'
                f"  UserKnownHostsFile {WORK}/forward-known_hosts\n")
    remote = start_page_server()

    wait_for("Forward a port", lambda: next(
        b for b in card(d).find_elements(By.TAG_NAME, "button") if b.text == "Forward a port")).click()
    wait_for("the port field", lambda: card(d).find_element(By.CSS_SELECTOR, "[data-testid=remote-port]")).send_keys(
        str(remote))
    next(b for b in card(d).find_elements(By.TAG_NAME, "button") if b.text == "Forward").click()
    row = wait_for("the forward's address", lambda: card(d).find_element(By.CSS_SELECTOR, "[data-testid=forward]"),
                   timeout=90)
    url = re.search(r"http://127\.0\.0\.1:\d+", row.text).group(0)
    seen["local"] = int(url.rsplit(":", 1)[1])
    with urllib.request.urlopen(url, timeout=30) as page:
        assert page.read() == PAGE
    assert ssh_forwarding(seen["local"]) == 1, "one ssh carries the forward"
    d.save_screenshot(os.path.join(OUT, "app-forward.png"))
    next(b for b in row.find_elements(By.TAG_NAME, "button") if b.text == "Open").click()
    wait_for("the address handed to the OS opener", lambda: url in open(os.path.join(WORK, "opened.log")).read())


def test_quit_from_the_tray_leaves_no_ssh(d):
    assert "local" in seen, "no forward was made"
    env = dict(os.environ, TRAY_BUS_CACHE=os.path.join(WORK, "tray-bus-forward.json"))
    out = subprocess.run(["/usr/bin/python3", TRAY_TOOL, APP, "click", "Quit"], capture_output=True, text=True,
                         timeout=150, env=env)
    assert out.returncode == 0, out.stderr
    wait_for("no ssh left after quit", lambda: ssh_forwarding(seen["local"]) == 0, timeout=30)


TESTS = [test_add_an_exalsius_account_whose_ssh_user_is_this_one,
         test_forward_a_port_of_the_started_workspace_and_fetch_a_page, test_quit_from_the_tray_leaves_no_ssh]


def main():
    try:
        driver.run("e2e-forward", APP, TESTS, OUT)
    finally:
        if "sshd" in seen:
            seen["sshd"].terminate()


if __name__ == "__main__":
    main()
