//! Aether's JSON, as its API reference spells it. Unknown fields are ignored; fields that
//! are null until provisioned are `Option`.

use serde::{Deserialize, Serialize};

use crate::providers::figures;

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct WireHardware {
    pub cpu_kind: Option<String>,
    pub cpus: Option<u32>,
    pub memory_mb: Option<u64>,
    pub volume_size_gb: Option<u32>,
    pub gpu_kind: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WireWorkspace {
    pub id: String,
    pub project_id: String,
    pub status: String,
    #[serde(default)]
    pub hardware: Option<WireHardware>,
    #[serde(default, deserialize_with = "figures::flag")]
    pub keep_active: Option<bool>,
    #[serde(default)]
    pub machine_id: Option<String>,
    #[serde(default)]
    pub git_ref: Option<String>,
    #[serde(default)]
    pub preview_token: Option<String>,
    #[serde(default)]
    pub error_message: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct WorkspaceList {
    pub workspaces: Vec<WireWorkspace>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WireProject {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub struct ProjectList {
    pub projects: Vec<WireProject>,
}

#[derive(Debug, Deserialize)]
pub struct Settings {
    pub default_hardware: Option<WireHardware>,
}

#[derive(Debug, Serialize)]
pub struct CreateBody {
    pub hardware: WireHardware,
    pub keep_active: bool,
}

#[derive(Debug, Deserialize)]
pub struct FieldError {
    pub field: Option<String>,
    pub message: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ErrorBody {
    pub error: Option<String>,
    pub errors: Option<Vec<FieldError>>,
}
