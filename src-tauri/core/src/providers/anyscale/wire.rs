//! Anyscale's JSON (`/api/v2` console API and `/ext/v0` public API), as the 0.26.112 SDK's
//! generated models spell it. Unknown fields are ignored; everything the client can live
//! without is `Option`, so a backend that drops a field degrades a detail, not a listing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::providers::figures;

/// `{"result": …}`: every single-object answer.
#[derive(Debug, Deserialize)]
pub struct Envelope<T> {
    pub result: T,
}

/// `{"results": […], "metadata": {"next_paging_token": …}}`: every list answer.
#[derive(Debug, Deserialize)]
pub struct Page<T> {
    pub results: Vec<T>,
    #[serde(default)]
    pub metadata: Option<PageMetadata>,
}

#[derive(Debug, Default, Deserialize)]
pub struct PageMetadata {
    #[serde(default)]
    pub next_paging_token: Option<String>,
}

impl<T> Page<T> {
    pub fn next_token(&self) -> Option<&str> {
        self.metadata.as_ref().and_then(|m| m.next_paging_token.as_deref()).filter(|t| !t.is_empty())
    }
}

/// `ExperimentalWorkspace`.
#[derive(Debug, Clone, Deserialize)]
pub struct WireWorkspace {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub project_id: Option<String>,
    #[serde(default)]
    pub cloud_id: Option<String>,
    #[serde(default)]
    pub compute_config_id: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub creator_email: Option<String>,
    #[serde(default)]
    pub cluster_id: Option<String>,
    #[serde(default)]
    pub kuberay_cr_id: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub latest_started_at: Option<String>,
    #[serde(default, deserialize_with = "figures::whole_u32")]
    pub idle_timeout_minutes: Option<u32>,
    #[serde(default)]
    pub vscode_url: Option<String>,
    #[serde(default)]
    pub ray_dashboard_url: Option<String>,
}

impl WireWorkspace {
    pub fn state(&self) -> &str {
        self.state.as_deref().unwrap_or("")
    }

