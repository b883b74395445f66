//! Mage Pro's workspace manager as typed calls: the cluster's API key (`X-API-KEY`) and a user
//! token (`OAUTH-TOKEN`, see `session`) on every call, `_http_error_codes=true` always, and
//! every answer checked for an error envelope before anything else.

use std::sync::{Arc, Mutex, MutexGuard};

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::auth::Token;
use super::errors::{bad, read_answer, Op, Refused};
use super::wire::{ActionFields, Statuses, WireWorkspace, WorkspaceOne, Wrapped};
use super::VENDOR;
use crate::error::{Error, Result};
use crate::http::{Http, RawResponse};
use crate::providers::rest::{secret_header, Call, Rest};
use crate::secrets::SecretStore;

/// What Mage's UI sends when the cluster does not say.
const DEFAULT_CLUSTER_TYPE: &str = "k8s";

pub(super) struct Session {
    pub rest: Rest,
    pub token: Option<Token>,
    /// `user.owner` of the last sign-in; unknown for a pasted token.
    pub owner: Option<bool>,
}

pub struct Client {
    pub(super) account: String,
    /// The account option `cluster_type`, when set.
    cluster_type_option: Option<String>,
    /// Email (or user name) and password; without them only a pasted token works.
    pub(super) login: Option<(String, String)>,
    pub(super) secrets: Arc<dyn SecretStore>,
    session: Mutex<Session>,
    /// One sign-in at a time: calls that meet an expired token together wait for one new one.
    pub(super) signing_in: tokio::sync::Mutex<()>,
    cluster_type: tokio::sync::OnceCell<String>,
}

impl Client {
    pub(super) fn new(
        http: Http,
        api_key: &str,
        login: Option<(String, String)>,
        token: Option<Token>,
        secrets: Arc<dyn SecretStore>,
        account: &crate::model::Account,
    ) -> Result<Self> {
        let mut rest = Rest::new(http, |r| r.status_error(None, None))
            .with_query("_http_error_codes", "true")
            .with_secret_header("x-api-key", api_key, "api_key", "API key")?;
        if let Some(t) = &token {
            rest.add_secret(&t.raw);
        }
        let cluster_type_option = account
            .options
            .get("cluster_type")
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
            .map(str::to_ascii_lowercase);
        Ok(Client {
            account: account.name.clone(),
            cluster_type_option,
            login,
            secrets,
            session: Mutex::new(Session { rest, token, owner: None }),
            signing_in: tokio::sync::Mutex::new(()),
            cluster_type: tokio::sync::OnceCell::new(),
        })
    }

    pub(super) fn session(&self) -> MutexGuard<'_, Session> {
        self.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn http(&self) -> Http {
        self.session().rest.http().clone()
    }

    /// The account option `cluster_type`, else `statuses[0].instance_type`, asked once.
    pub async fn cluster_type(&self) -> Result<String> {
        if let Some(t) = &self.cluster_type_option {
            return Ok(t.clone());
        }
        self.cluster_type
            .get_or_try_init(|| async {
                let answer = match self.exchange(Op::Statuses, Method::GET, &["statuses"], &[], None, None).await {
                    Ok(v) => v,
                    Err(Refused { error: Error::NotFound(m), .. }) => {
                        return Err(Error::invalid(
                            "base_url",
                            format!("{m}. Is {} the address of your Mage Pro cluster?", self.http().base()),
                        ))
                    }
                    Err(r) => return Err(r.error),
                };
                let statuses: Statuses = decode(answer, "GET /api/statuses")?;
                let first = statuses.statuses.into_iter().next().unwrap_or_default();
                Ok(first
                    .instance_type
                    .map(|t| t.trim().to_ascii_lowercase())
                    .filter(|t| !t.is_empty())
                    .unwrap_or_else(|| DEFAULT_CLUSTER_TYPE.into()))
            })
            .await
            .cloned()
    }

    /// One request, checked: the `error` key before anything.
    pub(super) async fn exchange(
        &self,
        op: Op,
        method: Method,
        path: &[&str],
        query: &[(&str, &str)],
        body: Option<&Value>,
        token: Option<&Token>,
    ) -> std::result::Result<Value, Refused> {
        let rest = self.session().rest.clone();
        let mut call = Call::new(method, path).query(query);
        if let Some(t) = token {
            call = call.header("oauth-token", secret_header(&t.raw, "oauth_token", "OAuth token")?);
        }
        if let Some(b) = body {
            call = call.json(b)?;
        }
        let resp: RawResponse = rest.send(call).await?;
        read_answer(op, &resp, self.login.is_some())
    }

