//! What the wizard and the details need beyond a workspace: READY clusters, the template
//! catalogue and a cluster's nodes, and cluster names (kept, they only decorate).

use std::collections::BTreeMap;

use super::form::{self, Offer};
use super::wire::WireWorkspace;
use super::Exalsius;
use crate::error::{Error, Result};

impl Exalsius {
    /// Cluster names only decorate the details; a failure leaves the ids.
    pub(super) async fn learn_clusters(&self, rows: &[WireWorkspace]) {
        let unknown = {
            let known = self.cluster_names.lock().map(|m| m.clone()).unwrap_or_default();
            rows.iter().filter_map(|w| w.cluster_id.as_ref()).any(|c| !known.contains_key(c))
        };
        if !unknown {
            return;
        }
        match self.client.clusters(&[]).await {
            Ok(list) => {
                if let Ok(mut m) = self.cluster_names.lock() {
                    m.extend(list.clusters.into_iter().filter_map(|c| Some((c.id?, c.name))));
                }
            }
            Err(e) => tracing::debug!(error = %e, "exalsius clusters unavailable; showing cluster ids"),
        }
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