    pub fn is_kuberay(&self) -> bool {
        self.kuberay_cr_id.as_deref().is_some_and(|k| !k.is_empty())
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct MiniCloud {
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MiniUser {
    #[serde(default)]
    pub email: Option<String>,
}

/// `DecoratedSession`: the workspace's cluster. URLs are set only while it runs.
#[derive(Debug, Clone, Deserialize)]
pub struct DecoratedSession {
    #[serde(default)]
    pub compute_template_id: Option<String>,
    #[serde(default, deserialize_with = "figures::whole_u32")]
    pub idle_timeout: Option<u32>,
    #[serde(default, deserialize_with = "figures::whole")]
    pub idle_time_remaining_seconds: Option<i64>,
    #[serde(default)]
    pub jupyter_notebook_url: Option<String>,
    #[serde(default)]
    pub ray_dashboard_url: Option<String>,
    /// Its host is the cluster's HTTPS tunnel endpoint (`wss://<host>/sshws`).
    #[serde(default)]
    pub webterminal_auth_url: Option<String>,
    #[serde(default)]
    pub cloud: Option<MiniCloud>,
    #[serde(default)]
    pub creator: Option<MiniUser>,
}

#[derive(Debug, Deserialize)]
pub struct UserInfo {
    pub id: String,
}

/// `DecoratedCloud` (internal) and `Cloud` (external) share these fields.
#[derive(Debug, Clone, Deserialize)]
pub struct WireCloud {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub is_default: Option<bool>,
    #[serde(default)]
    pub compute_stack: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WireProject {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub is_default: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct NodeType {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_workers: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_workers: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_spot: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback_to_ondemand: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Value>,
}

/// `ComputeTemplateConfig` / `ClusterComputeConfig`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct ComputeConfig {
    #[serde(default)]
    pub cloud_id: Option<String>,
    #[serde(default)]
    pub head_node_type: Option<NodeType>,
    #[serde(default)]
    pub worker_node_types: Option<Vec<NodeType>>,
    #[serde(default)]
    pub auto_select_worker_config: Option<bool>,
}

/// `ComputeTemplate` / `DecoratedComputeTemplate` / `ClusterCompute`.
#[derive(Debug, Clone, Deserialize)]
pub struct ComputeTemplate {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub version: Option<u32>,
    #[serde(default)]
    pub config: Option<ComputeConfig>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct InstanceTypeGroup {
    #[serde(default)]
    pub instance_types: Vec<InstanceType>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct InstanceType {
    pub name: String,
    #[serde(default)]
    pub cpu_count: Option<f64>,
    #[serde(default)]
    pub memory_in_gib: Option<f64>,
    #[serde(default)]
    pub gpu_type: Option<String>,
    #[serde(default)]
    pub gpu_count: Option<u32>,
    /// What one node of this type costs per hour; 0 where Anyscale does not bill it in credits.
    #[serde(default, deserialize_with = "figures::number")]
    pub anyscale_credits_per_hour: Option<f64>,
}

/// `ClusterEnvironmentBuild` (and the answer of `get_or_create_build_from_image_uri`).
#[derive(Debug, Clone, Deserialize)]
pub struct Build {
    pub id: String,
    #[serde(default)]
    pub docker_image_name: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct CreateWorkspace<'a> {
    pub name: &'a str,
    pub project_id: &'a str,
    pub cloud_id: &'a str,
    pub compute_config_id: &'a str,
    pub cluster_environment_build_id: &'a str,
    pub idle_timeout_minutes: u32,
    pub skip_start: bool,
}

#[derive(Debug, Serialize)]
pub struct InlineComputeConfig<'a> {
    pub cloud_id: &'a str,
    pub head_node_type: NodeType,
    pub worker_node_types: Vec<NodeType>,
    pub auto_select_worker_config: bool,
    pub flags: BTreeMap<&'static str, Value>,
}

#[derive(Debug, Serialize)]
pub struct CreateComputeTemplate<'a> {
    pub config: InlineComputeConfig<'a>,
    pub anonymous: bool,
    pub new_version: bool,
}

#[derive(Debug, Serialize)]
pub struct BuildFromImageUri<'a> {
    pub image_uri: &'a str,
    pub ray_version: &'a str,
}

/// `StopSessionOptions`; `terminate`, `workers_only` and `keep_min_workers` are required.
#[derive(Debug, Serialize)]
pub struct StopSession {
    pub terminate: bool,
    pub workers_only: bool,
    pub keep_min_workers: bool,
    pub delete: bool,
    pub take_snapshot: bool,
}

impl StopSession {
    pub fn terminate() -> Self {
        StopSession {
            terminate: true,
            workers_only: false,
            keep_min_workers: false,
            delete: false,
            take_snapshot: false,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct PatchOp<'a> {
    pub op: &'static str,
    pub path: &'static str,
    pub value: &'a str,
}

/// `{"error": {"detail": "…"}}`; on 422 `detail` is a list of field errors and the
/// readable text is in `message`.
#[derive(Debug, Deserialize)]
pub struct ErrorBody {
    pub error: Option<ErrorDetail>,
}

#[derive(Debug, Deserialize)]
pub struct ErrorDetail {
    #[serde(default)]
    pub detail: Option<Value>,
    #[serde(default)]
    pub message: Option<String>,
}

/// `GET /api/v2/sessions/{cluster_id}/ssh_key`: the key the head node accepts.
#[derive(Deserialize)]
pub struct SshKey {
    pub private_key: String,
}

/// `GET /api/v2/kuberay/workloads/{workspace_id}/ssh_details`: a KubeRay workspace's tunnel in one call.
#[derive(Deserialize)]
pub struct KubeRaySshDetails {
    pub hostname: String,
    pub private_key: String,
    #[serde(default)]
    pub cluster_access_token: Option<String>,
}
