//! exalsius JSON (API 1.46.0, contract §3–§6): snake_case, single objects wrapped, lists as
//! `{"<plural>": […], "total": n}`. Reading is lenient (everything the app can live without is
//! optional, numbers may come as floats); requests drop `null`s, as the official client does.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::providers::figures;

/// `NodeHardware`, as read: workspace resources and cluster capacity alike.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct NodeHardware {
    #[serde(default)]
    pub gpu_count: Option<f64>,
    #[serde(default)]
    pub gpu_vendor: Option<String>,
    #[serde(default)]
    pub gpu_type: Option<String>,
    #[serde(default)]
    pub gpu_memory: Option<f64>,
    #[serde(default)]
    pub cpu_cores: Option<f64>,
    #[serde(default)]
    pub memory_gb: Option<f64>,
    #[serde(default)]
    pub storage_gb: Option<f64>,
}

/// `WorkspaceTemplate`. `variables` may echo secrets (passwords), so `Debug` leaves them out.
#[derive(Clone, Default, Deserialize)]
pub struct WireTemplate {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub variables: Option<Map<String, Value>>,
}

impl std::fmt::Debug for WireTemplate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WireTemplate").field("name", &self.name).finish_non_exhaustive()
    }
}

/// `WorkspaceAccessInformation`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct AccessInfo {
    #[serde(default)]
    pub access_type: Option<String>,
    #[serde(default)]
    pub access_protocol: Option<String>,
    #[serde(default)]
    pub access_description: Option<String>,
    #[serde(default)]
    pub port_name: Option<String>,
    #[serde(default)]
    pub port_number: Option<u32>,
    #[serde(default)]
    pub external_ips: Option<Vec<String>>,
}

/// `Workspace`.
#[derive(Debug, Clone, Deserialize)]
pub struct WireWorkspace {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub cluster_id: Option<String>,
    #[serde(default)]
    pub workspace_status: Option<String>,
    #[serde(default)]
    pub template: Option<WireTemplate>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub owner_username: Option<String>,
    #[serde(default)]
    pub owner_org_name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub access_information: Option<Vec<AccessInfo>>,
    #[serde(default)]
    pub resources: Option<NodeHardware>,
    #[serde(default, deserialize_with = "figures::time_text")]
    pub created_at: Option<String>,
    #[serde(default, deserialize_with = "figures::time_text")]
    pub to_be_deleted_at: Option<String>,
}

impl WireWorkspace {
    pub fn status(&self) -> &str {
        self.workspace_status.as_deref().unwrap_or("")
    }
}

#[derive(Debug, Deserialize)]
pub struct WorkspaceResponse {
    pub workspace: WireWorkspace,
}

#[derive(Debug, Deserialize)]
pub struct WorkspacesList {
    pub workspaces: Vec<WireWorkspace>,
    #[serde(default)]
    pub total: Option<u64>,
}

/// Create, delete, start and stop all answer `{"workspace_id": "…"}`.
#[derive(Debug, Deserialize)]
pub struct WorkspaceIdResponse {
    pub workspace_id: String,
}

/// `Cluster` (only what the wizard and the details use).
#[derive(Debug, Clone, Deserialize)]
pub struct WireCluster {
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    pub cluster_status: String,
    #[serde(default)]
    pub cluster_type: Option<String>,
    #[serde(default)]
    pub k8s_version: Option<String>,
    /// `{workspace_id, ...}` per workspace the cluster hosts; only counted.
    #[serde(default)]
    pub workspace_deployments: Option<Value>,
    /// What the cluster costs per hour and has cost so far (the API prices nodes in USD).
    #[serde(default, deserialize_with = "figures::number")]
    pub costs_per_hour: Option<f64>,
    #[serde(default, deserialize_with = "figures::number")]
    pub current_costs: Option<f64>,
}

#[derive(Debug, Deserialize)]
pub struct ClustersList {
    pub clusters: Vec<WireCluster>,
}

/// One node of `ClusterResourcesListResponse`; `available` is free capacity (contract §6.2).
#[derive(Debug, Clone, Deserialize)]
pub struct NodeResources {
    #[serde(default)]
    pub node_id: Option<String>,
    #[serde(default)]
    pub node_name: Option<String>,
    #[serde(default)]
    pub available: Option<NodeHardware>,
}

