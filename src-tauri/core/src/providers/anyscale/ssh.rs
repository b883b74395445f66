//! SSH into a running workspace, per the contract's IDE section: a KubeRay workload's SSH
//! details, or a VM cluster's key and its HTTPS tunnel (the web terminal's host).

use super::mapping::tunnel_host;
use super::wire::{KubeRaySshDetails, WireWorkspace};
use super::{states, Anyscale};
use crate::error::{Error, Result};
use crate::ssh::SshHost;
use crate::tunnel::TunnelTarget;

enum SshRoute {
    KubeRay(KubeRaySshDetails),
    Vm { cluster: String, secure: bool, host: String },
}

impl Anyscale {
    pub(super) async fn ssh_host_of(&self, id: &str) -> Result<SshHost> {
        let (w, route) = self.ssh_route(id).await?;
        let (host_name, private_key) = match route {
            SshRoute::KubeRay(details) => (details.hostname, details.private_key),
            SshRoute::Vm { cluster, host, .. } => {
                let key = self.client.ssh_key(&cluster).await?;
                (host.split(':').next().unwrap_or_default().to_string(), key.private_key)
            }
        };
        if private_key.trim().is_empty() {
            return Err(Error::BadResponse {
                message: format!("Anyscale returned no SSH key for workspace '{}'", w.name),
            });
        }
        Ok(SshHost {
            host_name,
            port: 443,
            user: "ray".into(),
            private_key: Some(private_key),
            tunnel: true,
            ephemeral_host_key: true,
        })
    }

    pub(super) async fn tunnel_of(&self, id: &str) -> Result<TunnelTarget> {
        let (w, route) = self.ssh_route(id).await?;
        let (secure, host, token) = match route {
            SshRoute::KubeRay(details) => {
                let token = details.cluster_access_token.filter(|t| !t.is_empty()).ok_or_else(|| {
                    Error::BadResponse { message: format!("Anyscale gave no tunnel token for workspace '{}'", w.name) }
                })?;
                (true, details.hostname, token)
            }
            SshRoute::Vm { cluster, secure, host } => (secure, host, self.client.cluster_access_token(&cluster).await?),
        };
        Ok(TunnelTarget { url: format!("{}://{host}/sshws", if secure { "wss" } else { "ws" }), bearer: token })
    }

    /// Where a running workspace's SSH server is reached.
    async fn ssh_route(&self, id: &str) -> Result<(WireWorkspace, SshRoute)> {
        let w = self.client.workspace(id).await?;
        if w.state() != "Running" {
            return Err(Error::Conflict(format!(
                "workspace '{}' is {}; SSH opens once it is running",
                w.name,
                states::normalize(w.state())
            )));
        }
        if w.is_kuberay() {
            let details = self.client.kuberay_ssh_details(&w.id).await?;
            return Ok((w, SshRoute::KubeRay(details)));
        }
        let cluster = w.cluster_id.clone().filter(|c| !c.is_empty()).ok_or_else(|| Error::BadResponse {
            message: format!("Anyscale returned workspace '{}' without a cluster id", w.name),
        })?;
        let session = self.client.session(&cluster).await?;
        let (secure, host) = tunnel_host(&session).ok_or_else(|| {
            Error::Unavailable(format!(
                "workspace '{}' has no SSH tunnel: its cluster reports no web terminal host",
                w.name
            ))
        })?;
        Ok((w, SshRoute::Vm { cluster, secure, host }))
    }
}
