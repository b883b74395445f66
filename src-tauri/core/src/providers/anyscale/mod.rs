//! Anyscale: workspaces are Ray clusters ("sessions") behind a workspace row, reached through
//! the console API (`/api/v2`, what the SDK uses for workspaces) and the public API
//! (`/ext/v0`, defaults and compute configs). The workspace row's `state` is what list and
//! get show; the cluster is read only by `get`, for its URLs and idle facts.

mod client;
mod errors;
mod form;
mod lookups;
mod mapping;
#[cfg(test)]
mod props;
mod ssh;
mod states;
mod wire;

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use async_trait::async_trait;

use crate::error::{Error, Result};
use crate::form::{Form, FormValues};
use crate::http::Http;
use crate::model::{Account, Action, CredentialField, ProviderId, ProviderInfo, Workspace, WorkspaceState};
use crate::provider::{Provider, ProviderContext, ProviderKind};
use crate::ssh::SshHost;
use crate::tunnel::TunnelTarget;
use client::{Client, ClusterAction};
use form::{ComputePlan, ImagePlan, Offer};
use wire::{BuildFromImageUri, ComputeConfig, CreateWorkspace, InstanceType, WireWorkspace};

pub const DEFAULT_BASE_URL: &str = "https://console.anyscale.com";
const VENDOR: &str = "Anyscale";

/// The Anyscale provider kind, listed in `providers::KINDS`.
pub struct Kind;

impl ProviderKind for Kind {
    fn info(&self) -> ProviderInfo {
        ProviderInfo {
            id: ProviderId::Anyscale,
            display_name: "Anyscale".into(),
            default_base_url: Some(DEFAULT_BASE_URL.into()),
            base_url_required: false,
            credential_fields: vec![CredentialField {
                key: "token".into(),
                label: "CLI token or API key".into(),
                secret: true,
                required: true,
            }],
            has_names: true,
            browser_sign_in: false,
        }
    }

    fn connect(&self, ctx: ProviderContext) -> Result<std::sync::Arc<dyn Provider>> {
        Ok(std::sync::Arc::new(Anyscale::new(ctx)?))
    }
}

/// The SDK's own sanity check: `sss_…` (user CLI tokens) or `a…_…` (API keys).
fn check_token(token: &str) -> Result<()> {
    if token.starts_with("sss_") || (token.starts_with('a') && token.contains('_')) {
        Ok(())
    } else {
        Err(Error::invalid(
            "token",
            "this is not an Anyscale CLI token or API key (those start with 'sss_', or with 'a' and contain '_'); \
             create one on the console's API keys page",
        ))
    }
}

pub struct Anyscale {
    client: Client,
    account: Account,
    /// Compute config id → its node types; configs are immutable versions, so this never goes stale.
    computes: Mutex<HashMap<String, ComputeConfig>>,
    /// Cloud id → instance types with their hardware facts.
    catalogs: Mutex<HashMap<String, Vec<InstanceType>>>,
    /// Cloud and project ids → names, for the details only.
    names: Mutex<HashMap<String, String>>,
}

impl Anyscale {
    pub fn new(ctx: ProviderContext) -> Result<Self> {
        let base = ctx.base_url(&Kind.info())?;
        let token = ctx.secret("token")?.trim().to_string();
        check_token(&token)?;
        // The trimmed token is what goes on the wire, so it is what an echo would contain;
        // the client adds it to the redaction list.
        let http = Http::new(&base, VENDOR, &ctx.credentials, ctx.http)?;
        Ok(Anyscale {
            client: Client::new(http, &token),
            account: ctx.account,
            computes: Mutex::default(),
            catalogs: Mutex::default(),
            names: Mutex::default(),
        })
    }

    async fn act_on_cluster(&self, id: &str, action: Action) -> Result<()> {
        let w = self.client.workspace(id).await?;
        let raw = w.state().to_string();
        if !states::actions(&raw).contains(&action) {
            return Err(Error::Conflict(format!(
                "workspace '{}' is {} ({raw}); it cannot be {} now",
                w.name,
                states::normalize(&raw),
                if action == Action::Start { "started" } else { "terminated" }
            )));
        }
        let cluster = cluster_of(&w)?;
        let action = if action == Action::Start { ClusterAction::Start } else { ClusterAction::Terminate };
        self.client.cluster_action(cluster, action).await
    }
}

fn cluster_of(w: &WireWorkspace) -> Result<&str> {
    w.cluster_id.as_deref().filter(|c| !c.is_empty()).ok_or_else(|| Error::BadResponse {
        message: format!("Anyscale returned workspace '{}' without a cluster id", w.name),
    })
}

#[async_trait]
impl Provider for Anyscale {
    async fn verify(&self) -> Result<()> {
        let me = self.client.userinfo().await?;
        tracing::debug!(user = %me.id, "Anyscale token verified");
        Ok(())
    }

    async fn list(&self) -> Result<Vec<Workspace>> {
        let rows = self.client.workspaces().await?;
        let refs: Vec<&WireWorkspace> = rows.iter().collect();
        let computes: Vec<String> = rows.iter().filter_map(|w| w.compute_config_id.clone()).collect();
        self.learn(&refs, &computes).await;
        rows.iter().map(|w| self.decode(w, None)).collect()
    }