#[derive(Debug, Deserialize)]
pub struct ResourcesList {
    pub resources: Vec<NodeResources>,
}

#[derive(Debug, Deserialize)]
pub struct TemplatesList {
    pub workspace_templates: Vec<WireTemplate>,
}

/// `NodeHardware`, as sent: integers only, absent keys left out.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct HardwareRequest {
    pub gpu_count: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpu_vendor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpu_type: Option<String>,
    pub cpu_cores: u32,
    pub memory_gb: u32,
    pub storage_gb: u32,
}

#[derive(Serialize)]
pub struct TemplateRequest<'a> {
    pub name: &'a str,
    pub variables: &'a Map<String, Value>,
}

/// `WorkspaceCreateRequest`.
#[derive(Serialize)]
pub struct CreateWorkspace<'a> {
    pub name: &'a str,
    pub cluster_id: &'a str,
    pub template: TemplateRequest<'a>,
    pub resources: &'a HardwareRequest,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Contract §4.2.
    pub const WORKSPACE: &str = r#"{"workspace": {
      "id": "5b0f3c1e-2a47-4d8e-9c61-7f2e4a9b1d03",
      "name": "jupyter-brave-otter",
      "cluster_id": "3f0c9a4e-8d2b-4c1e-9f6a-2b7d5e8c1a90",
      "workspace_status": "RUNNING",
      "template": {"name": "jupyter-notebook-template", "description": "Jupyter Notebook", "variables": {"notebookPassword": "s3cret!"}},
      "owner": "auth0|65f0c2d1e4b0a1", "owner_username": "ada@example.com",
      "owner_org_id": "org_abc123", "owner_org_name": "Acme", "owner_teams": ["ml-team"],
      "description": "Workspace with 1 GPUs",
      "access_information": [{"access_type": "NODE_PORT", "access_protocol": "HTTP",
          "access_description": "Jupyter Notebook UI", "port_name": "http",
          "port_number": 31888, "external_ips": ["203.0.113.10"]}],
      "resources": {"gpu_count": 1, "gpu_vendor": "NVIDIA", "gpu_type": "L40", "gpu_memory": 48,
                    "cpu_cores": 13, "memory_gb": 54, "storage_gb": 170},
      "created_at": "2026-04-28T09:14:03Z"
    }}"#;

    #[test]
    fn the_contract_workspace_parses_and_hides_its_variables() {
        let w: WorkspaceResponse = serde_json::from_str(WORKSPACE).unwrap();
        let w = w.workspace;
        assert_eq!(w.status(), "RUNNING");
        assert_eq!(w.resources.as_ref().unwrap().gpu_count, Some(1.0));
        assert_eq!(w.access_information.as_ref().unwrap()[0].port_number, Some(31888));
        assert!(!format!("{w:?}").contains("s3cret!"));
    }

    #[test]
    fn the_openapi_list_example_parses_and_nulls_are_accepted() {
        let list = r#"{"workspaces": [
          {"id": "123e4567-e89b-12d3-a456-426614174000", "name": "my-workspace",
           "cluster_id": "123e4567-e89b-12d3-a456-426614174001", "workspace_status": "RUNNING",
           "template": {"name": "jupyter-notebook", "description": "Jupyter Notebook server template", "variables": {"notebook_port": "8888"}},
           "owner": "auth0|user123", "owner_username": "john.doe@example.com", "owner_org_id": "org_abc123",
           "owner_org_name": "Acme Inc", "owner_teams": ["platform", "ml-team"], "description": "My machine learning workspace",
           "resources": {"gpu_count": 1, "gpu_type": "A100", "gpu_vendor": "NVIDIA", "gpu_memory": 80, "cpu_cores": 4, "memory_gb": 16, "storage_gb": 100},
           "created_at": "2025-01-01T00:00:00Z", "to_be_deleted_at": "2025-02-01T00:00:00Z"},
          {"name": "no-id", "cluster_id": "c", "workspace_status": null, "template": {"name": "t", "variables": {}},
           "resources": {}, "access_information": [{"access_type": "NODE_PORT", "access_protocol": "TCP", "port_number": 22, "external_ips": null}]}],
         "total": 2}"#;
        let l: WorkspacesList = serde_json::from_str(list).unwrap();
        assert_eq!((l.workspaces.len(), l.total), (2, Some(2)));
        assert_eq!(l.workspaces[1].status(), "");
        assert_eq!(l.workspaces[1].id, None);
    }

    #[test]
    fn the_support_endpoints_examples_parse() {
        let clusters = r#"{"clusters": [{"id": "3f0c9a4e-8d2b-4c1e-9f6a-2b7d5e8c1a90", "name": "lab-cluster",
           "cluster_status": "READY", "cluster_type": "REMOTE", "created_at": "2026-04-20T08:00:00Z",
           "owner_username": "ada@example.com", "k8s_version": "1.30",
           "control_plane_node_ids": ["a"], "worker_node_ids": ["b"],
           "workspace_deployments": [{"workspace_id": "w", "workspace_name": "n", "workspace_template": "jupyter-notebook-template", "owner": "o"}],
           "costs_per_hour": 1.2, "current_costs": 30.5}], "total": 1}"#;
        let c: ClustersList = serde_json::from_str(clusters).unwrap();
        assert_eq!(c.clusters[0].cluster_status, "READY");
        let resources = r#"{"resources": [
          {"node_id": "123e4567-e89b-12d3-a456-426614174000", "node_name": "node1",
           "available": {"gpu_count": 1, "gpu_type": "A100", "gpu_vendor": "NVIDIA", "gpu_memory": 80, "cpu_cores": 4, "memory_gb": 16, "storage_gb": 225},
           "occupied": {"gpu_count": 0, "cpu_cores": 0, "memory_gb": 0, "storage_gb": 0}}], "total": 1}"#;
        let r: ResourcesList = serde_json::from_str(resources).unwrap();
        assert_eq!(r.resources[0].available.as_ref().unwrap().storage_gb, Some(225.0));
        let templates = r#"{"workspace_templates": [{"name": "jupyter-notebook", "description": "Jupyter Notebook server template",
           "variables": {"notebook_port": "8888"}}], "total": 1}"#;
        let t: TemplatesList = serde_json::from_str(templates).unwrap();
        assert_eq!(t.workspace_templates[0].variables.as_ref().unwrap()["notebook_port"], "8888");
    }

    #[test]
    fn a_create_request_serializes_like_the_contract_example() {
        let variables: Map<String, Value> = serde_json::from_str(
            r#"{"notebookPassword": "s3cret!", "deploymentImage": "ghcr.io/exalsius/jupyter-notebook:latest-nvidia",
                "global": {"deploymentName": "", "deploymentNamespace": "default"}, "deploymentNumReplicas": 1}"#,
        )
        .unwrap();
        let resources = HardwareRequest {
            gpu_count: 1,
            gpu_vendor: Some("NVIDIA".into()),
            gpu_type: Some("L40".into()),
            cpu_cores: 13,
            memory_gb: 54,
            storage_gb: 170,
        };
        let body = CreateWorkspace {
            name: "jupyter-brave-otter",
            cluster_id: "3f0c9a4e-8d2b-4c1e-9f6a-2b7d5e8c1a90",
            template: TemplateRequest { name: "jupyter-notebook-template", variables: &variables },
            resources: &resources,
            description: Some("Workspace with 1 GPUs"),
        };
        let expected: Value = serde_json::from_str(
            r#"{"name": "jupyter-brave-otter", "cluster_id": "3f0c9a4e-8d2b-4c1e-9f6a-2b7d5e8c1a90",
              "template": {"name": "jupyter-notebook-template",
                           "variables": {"notebookPassword": "s3cret!", "deploymentImage": "ghcr.io/exalsius/jupyter-notebook:latest-nvidia",
                                         "global": {"deploymentName": "", "deploymentNamespace": "default"},
                                         "deploymentNumReplicas": 1}},
              "resources": {"gpu_count": 1, "gpu_vendor": "NVIDIA", "gpu_type": "L40",
                            "cpu_cores": 13, "memory_gb": 54, "storage_gb": 170},
              "description": "Workspace with 1 GPUs"}"#,
        )
        .unwrap();
        assert_eq!(serde_json::to_value(&body).unwrap(), expected);
        let cpu_only = HardwareRequest { cpu_cores: 2, memory_gb: 8, storage_gb: 50, ..HardwareRequest::default() };
        assert_eq!(
            serde_json::to_value(&cpu_only).unwrap(),
            serde_json::json!({"gpu_count": 0, "cpu_cores": 2, "memory_gb": 8, "storage_gb": 50})
        );
    }
}
