//! Mage's JSON (contract §3–§5): `{"workspace": …}` / `{"workspaces": […]}` envelopes both
//! ways, `{"error": …}` instead of them on failure (with HTTP 200 unless asked otherwise).
//! Every workspace field but `name` may be null or absent.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::providers::figures;

#[derive(Debug, Deserialize)]
pub struct WorkspaceList {
    /// Required: an answer without it is not a list, never an empty one.
    pub workspaces: Vec<WireWorkspace>,
}

#[derive(Debug, Deserialize)]
pub struct WorkspaceOne {
    pub workspace: WireWorkspace,
}

/// Create answers `{"workspace":{"success":true}}`, no object.
#[derive(Debug, Deserialize)]
pub struct Created {
    pub workspace: Value,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct WireWorkspace {
    pub name: String,
    pub project_uuid: Option<String>,
    pub lifecycle_config: Option<LifecycleConfig>,
    pub instance: Option<Instance>,
    pub namespace: Option<String>,
    pub container_config: Option<String>,
    pub ingress_name: Option<String>,
    pub pvc_retention_policy: Option<String>,
    pub service_account_name: Option<String>,
    pub storage_access_mode: Option<String>,
    pub storage_class_name: Option<String>,
    pub storage_request_size: Option<Value>,
    pub url: Option<String>,
    pub cluster_name: Option<String>,
    pub task_definition: Option<String>,
    pub container_name: Option<String>,
    pub project_id: Option<String>,
    pub region: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Instance {
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub status: Option<String>,
    pub ip: Option<String>,
    pub task_arn: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct LifecycleConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_policy: Option<TerminationPolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_start_script_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_start: Option<Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct TerminationPolicy {
    #[serde(default, deserialize_with = "figures::flag", skip_serializing_if = "Option::is_none")]
    pub enable_auto_termination: Option<bool>,
    #[serde(default, deserialize_with = "figures::whole_u64", skip_serializing_if = "Option::is_none")]
    pub max_idle_seconds: Option<u64>,
}

/// `POST /workspaces` body inside `{"workspace": …}`: only the policy's writable fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateFields {
    pub name: String,
    pub cluster_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_config: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_request_size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_access_mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ingress_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifecycle_config: Option<LifecycleConfig>,
}

/// `PUT /workspaces/{name}` body inside `{"workspace": …}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ActionFields {
    pub action: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_config: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifecycle_config: Option<LifecycleConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_workspace_settings: Option<bool>,
    /// ECS stop/resume/delete name the task (contract §4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_arn: Option<String>,
}

impl ActionFields {
    pub fn named(action: &str) -> Self {
        ActionFields { action: action.into(), ..ActionFields::default() }
    }
}

#[derive(Debug, Serialize)]
pub struct Wrapped<T> {
    pub workspace: T,
}

#[derive(Debug, Deserialize)]
pub struct Statuses {
    pub statuses: Vec<Status>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Status {
    pub instance_type: Option<String>,
    pub project_type: Option<String>,
    pub require_user_authentication: Option<bool>,
}

#[derive(Serialize)]
pub struct SessionRequest<'a> {
    pub session: Login<'a>,
}

/// `email` or `username`, and the password. `Debug` is deliberately absent.
#[derive(Serialize)]
pub struct Login<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<&'a str>,
    pub password: &'a str,
}

#[derive(Deserialize)]
pub struct SessionAnswer {
    pub session: Session,
}

#[derive(Deserialize)]
pub struct Session {
    pub token: String,
    #[serde(default)]
    pub user: Option<SessionUser>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SessionUser {
    pub username: Option<String>,
    pub email: Option<String>,
    pub owner: Option<bool>,
    pub roles_display: Option<String>,
}

/// The `error` object. `code` is a number on every path seen; a string is tolerated.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WireError {
    pub code: Option<Value>,
    pub message: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub errors: Option<Value>,
    pub exception: Option<String>,
}

impl WireError {
    pub fn code(&self) -> Option<u16> {
        match self.code.as_ref()? {
            Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
}