    async fn record(&self, id: &str) -> Result<serde_json::Value> {
        self.client.workspace_record(id).await
    }

    async fn get(&self, id: &str) -> Result<Workspace> {
        let w = self.client.workspace(id).await?;
        let session = self.session(&w).await;
        let computes: Vec<String> = session
            .as_ref()
            .and_then(|s| s.compute_template_id.clone())
            .into_iter()
            .chain(w.compute_config_id.clone())
            .collect();
        self.learn(&[&w], &computes).await;
        self.decode(&w, session.as_ref())
    }

    async fn ssh_host(&self, id: &str) -> Result<SshHost> {
        self.ssh_host_of(id).await
    }

    async fn tunnel(&self, id: &str) -> Result<TunnelTarget> {
        self.tunnel_of(id).await
    }

    async fn create_form(&self, selected: &BTreeMap<String, String>) -> Result<Form> {
        let clouds = self.clouds().await?;
        let chosen = selected
            .get(form::CLOUD)
            .filter(|c| clouds.iter().any(|k| &k.id == *c))
            .cloned()
            .or_else(|| clouds.iter().find(|c| c.is_default == Some(true)).map(|c| c.id.clone()))
            .or_else(|| clouds.first().map(|c| c.id.clone()))
            .ok_or_else(|| {
                Error::invalid(form::CLOUD, "this Anyscale organization has no cloud; set one up in the console first")
            })?;
        let (projects, computes, types, build) = tokio::join!(
            self.projects(&chosen),
            self.client.compute_configs(&chosen),
            self.catalog(&chosen),
            self.client.default_build(),
        );
        let projects = projects?;
        if projects.is_empty() {
            return Err(Error::invalid(
                form::PROJECT,
                "this cloud has no project you can use; create one in the console first",
            ));
        }
        let computes = computes?;
        // A K8s cloud may list no instance types: then only registered configs are offered.
        let instance_types = match types {
            Ok(t) => t,
            Err(Error::NotFound(_)) => vec![],
            Err(e) => return Err(e),
        };
        if computes.is_empty() && instance_types.is_empty() {
            return Err(Error::invalid(
                form::COMPUTE_CONFIG,
                "this cloud offers no compute config and no instance types; register a compute config first",
            ));
        }
        let default_build = match build {
            Ok(b) => Some(b),
            Err(Error::NotFound(_)) => None,
            Err(e) => return Err(e),
        };
        Ok(form::create_form(&Offer { clouds, cloud_id: chosen, projects, computes, instance_types, default_build }))
    }

    fn check_name(&self, name: &str) -> Result<()> {
        form::check_name(name)
    }

    async fn create(&self, name: &str, values: &FormValues) -> Result<Workspace> {
        let plan = form::plan(name, values)?;
        let compute_config_id = match &plan.compute {
            ComputePlan::Registered(id) => id.clone(),
            ComputePlan::Inline { head, worker } => {
                self.client.create_compute_config(&plan.cloud_id, head, worker.as_ref()).await?
            }
        };
        let build_id = match &plan.image {
            ImagePlan::Build(id) => id.clone(),
            ImagePlan::Uri { image_uri, ray_version } => {
                self.client.build_from_image(&BuildFromImageUri { image_uri, ray_version }).await?.id
            }
        };
        let body = CreateWorkspace {
            name,
            project_id: &plan.project_id,
            cloud_id: &plan.cloud_id,
            compute_config_id: &compute_config_id,
            cluster_environment_build_id: &build_id,
            idle_timeout_minutes: plan.idle_minutes,
            skip_start: !plan.start_now,
        };
        let w = self.client.create_workspace(&body).await?;
        self.learn(&[&w], &[compute_config_id]).await;
        self.decode(&w, None)
    }

    async fn start(&self, id: &str) -> Result<()> {
        self.act_on_cluster(id, Action::Start).await
    }

    async fn stop(&self, id: &str) -> Result<()> {
        self.act_on_cluster(id, Action::Stop).await
    }

    async fn delete(&self, id: &str) -> Result<()> {
        self.client.delete(id).await
    }

    async fn update_form(&self, id: &str) -> Result<Form> {
        let w = self.client.workspace(id).await?;
        Ok(form::update_form(&w.name, w.idle_timeout_minutes))
    }

    async fn update(&self, id: &str, values: &FormValues) -> Result<()> {
        let new_name = values.get(form::NAME).map(str::trim);
        if let Some(n) = new_name {
            form::check_name(n)?;
        }
        let idle = form::whole(values, form::IDLE_MINUTES, "Idle termination (minutes)")?;
        let w = self.client.workspace(id).await?;
        if states::normalize(w.state()) != WorkspaceState::Stopped {
            return Err(Error::Conflict(format!(
                "workspace '{}' is {} ({}); Anyscale changes the name and idle timeout only while it is terminated, so stop it first",
                w.name,
                states::normalize(w.state()),
                w.state()
            )));
        }
        if let Some(n) = new_name.filter(|n| *n != w.name) {
            self.client.rename(id, n).await?;
        }
        if let Some(minutes) = idle.filter(|m| Some(*m) != w.idle_timeout_minutes) {
            self.client.set_idle_timeout(cluster_of(&w)?, &minutes.to_string()).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
