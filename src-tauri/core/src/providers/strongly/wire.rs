//! Strongly.ai's JSON, as its Workspaces API page spells it: camelCase, resources as
//! Kubernetes quantity strings. Unknown fields are ignored; list items are summaries, so
//! everything beyond the few always-present keys is `Option`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Resources {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Owner {
    pub id: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WireWorkspace {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub status: String,
    pub environment_type: Option<String>,
    pub image: Option<String>,
    pub resources: Option<Resources>,
    pub organization_id: Option<String>,
    pub owner: Option<Owner>,
    pub owner_id: Option<String>,
    pub url: Option<String>,
    pub project_id: Option<String>,
    pub volume_ids: Option<Vec<String>>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct WorkspacePage {
    pub count: Option<u64>,
    pub limit: Option<u64>,
    #[serde(default)]
    pub workspaces: Vec<WireWorkspace>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateBody {
    pub name: String,
    pub description: String,
    pub environment_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Created {
    pub workspace_id: String,
}

/// Hangar changes only `resources`; the other documented fields stay unset.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct UpdateBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
}

/// The answer to start, stop, restart and sync. Only logged: the contract says to poll the
/// workspace rather than trust the `status` here.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionAnswer {
    pub message: Option<String>,
    pub workspace_id: Option<String>,
    pub status: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WireProject {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// `GET /projects` is implied by the docs, its shape is not: a wrapped list under `projects`
/// or `data`, or a bare array.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum ProjectList {
    Bare(Vec<WireProject>),
    Wrapped {
        #[serde(alias = "data")]
        projects: Vec<WireProject>,
    },
}

impl ProjectList {
    pub fn into_vec(self) -> Vec<WireProject> {
        match self {
            ProjectList::Bare(v) | ProjectList::Wrapped { projects: v } => v,
        }
    }
}

/// The error body is not published: `error` may be a message or an object, beside an optional
/// `message`, `code`, request id (top level or under `meta`) and field details.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ErrorBody {
    pub error: Option<ErrorValue>,
    pub message: Option<String>,
    pub code: Option<String>,
    #[serde(alias = "requestId")]
    pub request_id: Option<String>,
    pub meta: Option<Meta>,
    pub field: Option<String>,
    pub details: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum ErrorValue {
    Text(String),
    Detail(ErrorDetail),
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ErrorDetail {
    pub message: Option<String>,
    pub code: Option<String>,
    pub field: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Meta {
    #[serde(alias = "requestId")]
    pub request_id: Option<String>,
}
