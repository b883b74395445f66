//! What the wizard and the details need beyond a workspace: READY clusters, the template
//! catalogue and a cluster's nodes, and cluster names (kept, they only decorate).

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use super::form::{self, Offer};
use super::wire::{WireCluster, WireWorkspace};
use super::Exalsius;
use crate::error::{Error, Result};
use crate::providers::figures;

/// A cluster's costs are read again after this long: a listing should not cost a second
/// request every time, and the figures move slowly.
const COSTS_FRESH_FOR: Duration = Duration::from_secs(300);

/// What a cluster costs, and which workspaces share it.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct ClusterCost {
    pub per_hour: Option<f64>,
    pub so_far: Option<f64>,
    /// The ids of the workspaces deployed on it, where the cluster lists them.
    pub hosts: Option<Vec<Option<String>>>,
}

#[derive(Debug, Default)]
pub(super) struct ClusterCosts {
    pub by_id: HashMap<String, ClusterCost>,
    pub read_at: Option<Instant>,
}

impl ClusterCost {
    pub(super) fn of(c: &WireCluster) -> ClusterCost {
        let hosts = c.workspace_deployments.as_ref().and_then(|d| d.as_array()).map(|items| {
            items.iter().map(|i| i.get("workspace_id").and_then(|v| v.as_str()).map(str::to_string)).collect()
        });
        ClusterCost { per_hour: figures::rate(c.costs_per_hour), so_far: figures::spent(c.current_costs), hosts }
    }

    /// Whether the cluster hosts only this workspace (so its costs are the workspace's).
    pub(super) fn hosts_only(&self, workspace_id: Option<&str>) -> bool {
        match self.hosts.as_deref() {
            Some([only]) => only.is_none() || only.as_deref() == workspace_id,
            _ => false,
        }
    }
}

impl Exalsius {
    /// Cluster names only decorate the details and costs are read now and then; a failure
    /// leaves the ids, and no costs rather than old ones.
    pub(super) async fn learn_clusters(&self, rows: &[WireWorkspace]) {
        let unknown = {
            let known = self.cluster_names.lock().map(|m| m.clone()).unwrap_or_default();
            rows.iter().filter_map(|w| w.cluster_id.as_ref()).any(|c| !known.contains_key(c))
        };
        let stale = self
            .cluster_costs
            .lock()
            .map(|c| c.read_at.is_none_or(|at| at.elapsed() >= COSTS_FRESH_FOR))
            .unwrap_or(true);
        let any_cluster = rows.iter().any(|w| w.cluster_id.is_some());
        if !(unknown || (stale && any_cluster)) {
            return;
        }
        match self.client.clusters(&[]).await {
            Ok(list) => {
                if let Ok(mut costs) = self.cluster_costs.lock() {
                    costs.by_id =
                        list.clusters.iter().filter_map(|c| Some((c.id.clone()?, ClusterCost::of(c)))).collect();
                    costs.read_at = Some(Instant::now());
                }
                if let Ok(mut m) = self.cluster_names.lock() {
                    m.extend(list.clusters.into_iter().filter_map(|c| Some((c.id?, c.name))));
                }
            }
            Err(e) => {
                tracing::debug!(error = %e, "exalsius clusters unavailable; showing cluster ids");
                if let Ok(mut costs) = self.cluster_costs.lock() {
                    *costs = ClusterCosts::default();
                }
            }
        }
    }

    pub(super) fn cluster_cost(&self, cluster_id: Option<&str>) -> Option<ClusterCost> {
        self.cluster_costs.lock().ok()?.by_id.get(cluster_id?).cloned()
    }

    /// The wizard's live data: READY clusters, the template catalogue, the picked cluster's nodes.
    pub(super) async fn offer(&self, selected: &BTreeMap<String, String>) -> Result<Offer> {
        let (clusters, templates) =
            tokio::join!(self.client.clusters(&[("cluster_status", "READY")]), self.client.templates(),);
        let clusters: Vec<_> =
            clusters?.clusters.into_iter().filter(|c| c.cluster_status == "READY" && c.id.is_some()).collect();
        let templates = templates?.workspace_templates;
        if let Ok(mut m) = self.cluster_names.lock() {
            m.extend(clusters.iter().filter_map(|c| Some((c.id.clone()?, c.name.clone()))));
        }
        let cluster_id = selected
            .get(form::CLUSTER)
            .filter(|s| clusters.iter().any(|c| c.id.as_ref() == Some(*s)))
            .cloned()
            .or_else(|| clusters.first().and_then(|c| c.id.clone()))
            .ok_or_else(|| {
                Error::invalid(
                    form::CLUSTER,
                    "this exalsius account has no READY cluster; deploy one first (exls clusters)",
                )
            })?;
        if templates.is_empty() {
            return Err(Error::invalid(form::TEMPLATE, "exalsius offers no workspace template to this account"));
        }
        let resources = self.client.resources(&cluster_id).await?;
        Ok(Offer { clusters, cluster_id, templates, nodes: form::nodes(&resources.resources) })
    }
}
