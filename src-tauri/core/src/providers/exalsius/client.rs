//! The exalsius API as typed calls, each with the current access token: renewed shortly before
//! it expires, and once more after a 401, then retried once (see `session`).

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio::sync::RwLock;

use super::auth::AuthSettings;
use super::errors::error_of;
use super::session::Session;
use super::wire::{
    ClustersList, CreateWorkspace, ResourcesList, TemplatesList, WireWorkspace, WorkspaceIdResponse, WorkspaceResponse,
    WorkspacesList,
};
use crate::error::{Error, Result};
use crate::http::{Http, RawResponse};
use crate::providers::rest::{Call, Rest};
use crate::secrets::{Credentials, SecretStore};

/// Renew this long before the access token's expiry, so a call never starts with a dying token.
const REFRESH_MARGIN_SECS: i64 = 60;

pub struct Client {
    pub(super) account: String,
    pub(super) auth: AuthSettings,
    pub(super) secrets: Arc<dyn SecretStore>,
    pub(super) session: RwLock<Session>,
    /// One renewal at a time: with rotating refresh tokens a second one would sign the user out.
    pub(super) renewing: tokio::sync::Mutex<()>,
}

impl Client {
    pub fn new(
        http: Http,
        credentials: Credentials,
        auth: AuthSettings,
        secrets: Arc<dyn SecretStore>,
        account: &str,
    ) -> Self {
        let rest = Rest::new(http, error_of).with_header("accept", "application/json");
        Client {
            account: account.to_string(),
            auth,
            secrets,
            session: RwLock::new(Session::new(rest, credentials)),
            renewing: tokio::sync::Mutex::new(()),
        }
    }

    /// One API call with the bearer token, renewed when due or refused once.
    pub async fn call(&self, call: Call<'_>) -> Result<RawResponse> {
        let (_, token, expires, can_refresh) = self.current().await?;
        if can_refresh && expires.is_some_and(|e| chrono::Utc::now().timestamp() + REFRESH_MARGIN_SECS >= e) {
            self.renew(&token).await?;
        }
        let mut retried = false;
        loop {
            let (rest, token, _, _) = self.current().await?;
            let resp = rest.send(call.clone()).await?;
            match resp.status {
                401 if retried => {
                    let msg = self.signed_out_message("exalsius refused even a freshly renewed access token");
                    self.session.write().await.signed_out = Some(msg.clone());
                    return Err(Error::Unauthorized(msg));
                }
                401 => {
                    self.renew(&token).await?;
                    retried = true;
                }
                _ => return rest.check(resp),
            }
        }
    }

    async fn get<T: DeserializeOwned>(&self, path: &[&str], query: &[(&str, &str)]) -> Result<T> {
        self.call(Call::get(path).query(query)).await?.json()
    }

    async fn post<T: DeserializeOwned>(&self, path: &[&str], body: &impl Serialize) -> Result<T> {
        self.call(Call::post(path).json(body)?).await?.json()
    }

    pub async fn workspaces(&self) -> Result<WorkspacesList> {
        self.get(&["workspaces"], &[]).await
    }

    /// The workspace as exalsius sends it, untyped (the details panel's raw record).
    pub async fn workspace_record(&self, id: &str) -> Result<serde_json::Value> {
        let mut answer: serde_json::Value = self.get(&["workspace", id], &[]).await?;
        Ok(answer.get_mut("workspace").map(serde_json::Value::take).unwrap_or(answer))
    }

    pub async fn workspace(&self, id: &str) -> Result<WireWorkspace> {
        Ok(self.get::<WorkspaceResponse>(&["workspace", id], &[]).await?.workspace)
    }

    pub async fn clusters(&self, query: &[(&str, &str)]) -> Result<ClustersList> {
        self.get(&["clusters"], query).await
    }

    pub async fn templates(&self) -> Result<TemplatesList> {
        self.get(&["management", "workspace-templates"], &[]).await
    }

    pub async fn resources(&self, cluster_id: &str) -> Result<ResourcesList> {
        self.get(&["cluster", cluster_id, "resources"], &[]).await
    }

    pub async fn create(&self, body: &CreateWorkspace<'_>) -> Result<WorkspaceIdResponse> {
        self.post(&["workspaces"], body).await
    }

    /// Start and stop: a state or template the server will not change this way is a conflict.
    pub async fn transition(&self, id: &str, verb: &str) -> Result<()> {
        match self.call(Call::post(&["workspace", id, verb])).await {
            Err(Error::InvalidInput { message, .. }) => Err(Error::Conflict(message)),
            Err(e) => Err(e),
            Ok(resp) => {
                let answer: WorkspaceIdResponse = resp.json()?;
                tracing::debug!(id = %answer.workspace_id, verb, "exalsius accepted");
                Ok(())
            }
        }
    }

    pub async fn delete(&self, id: &str) -> Result<()> {
        let _: WorkspaceIdResponse = self.call(Call::delete(&["workspace", id])).await?.json()?;
        Ok(())
    }
}
