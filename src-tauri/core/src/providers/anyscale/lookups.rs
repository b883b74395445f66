//! What Anyscale's workspace rows refer to, looked up once and kept: compute configs (immutable
//! versions), each cloud's instance-type catalog, and cloud and project names for the details.

use std::collections::HashSet;

use super::mapping::{credits, to_hardware, Credits};
use super::wire::{DecoratedSession, InstanceType, WireCloud, WireProject, WireWorkspace};
use super::Anyscale;
use crate::error::Result;
use crate::model::Hardware;

impl Anyscale {
    /// The cluster behind a VM workspace; it only decorates, so a failure hides links, not the workspace.
    pub(super) async fn session(&self, w: &WireWorkspace) -> Option<DecoratedSession> {
        let cluster = w.cluster_id.as_deref().filter(|c| !c.is_empty() && !w.is_kuberay())?;
        match self.client.session(cluster).await {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::debug!(error = %e, "Anyscale cluster lookup failed");
                None
            }
        }
    }

    pub(super) async fn clouds(&self) -> Result<Vec<WireCloud>> {
        let clouds = self.client.clouds().await?;
        if let Ok(mut names) = self.names.lock() {
            names.extend(clouds.iter().map(|c| (c.id.clone(), c.name.clone())));
        }
        Ok(clouds)
    }

    pub(super) async fn projects(&self, cloud_id: &str) -> Result<Vec<WireProject>> {
        let projects = self.client.projects(cloud_id).await?;
        if let Ok(mut names) = self.names.lock() {
            names.extend(projects.iter().map(|p| (p.id.clone(), p.name.clone())));
        }
        Ok(projects)
    }

    pub(super) async fn catalog(&self, cloud_id: &str) -> Result<Vec<InstanceType>> {
        if let Some(c) = self.catalogs.lock().ok().and_then(|m| m.get(cloud_id).cloned()) {
            return Ok(c);
        }
        let groups = self.client.instance_types(cloud_id).await?;
        let mut types: Vec<InstanceType> = vec![];
        for t in groups.into_iter().flat_map(|g| g.instance_types) {
            if !types.iter().any(|k| k.name == t.name) {
                types.push(t);
            }
        }
        if let Ok(mut m) = self.catalogs.lock() {
            m.insert(cloud_id.to_string(), types.clone());
        }
        Ok(types)
    }

    async fn compute(&self, id: &str) -> Result<super::wire::ComputeConfig> {
        if let Some(c) = self.computes.lock().ok().and_then(|m| m.get(id).cloned()) {
            return Ok(c);
        }
        let config = self.client.compute_template(id).await?.config.unwrap_or_default();
        if let Ok(mut m) = self.computes.lock() {
            m.insert(id.to_string(), config.clone());
        }
        Ok(config)
    }

    /// Fills the caches for what these workspaces refer to: one call per unknown compute
    /// config, cloud catalog and name, never one per workspace.
    pub(super) async fn learn(&self, rows: &[&WireWorkspace], compute_ids: &[String]) {
        let known_names: HashSet<String> = self.names.lock().map(|m| m.keys().cloned().collect()).unwrap_or_default();
        let known_computes: HashSet<String> =
            self.computes.lock().map(|m| m.keys().cloned().collect()).unwrap_or_default();
        let known_catalogs: HashSet<String> =
            self.catalogs.lock().map(|m| m.keys().cloned().collect()).unwrap_or_default();
        let distinct = |ids: Vec<&String>| -> Vec<String> {
            let mut v: Vec<String> = ids.into_iter().cloned().collect();
            v.sort();
            v.dedup();
            v
        };
        let clouds = distinct(rows.iter().filter_map(|w| w.cloud_id.as_ref()).collect());
        let projects =
            distinct(rows.iter().filter_map(|w| w.project_id.as_ref()).filter(|p| !known_names.contains(*p)).collect());
        let computes = distinct(compute_ids.iter().filter(|c| !known_computes.contains(*c)).collect());
        let catalogs: Vec<&String> = clouds.iter().filter(|c| !known_catalogs.contains(*c)).collect();

        let cloud_names = async {
            if clouds.iter().any(|c| !known_names.contains(c)) {
                let _ = self.clouds().await;
            }
        };
        let project_names = futures::future::join_all(projects.iter().map(|p| async move {
            let name = self.client.project(p).await.map(|project| project.name).unwrap_or_else(|_| p.clone());
            (p.clone(), name)
        }));
        let configs = futures::future::join_all(computes.iter().map(|c| self.compute(c)));
        let types = futures::future::join_all(catalogs.iter().map(|c| self.catalog(c)));
        let (_, project_names, _, _) = tokio::join!(cloud_names, project_names, configs, types);
        if let Ok(mut names) = self.names.lock() {
            names.extend(project_names);
        }
    }

    pub(super) fn name_of(&self, id: Option<&str>) -> Option<String> {
        let id = id?;
        Some(self.names.lock().ok().and_then(|m| m.get(id).cloned()).unwrap_or_else(|| id.to_string()))
    }

    pub(super) fn hardware_of(&self, compute_id: Option<&str>, cloud_id: Option<&str>) -> Hardware {
        let config = compute_id.and_then(|id| self.computes.lock().ok()?.get(id).cloned());
        let catalog = cloud_id.and_then(|id| self.catalogs.lock().ok()?.get(id).cloned()).unwrap_or_default();
        config.map(|c| to_hardware(&c, &catalog)).unwrap_or_default()
    }
}

impl Anyscale {
    pub(super) fn credits_of(&self, compute_id: Option<&str>, cloud_id: Option<&str>) -> Option<Credits> {
        let config = compute_id.and_then(|id| self.computes.lock().ok()?.get(id).cloned())?;
        let catalog = cloud_id.and_then(|id| self.catalogs.lock().ok()?.get(id).cloned())?;
        credits(&config, &catalog)
    }
}
