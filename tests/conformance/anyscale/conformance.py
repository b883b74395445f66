"""Anyscale conformance: the real `anyscale` SDK, then `hangarctl`, against one demo cloud.

run.sh sets ANYSCALE_HOST, ANYSCALE_CLI_TOKEN, HANGARCTL and a throwaway HOME before this
runs; the SDK reads its host and token at import time.
"""

import os
import re
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
import steps  # noqa: E402
from steps import check, expect, hangarctl  # noqa: E402



def sdk_scenario():
    import anyscale
    from anyscale.workspace.models import UpdateWorkspaceConfig, WorkspaceConfig, WorkspaceState

    name = f"probe-ws-{uuid.uuid4().hex[:6]}"
    wid = check(
        "sdk create",
        lambda: anyscale.workspace.create(WorkspaceConfig(name=name, idle_termination_minutes=60)),
    )
    if wid is None:
        return
    check("sdk list contains it", lambda: expect(wid in [w.id for w in anyscale.workspace.list()], True))
    check(
        "sdk list maps every state",
        lambda: expect([w for w in anyscale.workspace.list() if w.state == WorkspaceState.UNKNOWN], []),
    )
    got = check("sdk get (with config)", lambda: anyscale.workspace.get(id=wid))
    if got is not None:
        check("sdk get state", lambda: expect(got.state, WorkspaceState.TERMINATED))
        check("sdk get idle minutes", lambda: expect(got.config.idle_termination_minutes, 60))
        check("sdk get image", lambda: expect(got.config.image_uri, "anyscale/ray:2.59.0-py311"))
    check("sdk get by name", lambda: expect(anyscale.workspace.get(name=name, include_config=False).id, wid))
    check("sdk status terminated", lambda: expect(anyscale.workspace.status(id=wid), WorkspaceState.TERMINATED))
    check(
        "sdk update (rename, idle)",
        lambda: anyscale.workspace.update(
            id=wid, config=UpdateWorkspaceConfig(name=name + "-2", idle_termination_minutes=30)
        ),
    )
    check("sdk renamed", lambda: expect(anyscale.workspace.get(id=wid, include_config=False).name, name + "-2"))
    check("sdk start", lambda: expect(anyscale.workspace.start(id=wid), wid))
    check("sdk wait RUNNING", lambda: anyscale.workspace.wait(id=wid, state=WorkspaceState.RUNNING, timeout_s=60))
    check("sdk status running", lambda: expect(anyscale.workspace.status(id=wid), WorkspaceState.RUNNING))
    check("sdk terminate", lambda: expect(anyscale.workspace.terminate(id=wid), wid))
    check("sdk wait TERMINATED", lambda: anyscale.workspace.wait(id=wid, state="TERMINATED", timeout_s=60))
    check("sdk status terminated again", lambda: expect(anyscale.workspace.status(id=wid), WorkspaceState.TERMINATED))


def hangarctl_scenario():
    base, token = os.environ["ANYSCALE_HOST"], os.environ["ANYSCALE_CLI_TOKEN"]
    cfg = tempfile.mkdtemp(prefix="hangar-conformance-")
    acct = "demo-anyscale"
    check(
        "hangarctl account add (verifies the token)",
        lambda: hangarctl(cfg, "account", "add", "anyscale", "--name", acct, "--base-url", base,
                              stdin=token),
    )
    form = check("hangarctl form", lambda: hangarctl(cfg, "form", acct))
    if form is not None:
        keys = [f["key"] for f in form["fields"]]
        check("form has cloud, project, compute, image, idle", lambda: all(
            k in keys for k in ["cloud", "project", "compute_config", "build", "idle_minutes", "start_now"]))
    name = f"ctl-ws-{uuid.uuid4().hex[:6]}"
    created = check(
        "hangarctl create (not started)",
        lambda: hangarctl(cfg, "create", acct, "--name", name, "--set", "start_now=false", "--set", "idle_minutes=60"),
    )
    if created is None:
        return
    wid = created["id"]
    check("created terminated", lambda: expect(created["state"], "stopped"))
    check("hangarctl ls contains it", lambda: expect(wid in [w["id"] for w in hangarctl(cfg, "ls", "--account", acct)], True))
    running = check("hangarctl start --wait", lambda: hangarctl(cfg, "start", acct, wid, "--wait", "--timeout", "60"))
    if running is not None:
        check("running", lambda: expect(running["state"], "running"))
    opened = check(
        "hangarctl open vscode (writes the SSH alias, with consent)",
        lambda: hangarctl(cfg, "open", acct, wid, "--target", "vscode", "--print", "--ssh-include", "allow")["url"],
    )
    # The alias is readable (account, name) and unique (a suffix from the account and id).
    shape = re.fullmatch(rf"vscode://vscode-remote/ssh-remote\+(hangar-{re.escape(acct)}-{re.escape(name)}-[0-9a-f]{{8}})/home/ray/default", opened or "")
    check("the link goes through the workspace's own alias", lambda: expect(shape is not None, True))
    if shape is not None:
        host_block = os.path.join(os.environ["HOME"], ".ssh", "hangar", "hosts", f"{shape.group(1)}.conf")
        proxy = lambda: next(l for l in open(host_block).read().splitlines() if "ProxyCommand" in l)
        check("the alias's ProxyCommand is hangarctl tunnel",
              lambda: expect(all(w in proxy() for w in ("tunnel --", acct, wid)), True))
    stopped = check("hangarctl stop --wait", lambda: hangarctl(cfg, "stop", acct, wid, "--wait", "--timeout", "60"))
    if stopped is not None:
        check("stopped", lambda: expect(stopped["state"], "stopped"))
    updated = check("hangarctl update (rename)", lambda: hangarctl(cfg, "update", acct, wid, "--set", f"name={name}-2"))
    if updated is not None:
        check("renamed", lambda: expect(updated["name"], f"{name}-2"))
    check("hangarctl delete --wait", lambda: hangarctl(cfg, "delete", acct, wid, "--yes", "--wait", "--timeout", "60"))
    check("hangarctl account rm", lambda: hangarctl(cfg, "account", "rm", acct))


if __name__ == "__main__":
    sys.exit(steps.run("anyscale", "the anyscale SDK", sdk_scenario, hangarctl_scenario))
