//! Aether's endpoints as typed calls: a Bearer token, JSON errors `{error, errors[]}`.

use std::collections::HashMap;

use url::Url;

use super::wire::{
    CreateBody, ErrorBody, ProjectList, Settings, WireHardware, WireProject, WireWorkspace, WorkspaceList,
};
use crate::error::{Error, Result};
use crate::http::{Http, RawResponse};
use crate::providers::rest::{Call, Rest};

pub struct Client {
    rest: Rest,
}

impl Client {
    pub fn new(http: Http, token: &str) -> Self {
        Client { rest: Rest::new(http, error_of).with_bearer(token) }
    }

    pub fn base(&self) -> &Url {
        self.rest.base()
    }

    pub async fn verify(&self) -> Result<()> {
        match self.rest.call(Call::get(&["profile"])).await {
            // Older deployments have no /profile; /projects proves the token as well.
            Err(Error::NotFound(_)) => self.projects().await.map(|_| ()),
            other => other.map(|_| ()),
        }
    }

    pub async fn projects(&self) -> Result<Vec<WireProject>> {
        Ok(self.rest.get::<ProjectList>(&["projects"], &[]).await?.projects)
    }

    pub async fn project_names(&self) -> HashMap<String, String> {
        // Names only decorate the label; a failing projects call must not hide the workspaces.
        self.projects().await.map(|ps| ps.into_iter().map(|p| (p.id, p.name)).collect()).unwrap_or_default()
    }

    pub async fn workspaces(&self) -> Result<Vec<WireWorkspace>> {
        Ok(self.rest.get::<WorkspaceList>(&["workspaces"], &[]).await?.workspaces)
    }

    pub async fn workspace(&self, id: &str) -> Result<WireWorkspace> {
        self.rest.get(&["workspaces", id], &[]).await
    }

    /// The workspace as Aether sends it, untyped (the details panel's raw record).
    pub async fn workspace_record(&self, id: &str) -> Result<serde_json::Value> {
        self.rest.get(&["workspaces", id], &[]).await
    }

    /// The account's default hardware, where its settings can be read.
    pub async fn default_hardware(&self) -> Option<WireHardware> {
        self.rest.get::<Settings>(&["user", "settings"], &[]).await.ok().and_then(|s| s.default_hardware)
    }

    pub async fn create(&self, project: &str, body: &CreateBody) -> Result<WireWorkspace> {
        self.rest.post(&["projects", project, "workspaces"], body).await
    }

    /// Start/stop answer 400 when the state does not allow the action: that is a conflict.
    pub async fn transition(&self, id: &str, verb: &str) -> Result<()> {
        match self.rest.call(Call::post(&["workspaces", id, verb])).await {
            Err(Error::InvalidInput { message, .. }) => Err(Error::Conflict(message)),
            other => other.map(|_| ()),
        }
    }

    pub async fn delete(&self, id: &str) -> Result<()> {
        self.rest.call(Call::delete(&["workspaces", id])).await.map(|_| ())
    }
}

pub(super) fn error_of(resp: &RawResponse) -> Error {
    let body: Option<ErrorBody> = serde_json::from_str(&resp.body).ok();
    let (message, field) = match body {
        Some(ErrorBody { error, errors: Some(errs), .. }) if !errs.is_empty() => {
            let field = errs.iter().find_map(|e| e.field.clone());
            let list: Vec<String> = errs
                .iter()
                .map(|e| {
                    format!("{}: {}", e.field.as_deref().unwrap_or("?"), e.message.as_deref().unwrap_or("invalid"))
                })
                .collect();
            (Some(format!("{} ({})", error.unwrap_or_else(|| "Validation failed".into()), list.join("; "))), field)
        }
        Some(ErrorBody { error, .. }) => (error, None),
        None => (None, None),
    };
    resp.status_error(message, field)
}
