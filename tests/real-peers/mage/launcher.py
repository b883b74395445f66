"""Starts the open-source Mage server (mage-ai 0.9.80) as a Mage Pro test peer.

Workspace calls need a Kubernetes API. This launcher replaces the methods of Mage's
Kubernetes WorkloadManager with an in-memory table before the server starts, so the real
web handlers, policies, envelopes and workspace config files run unchanged while no cluster
is needed (contract shared/providers/mage-pro.md, section 10). The handlers run in this
process, which is why patching here reaches them.

    python launcher.py <project dir> <port>

Environment as for `mage start` (REQUIRE_USER_AUTHENTICATION, MAGE_DATA_DIR, DEFAULT_OWNER_*).
"""

import sys
import threading

from mage_ai.cluster_manager.kubernetes import workload_manager

_lock = threading.Lock()
# workload name -> {"name", "type", "status", "ip"}
_workloads = {}
_next_port = [30000]


def _listed():
    with _lock:
        return [dict(w) for w in _workloads.values()]


def _init(self, namespace="default"):
    self.namespace = namespace


def _list_workloads(self):
    return _listed()


def _list_all_workloads(cls):
    return _listed()


def _create_workload(self, name, workspace_config=None, initial_metadata=None, project_type=None, **kwargs):
    with _lock:
        if name in _workloads:
            raise Exception(f"statefulsets.apps \"{name}\" already exists")
        _next_port[0] += 1
        _workloads[name] = {"name": name, "type": "NodePort", "status": "RUNNING", "ip": f"127.0.0.1:{_next_port[0]}"}


def _patch_workload(self, name, workspace_config=None, update_workspace_settings=False, **kwargs):
    with _lock:
        if name not in _workloads:
            raise Exception(f"statefulsets.apps \"{name}\" not found")


def _set_status(name, status):
    with _lock:
        if name in _workloads:
            _workloads[name]["status"] = status


def _scale_down_workload(self, name):
    _set_status(name, "STOPPED")


def _restart_workload(self, name):
    _set_status(name, "RUNNING")


def _delete_workload(self, name, ingress_name=None, **kwargs):
    with _lock:
        _workloads.pop(name, None)


def _get_url_from_ingress(self, ingress_name, workload_name):
    return f"https://mage.example.test/{workload_name}"


def _add_service_to_ingress_paths(self, ingress_name, service_name, workload_name, **kwargs):
    return None


manager = workload_manager.WorkloadManager
manager.__init__ = _init
manager.list_workloads = _list_workloads
manager.list_all_workloads = classmethod(_list_all_workloads)
manager.create_workload = _create_workload
manager.patch_workload = _patch_workload
manager.scale_down_workload = _scale_down_workload
manager.restart_workload = _restart_workload
manager.delete_workload = _delete_workload
manager.get_url_from_ingress = _get_url_from_ingress
manager.add_service_to_ingress_paths = _add_service_to_ingress_paths


if __name__ == "__main__":
    project, port = sys.argv[1], sys.argv[2]
    from mage_ai.cli.main import app

    sys.argv = ["mage", "start", project, "--host", "127.0.0.1", "--port", port]
    app()
