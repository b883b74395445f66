//! Anyscale's endpoints as typed calls: the console API (`/api/v2`, what the SDK uses for
//! workspaces) and the public API (`/ext/v0`), with a Bearer token.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};
use url::Url;

use super::errors::error_of;
use super::wire::{
    Build, BuildFromImageUri, ComputeTemplate, CreateComputeTemplate, CreateWorkspace, DecoratedSession, Envelope,
    InlineComputeConfig, InstanceTypeGroup, KubeRaySshDetails, NodeType, Page, PatchOp, SshKey, StopSession, UserInfo,
    WireCloud, WireProject, WireWorkspace,
};
use super::{form, VENDOR};
use crate::error::{Error, Result};
use crate::http::Http;
use crate::providers::paging::{self, paginate, Listing};
use crate::providers::rest::{Call, Rest};

/// The generated client refuses more than 50 workspaces per page; the backend likely does too.
const PAGE_SIZE: &str = "50";
const MAX_PAGES: usize = 1000;

/// Every path Hangar calls, in one place: `/api/v2` is the console's unversioned API.
mod paths {
    pub const USERINFO: [&str; 4] = ["api", "v2", "userinfo", ""];
    pub const WORKSPACES: [&str; 4] = ["api", "v2", "experimental_workspaces", ""];
    pub const CLOUDS: [&str; 4] = ["api", "v2", "clouds", ""];
    pub const PROJECTS: [&str; 4] = ["api", "v2", "projects", ""];
    pub const COMPUTE_TEMPLATES: [&str; 4] = ["api", "v2", "compute_templates", ""];
    pub const COMPUTE_SEARCH: [&str; 4] = ["ext", "v0", "cluster_computes", "search"];
    pub const DEFAULT_BUILD: [&str; 4] = ["ext", "v0", "cluster_environment_builds", "default"];
    pub const BUILD_FROM_IMAGE: [&str; 4] = ["api", "v2", "builds", "get_or_create_build_from_image_uri"];

    pub fn workspace(id: &str) -> [&str; 4] {
        ["api", "v2", "experimental_workspaces", id]
    }
    pub fn session(id: &str) -> [&str; 4] {
        ["api", "v2", "decorated_sessions", id]
    }
    pub fn session_action<'a>(id: &'a str, action: &'a str) -> [&'a str; 5] {
        ["api", "v2", "sessions", id, action]
    }
    pub fn compute_template(id: &str) -> [&str; 4] {
        ["api", "v2", "compute_templates", id]
    }
    pub fn instance_types(cloud_id: &str) -> [&str; 5] {
        ["api", "v2", "clouds", cloud_id, "additional_instance_types"]
    }
    pub fn project(id: &str) -> [&str; 4] {
        ["api", "v2", "projects", id]
    }
    pub fn cluster_access_token(cluster_id: &str) -> [&str; 5] {
        ["api", "v2", "authentication", cluster_id, "cluster_access_token"]
    }
    pub fn kuberay_ssh_details(workspace_id: &str) -> [&str; 6] {
        ["api", "v2", "kuberay", "workloads", workspace_id, "ssh_details"]
    }
}

pub struct Client {
    rest: Rest,
}

/// Whether a cluster is to start, or to terminate.
pub enum ClusterAction {
    Start,
    Terminate,
}

impl Client {
    /// Bearer, not the SDK's `cli_token` cookie: the console API accepts both (Anyscale's
    /// Terraform provider uses only Bearer), and one standard header is one thing to redact
    /// and one thing reqwest strips on a cross-host redirect.
    pub fn new(http: Http, token: &str) -> Self {
        Client { rest: Rest::new(http, error_of).with_bearer(token) }
    }

    /// A page of the console, for links.
    pub fn console_url(&self, path: &[&str]) -> Url {
        self.rest.http().endpoint(path)
    }

    pub async fn userinfo(&self) -> Result<UserInfo> {
        Ok(self.rest.get::<Envelope<UserInfo>>(&paths::USERINFO, &[]).await?.result)
    }

    /// Every workspace row, following paging tokens.
    pub async fn workspaces(&self) -> Result<Vec<WireWorkspace>> {
        let listing = Listing { vendor: VENDOR, what: "workspaces", max_pages: MAX_PAGES };
        paginate(
            listing,
            |w: &WireWorkspace| w.id.clone(),
            |token: Option<String>| async move {
                let mut query = vec![("count", PAGE_SIZE)];
                if let Some(t) = &token {
                    query.push(("paging_token", t.as_str()));
                }
                let page: Page<WireWorkspace> = self.rest.get(&paths::WORKSPACES, &query).await?;
                let next = page.next_token().map(str::to_string);
                Ok(paging::Page { items: page.results, next })
            },
        )
        .await
    }

    /// The workspace as Anyscale sends it, untyped (the details panel's raw record).
    pub async fn workspace_record(&self, id: &str) -> Result<Value> {
        Ok(self.rest.get::<Envelope<Value>>(&paths::workspace(id), &[]).await?.result)
    }

    pub async fn workspace(&self, id: &str) -> Result<WireWorkspace> {
        Ok(self.rest.get::<Envelope<WireWorkspace>>(&paths::workspace(id), &[]).await?.result)
    }

    pub async fn session(&self, cluster: &str) -> Result<DecoratedSession> {
        Ok(self.rest.get::<Envelope<DecoratedSession>>(&paths::session(cluster), &[]).await?.result)
    }

    pub async fn clouds(&self) -> Result<Vec<WireCloud>> {
        Ok(self.rest.get::<Page<WireCloud>>(&paths::CLOUDS, &[("count", PAGE_SIZE)]).await?.results)
    }

