"""Steps of a conformance run: each one passes or fails on its own and the run goes on;
`summary` prints the `NAME-conformance: N passed, M failed` line the test runner reads."""

import json
import os
import subprocess
import time
import traceback

COUNTS = {"passed": 0, "failed": 0}
STARTED = time.time()


def check(label, fn):
    """Runs one step; a step that raises or returns False fails, and the run goes on."""
    try:
        value = fn()
        if value is False:
            raise AssertionError("check returned False")
    except Exception as e:  # noqa: BLE001 - every failure is reported, not raised
        COUNTS["failed"] += 1
        print(f"FAIL {label}: {type(e).__name__}: {str(e)[:300]}", flush=True)
        if os.environ.get("CONFORMANCE_DEBUG"):
            traceback.print_exc()
        return None
    COUNTS["passed"] += 1
    shown = "" if value is None or value is True else f" -> {str(value)[:100]}"
    print(f"ok   {label}{shown}", flush=True)
    return value


def expect(actual, wanted):
    if actual != wanted:
        raise AssertionError(f"expected {wanted!r}, got {actual!r}")
    return actual


def hangarctl(config_dir, *args, stdin=None):
    """Runs `$HANGARCTL --config-dir DIR --json ARGS`; its JSON output, or raises with its stderr."""
    cmd = [os.environ["HANGARCTL"], "--config-dir", config_dir, "--json", *args]
    env = dict(os.environ, HANGAR_POLL_MS="200")
    done = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=120, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:2])} exited {done.returncode}: {done.stderr.strip()[:400]}")
    return json.loads(done.stdout) if done.stdout.strip() else None


def run(name, vendor_title, vendor_scenario, hangarctl_scenario):
    """Both halves of a conformance run, then the summary line; the process's exit code."""
    print(f"== {vendor_title} against the demo cloud", flush=True)
    try:
        vendor_scenario()
    except Exception as e:  # noqa: BLE001 - an import failure is one failed step
        check(f"{vendor_title} scenario", lambda: (_ for _ in ()).throw(e))
    print("== hangarctl against the same demo cloud", flush=True)
    hangarctl_scenario()
    print(f"({time.time() - STARTED:.0f} s)")
    print(f"{name}-conformance: {COUNTS['passed']} passed, {COUNTS['failed']} failed", flush=True)
    return 0 if COUNTS["failed"] == 0 and COUNTS["passed"] > 0 else 1
