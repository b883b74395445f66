"""exalsius conformance: the official `exalsius-api-client`, then `hangarctl`, against one demo cloud.

run.sh sets EXALSIUS_CLOUD (the demo's `{provider, account, base_url, credentials}`), HANGARCTL,
a throwaway HOME and a fake `xdg-open` that plays the browser for the sign-in.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
import steps  # noqa: E402
from steps import check, expect, hangarctl  # noqa: E402

CLOUD = json.loads(os.environ["EXALSIUS_CLOUD"])
BASE = CLOUD["base_url"]
TOKEN = CLOUD["credentials"]["access_token"]


def raises(exc_type, fn):
    try:
        fn()
    except exc_type as e:
        return e
    raise AssertionError(f"expected {exc_type.__name__}")


def until(fn, timeout=30.0, step=0.3):
    deadline = time.time() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError("timed out")
        time.sleep(step)


def client_scenario():
    from exalsius_api_client import ApiClient, ClustersApi, Configuration, ManagementApi, WorkspacesApi
    from exalsius_api_client.exceptions import ConflictException, NotFoundException, UnauthorizedException
    from exalsius_api_client.models.cluster_resources_list_response import ClusterResourcesListResponse
    from exalsius_api_client.models.node_hardware import NodeHardware
    from exalsius_api_client.models.workspace_create_request import WorkspaceCreateRequest
    from exalsius_api_client.models.workspace_delete_response import WorkspaceDeleteResponse
    from exalsius_api_client.models.workspace_log_payload import WorkspaceLogPayload
    from exalsius_api_client.models.workspace_template import WorkspaceTemplate
    from exalsius_api_client.models.workspace_template_list_response import WorkspaceTemplateListResponse

    api = ApiClient(Configuration(host=BASE, access_token=TOKEN))
    workspaces, clusters, management = WorkspacesApi(api), ClustersApi(api), ManagementApi(api)

    templates = check("client list_workspace_templates", lambda: management.list_workspace_templates())
    if templates is not None:
        check("templates are a WorkspaceTemplateListResponse", lambda: isinstance(templates, WorkspaceTemplateListResponse))
        check("template names", lambda: expect(
            "jupyter-notebook-template" in [t.name for t in templates.workspace_templates], True))
    every = check("client list_clusters", lambda: clusters.list_clusters())
    ready = check("client list_clusters(READY)", lambda: clusters.list_clusters(cluster_status="READY"))
    if every is None or ready is None:
        return
    check("READY filter", lambda: expect({c.cluster_status for c in ready.clusters}, {"READY"}))
    check("a non-READY cluster exists", lambda: len(every.clusters) > len(ready.clusters))
    lab = next(c for c in ready.clusters if c.name == "lab-cluster")
    check("client describe_cluster", lambda: expect(clusters.describe_cluster(lab.id).cluster.name, "lab-cluster"))
    res = check("client get_cluster_resources", lambda: clusters.get_cluster_resources(lab.id))
    if res is None:
        return
    check("resources are a ClusterResourcesListResponse", lambda: isinstance(res, ClusterResourcesListResponse))
    node = max(res.resources, key=lambda r: r.available.gpu_count or 0)
    check("free GPUs on a node", lambda: node.available.gpu_count > 0)

    listed = check("client list_workspaces_with_http_info", lambda: workspaces.list_workspaces_with_http_info())
    if listed is not None:
        check("list status 200", lambda: expect(listed.status_code, 200))
        headers = {k.lower(): v for k, v in (listed.headers or {}).items()}
        check("total matches X-Total-Count", lambda: expect(str(listed.data.total), headers["x-total-count"]))
        check("every seeded state validates", lambda: {w.workspace_status for w in listed.data.workspaces})
    check("cluster_id filter", lambda: expect(
        {w.cluster_id for w in workspaces.list_workspaces(cluster_id=lab.id).workspaces}, {lab.id}))

    name = f"probe-{uuid.uuid4().hex[:6]}"
    request = WorkspaceCreateRequest(
        name=name, cluster_id=lab.id,
        template=WorkspaceTemplate(name="jupyter-notebook-template",
                                   variables={"notebookPassword": "probe-pass", "deploymentNumReplicas": 1,
                                              "global": {"deploymentName": "", "deploymentNamespace": "default"}}),
        resources=NodeHardware(gpu_count=1, gpu_type=node.available.gpu_type, gpu_vendor=node.available.gpu_vendor,
                               cpu_cores=2, memory_gb=8, storage_gb=50),
        description="conformance probe")
    created = check("client create_workspace", lambda: workspaces.create_workspace(request))
    if created is None:
        return
    wid = created.workspace_id
    first = check("client describe_workspace", lambda: workspaces.describe_workspace(wid).workspace)
    if first is not None:
        check("new workspace is PENDING", lambda: expect(first.workspace_status, "PENDING"))
        check("created_at is a datetime", lambda: hasattr(first.created_at, "tzinfo"))
    running = check("RUNNING after deploy", lambda: until(
        lambda: (w := workspaces.describe_workspace(wid).workspace).workspace_status == "RUNNING" and w))
    if running is not None:
        check("NODE_PORT access", lambda: expect(running.access_information[0].access_type, "NODE_PORT"))
    check("create same name -> ConflictException with data", lambda: expect(
        raises(ConflictException, lambda: workspaces.create_workspace(request)).data.detail.status, 409))
    logs = check("client get_workspace_logs_without_preload_content",
                 lambda: workspaces.get_workspace_logs_without_preload_content(wid))
    if logs is not None:
        check("logs are NDJSON", lambda: expect(logs.headers["Content-Type"], "application/x-ndjson"))
        check("log lines parse", lambda: [WorkspaceLogPayload.from_json(line).pod_name
                                          for line in logs.data.decode().splitlines() if line.strip()])
    check("client stop_workspace", lambda: expect(workspaces.stop_workspace(wid).workspace_id, wid))
    check("STOPPED", lambda: expect(workspaces.describe_workspace(wid).workspace.workspace_status, "STOPPED"))
    check("client start_workspace", lambda: expect(workspaces.start_workspace(wid).workspace_id, wid))
    check("RUNNING again", lambda: until(
        lambda: workspaces.describe_workspace(wid).workspace.workspace_status == "RUNNING"))
    check("client delete_workspace", lambda: isinstance(workspaces.delete_workspace(wid), WorkspaceDeleteResponse))
    def gone():
        try:
            workspaces.describe_workspace(wid)
            return False
        except NotFoundException:
            return True

    check("DELETED, then gone", lambda: until(gone))
    check("404 problem is nested", lambda: expect(
        raises(NotFoundException, lambda: workspaces.describe_workspace(wid)).data.detail.status, 404))

    v1 = WorkspacesApi(ApiClient(Configuration(host=BASE + "/v1", access_token=TOKEN)))
    check("routes under /v1", lambda: v1.list_workspaces().total >= 3)
    wrong = WorkspacesApi(ApiClient(Configuration(host=BASE, access_token="eyJ.wrong.token")))
    check("wrong token -> UnauthorizedException", lambda: raises(UnauthorizedException, wrong.list_workspaces))


def device_login(config_dir, acct):
    """`account login --sign-in device`: confirm the printed code the way a user would."""
    cmd = [os.environ["HANGARCTL"], "--config-dir", config_dir, "--json", "account", "login", acct, "--sign-in", "device"]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for line in p.stderr:
            if line.startswith("(or open "):
                urllib.request.urlopen(line.strip()[len("(or open "):-1], timeout=10).read()
                break
        out, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    if p.returncode != 0:
        raise RuntimeError(f"login exited {p.returncode}: {err.strip()[:400]}")
    return json.loads(out)["result"]


def hangarctl_scenario():
    cfg = tempfile.mkdtemp(prefix="hangar-conformance-")
    acct = "demo-exalsius"
    check("hangarctl account add (pasted tokens, verified)", lambda: hangarctl(
        cfg, "account", "add", "exalsius", "--name", acct, "--base-url", BASE, "--option", f"auth_url={BASE}",
        stdin=json.dumps(CLOUD["credentials"])))
    form = check("hangarctl form", lambda: hangarctl(cfg, "form", acct))
    if form is not None:
        keys = [f["key"] for f in form["fields"]]
        check("form has cluster, template, hardware, variables", lambda: all(
            k in keys for k in ["cluster", "template", "gpu_type", "gpu_count", "cpu_cores", "var.notebookPassword"]))
        gpus = next(f for f in form["fields"] if f["key"] == "gpu_count")

        def too_many():
            err = str(raises(RuntimeError, lambda: hangarctl(
                cfg, "create", acct, "--name", "too-big", "--set", "gpu_count=9999", "--set", "var.notebookPassword=pw")))
            return '"field":"gpu_count"' in err.replace(" ", "") and f"maximum of {gpus['max']:g}" in err

        check("9999 GPUs is refused naming the field and the limit", too_many)
    name = f"ctl-{uuid.uuid4().hex[:6]}"
    created = check("hangarctl create --wait", lambda: hangarctl(
        cfg, "create", acct, "--name", name, "--set", "var.notebookPassword=ctl-pass", "--wait", "--timeout", "60"))
    if created is None:
        return
    wid = created["id"]
    check("created running", lambda: expect(created["state"], "running"))
    check("hangarctl ls contains it", lambda: wid in [w["id"] for w in hangarctl(cfg, "ls", "--account", acct)])
    check("hangarctl open browser --print", lambda: hangarctl(
        cfg, "open", acct, wid, "--target", "browser", "--print")["url"].startswith("http://127.0.0.1:"))
    stopped = check("hangarctl stop --wait", lambda: hangarctl(cfg, "stop", acct, wid, "--wait", "--timeout", "60"))
    if stopped is not None:
        check("stopped", lambda: expect(stopped["state"], "stopped"))
    check("hangarctl start --wait", lambda: expect(
        hangarctl(cfg, "start", acct, wid, "--wait", "--timeout", "60")["state"], "running"))
    check("hangarctl delete --wait", lambda: hangarctl(cfg, "delete", acct, wid, "--yes", "--wait", "--timeout", "60"))

    check("hangarctl account login --sign-in browser (PKCE)", lambda: expect(
        hangarctl(cfg, "account", "login", acct, "--sign-in", "browser")["result"], "signed in"))
    check("signed-in tokens work", lambda: hangarctl(cfg, "account", "test", acct))
    check("hangarctl account login --sign-in device", lambda: expect(device_login(cfg, acct), "signed in"))
    check("hangarctl account logout", lambda: hangarctl(cfg, "account", "logout", acct))
    check("signed out: test fails with exit 3", lambda: "exited 3" in str(
        raises(RuntimeError, lambda: hangarctl(cfg, "account", "test", acct))))
    check("hangarctl account rm", lambda: hangarctl(cfg, "account", "rm", acct))


if __name__ == "__main__":
    sys.exit(steps.run("exalsius", "exalsius-api-client", client_scenario, hangarctl_scenario))