    pub async fn projects(&self, cloud_id: &str) -> Result<Vec<WireProject>> {
        let query = [("parent_cloud_id", cloud_id), ("include_defaults", "true"), ("count", PAGE_SIZE)];
        Ok(self.rest.get::<Page<WireProject>>(&paths::PROJECTS, &query).await?.results)
    }

    pub async fn project(&self, id: &str) -> Result<WireProject> {
        Ok(self.rest.get::<Envelope<WireProject>>(&paths::project(id), &[]).await?.result)
    }

    pub async fn instance_types(&self, cloud_id: &str) -> Result<Vec<InstanceTypeGroup>> {
        Ok(self.rest.get::<Page<InstanceTypeGroup>>(&paths::instance_types(cloud_id), &[]).await?.results)
    }

    pub async fn compute_template(&self, id: &str) -> Result<ComputeTemplate> {
        Ok(self.rest.get::<Envelope<ComputeTemplate>>(&paths::compute_template(id), &[]).await?.result)
    }

    /// The cloud's registered compute configs.
    pub async fn compute_configs(&self, cloud_id: &str) -> Result<Vec<ComputeTemplate>> {
        let search = json!({"cloud_id": cloud_id, "include_anonymous": false, "paging": {"count": 50}});
        Ok(self.rest.post::<Page<ComputeTemplate>>(&paths::COMPUTE_SEARCH, &search).await?.results)
    }

    pub async fn default_build(&self) -> Result<Build> {
        let query = [("python_version", form::DEFAULT_PYTHON), ("ray_version", form::DEFAULT_RAY)];
        Ok(self.rest.get::<Envelope<Build>>(&paths::DEFAULT_BUILD, &query).await?.result)
    }

    pub async fn build_from_image(&self, body: &BuildFromImageUri<'_>) -> Result<Build> {
        Ok(self.rest.post::<Envelope<Build>>(&paths::BUILD_FROM_IMAGE, body).await?.result)
    }

    /// Registers an anonymous compute config of one head and at most one worker group; its id.
    pub async fn create_compute_config(
        &self,
        cloud_id: &str,
        head: &str,
        worker: Option<&(String, u32)>,
    ) -> Result<String> {
        let node = |name: &str, instance_type: &str| NodeType {
            name: name.into(),
            instance_type: Some(instance_type.into()),
            ..NodeType::default()
        };
        // The head takes no Ray tasks when there are workers to run them.
        let mut head_node = node("head-node", head);
        if worker.is_some() {
            head_node.resources = Some(json!({"cpu": 0, "gpu": 0}));
        }
        let workers = worker
            .iter()
            .map(|(t, max)| NodeType {
                min_workers: Some(0),
                max_workers: Some(*max),
                use_spot: Some(false),
                fallback_to_ondemand: Some(false),
                ..node("worker", t)
            })
            .collect();
        let body = CreateComputeTemplate {
            config: InlineComputeConfig {
                cloud_id,
                head_node_type: head_node,
                worker_node_types: workers,
                auto_select_worker_config: false,
                flags: BTreeMap::from([("allow-cross-zone-autoscaling", json!(false))]),
            },
            anonymous: true,
            new_version: true,
        };
        Ok(self.rest.post::<Envelope<ComputeTemplate>>(&paths::COMPUTE_TEMPLATES, &body).await?.result.id)
    }

    pub async fn create_workspace(&self, body: &CreateWorkspace<'_>) -> Result<WireWorkspace> {
        Ok(self.rest.post::<Envelope<WireWorkspace>>(&paths::WORKSPACES, body).await?.result)
    }

    pub async fn delete(&self, id: &str) -> Result<()> {
        self.rest.call(Call::delete(&paths::workspace(id))).await.map(|_| ())
    }

    pub async fn rename(&self, id: &str, name: &str) -> Result<()> {
        let ops = [PatchOp { op: "replace", path: "/name", value: name }];
        self.rest.call(Call::patch(&paths::workspace(id)).json(&ops)?).await.map(|_| ())
    }

    pub async fn set_idle_timeout(&self, cluster: &str, minutes: &str) -> Result<()> {
        let path = paths::session_action(cluster, "cluster_config_with_session_idle_timeout");
        let call = Call::put(&path).query(&[("idle_timeout", minutes)]).retry_safe();
        self.rest.call(call).await.map(|_| ())
    }

    pub async fn cluster_action(&self, cluster: &str, action: ClusterAction) -> Result<()> {
        let (verb, body) = match action {
            ClusterAction::Start => ("start", json!({})),
            ClusterAction::Terminate => ("stop", to_value(&StopSession::terminate())?),
        };
        let path = paths::session_action(cluster, verb);
        match self.rest.call(Call::post(&path).json(&body)?).await {
            // A state the backend refuses to leave this way is a conflict, not bad input.
            Err(Error::InvalidInput { message, .. }) => Err(Error::Conflict(message)),
            other => other.map(|_| ()),
        }
    }

    pub async fn ssh_key(&self, cluster: &str) -> Result<SshKey> {
        Ok(self.rest.get::<Envelope<SshKey>>(&paths::session_action(cluster, "ssh_key"), &[]).await?.result)
    }

    /// A bare JSON string, no envelope.
    pub async fn cluster_access_token(&self, cluster: &str) -> Result<String> {
        self.rest.get(&paths::cluster_access_token(cluster), &[]).await
    }

    pub async fn kuberay_ssh_details(&self, workspace_id: &str) -> Result<KubeRaySshDetails> {
        Ok(self.rest.get::<Envelope<KubeRaySshDetails>>(&paths::kuberay_ssh_details(workspace_id), &[]).await?.result)
    }
}

pub(super) fn to_value(body: &impl Serialize) -> Result<Value> {
    serde_json::to_value(body).map_err(|e| Error::Internal(format!("request body: {e}")))
}
