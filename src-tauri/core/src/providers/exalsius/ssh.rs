//! SSH into a running dev container: the first reachable SSH port of `access_information`,
//! as the account's SSH user.

use super::mapping::{is_ssh, valid_host};
use super::wire::AccessInfo;
use super::{states, Exalsius};
use crate::error::{Error, Result};
use crate::model::WorkspaceState;
use crate::ssh::SshHost;

impl Exalsius {
    pub(super) async fn ssh_host_of(&self, id: &str) -> Result<SshHost> {
        let w = self.client.workspace(id).await?;
        let name = w.name.clone().unwrap_or_else(|| id.to_string());
        if states::normalize(w.status()) != WorkspaceState::Running {
            return Err(Error::Conflict(format!("workspace '{name}' is not running; SSH opens once it is")));
        }
        let (host_name, port) = ssh_endpoint(w.access_information.as_deref().unwrap_or_default())
            .ok_or_else(|| Error::Unavailable(format!("workspace '{name}' has no reachable SSH port yet")))?;
        Ok(SshHost {
            host_name,
            port,
            user: self.ssh_user.clone(),
            private_key: None,
            tunnel: false,
            ephemeral_host_key: false,
        })
    }
}

/// The first reachable SSH port: (host address, port).
pub(super) fn ssh_endpoint(access: &[AccessInfo]) -> Option<(String, u16)> {
    access.iter().filter(|a| is_ssh(a)).find_map(|a| {
        let ip = a.external_ips.as_ref()?.first().filter(|ip| valid_host(ip))?;
        Some((ip.clone(), u16::try_from(a.port_number?).ok()?))
    })
}