    /// An authenticated workspace call: `cluster_type` in the query, a valid token, and one
    /// sign-in plus one retry when the server says the token died.
    pub(super) async fn call(&self, op: Op, method: Method, path: &[&str], body: Option<&Value>) -> Result<Value> {
        let cluster_type = self.cluster_type().await?;
        let query = [("cluster_type", cluster_type.as_str())];
        let mut token = self.usable_token().await?;
        for retried in [false, true] {
            match self.exchange(op, method.clone(), path, &query, body, Some(&token)).await {
                Err(Refused { token_refused: true, .. }) if !retried && self.login.is_some() => {
                    token = self.sign_in(Some(&token)).await?;
                }
                other => return other.map_err(|r| r.error),
            }
        }
        Err(Error::Internal("unreachable retry".into()))
    }

    /// The workspace list as it came; `workspaces` also checks each one can be addressed.
    pub(super) async fn workspace_list(&self) -> Result<Vec<WireWorkspace>> {
        let answer = self.call(Op::List, Method::GET, &["workspaces"], None).await?;
        Ok(decode::<super::wire::WorkspaceList>(answer, "GET /api/workspaces")?.workspaces)
    }

    pub(super) async fn workspaces(&self) -> Result<Vec<WireWorkspace>> {
        let list = self.workspace_list().await?;
        list.iter().try_for_each(|w| require_name(w, "GET /api/workspaces"))?;
        Ok(list)
    }

    /// The workspace as Mage Pro sends it, untyped (the details panel's raw record).
    pub(super) async fn workspace_record(&self, name: &str) -> Result<Value> {
        let mut answer = self.call(Op::Get, Method::GET, &["workspaces", name], None).await?;
        Ok(answer.get_mut("workspace").map(Value::take).unwrap_or(answer))
    }

    pub(super) async fn workspace(&self, name: &str) -> Result<WireWorkspace> {
        let answer = self.call(Op::Get, Method::GET, &["workspaces", name], None).await?;
        let w = decode::<WorkspaceOne>(answer, "GET /api/workspaces/{name}")?.workspace;
        require_name(&w, "GET /api/workspaces/{name}")?;
        Ok(w)
    }

    pub(super) async fn create(&self, body: &Value) -> Result<()> {
        let answer = self.call(Op::Create, Method::POST, &["workspaces"], Some(body)).await?;
        let created: super::wire::Created = decode(answer, "POST /api/workspaces")?;
        if created.workspace.get("success").and_then(Value::as_bool) == Some(false) {
            return Err(bad(&format!("{VENDOR} (POST /api/workspaces)"), "success: false without an error"));
        }
        Ok(())
    }

    /// PUT `{"workspace":{"action":…}}`. The answer is the state before the action; only a
    /// refusal is read from it.
    pub(super) async fn act(&self, op: Op, name: &str, mut fields: ActionFields) -> Result<()> {
        if self.cluster_type().await? == "ecs" && fields.task_arn.is_none() {
            fields.task_arn = self.workspace(name).await?.instance.and_then(|i| i.task_arn);
        }
        let body = serde_json::to_value(Wrapped { workspace: fields })
            .map_err(|e| Error::Internal(format!("action body: {e}")))?;
        self.call(op, Method::PUT, &["workspaces", name], Some(&body)).await.map(|_| ())
    }

    pub(super) async fn delete(&self, name: &str) -> Result<()> {
        self.call(Op::Delete, Method::DELETE, &["workspaces", name], None).await.map(|_| ())
    }
}

/// The wire type reads leniently, but `name` is a workspace's id: without it, the answer is bad.
pub(super) fn require_name(w: &WireWorkspace, what: &str) -> Result<()> {
    if w.name.trim().is_empty() {
        return Err(bad(&format!("{VENDOR} ({what})"), "a workspace without its required field `name`"));
    }
    Ok(())
}

pub(super) fn decode<T: DeserializeOwned>(v: Value, what: &str) -> Result<T> {
    crate::http::decode_value(v, &format!("{VENDOR} ({what})"))
}
