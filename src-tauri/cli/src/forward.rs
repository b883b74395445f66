//! `hangarctl forward`: one port forward in the foreground. It ends with Ctrl-C or SIGTERM
//! (exit 0), when the workspace stops (the Node's snapshot no longer shows it running; exit
//! 5) or when ssh gives up (exit 7); ssh never outlives it.

use std::io::Write;
use std::sync::Arc;

use hangar_core::forward::{self, ForwardSpec};
use hangar_core::node::{Node, NodeEvent};
use hangar_core::{Error, Hangar, Result, WorkspaceState};

pub async fn run(
    h: Arc<Hangar>,
    account: &str,
    id: &str,
    remote_port: u16,
    local_port: Option<u16>,
    json: bool,
) -> Result<i32> {
    let alias = h.ssh_alias(account, id).await?;
    let mut fwd = forward::start(&ForwardSpec { alias, remote_port, local_port }).await?;
    let shown = serde_json::json!({
        "account": account, "id": id, "remote_port": remote_port,
        "local_port": fwd.local_port(), "url": fwd.url(),
    });
    crate::output::forwarding(&shown, &fwd.url(), json);
    // The address is what a script waits for; it must not sit in a buffer.
    let _ = std::io::stdout().flush();

    let node = Node::start(h, None);
    let mut events = node.events();
    let mut terminate = terminate_signal()?;
    let outcome = loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break Ok(0),
            _ = terminate.recv() => break Ok(0),
            why = fwd.ended() => break Err(Error::Unavailable(format!("the port forward ended: {why}"))),
            event = events.recv() => match event {
                Ok(NodeEvent::Snapshot(snap)) if !snap.stale => {
                    let running = snap.workspaces.iter().any(|w| {
                        w.account == account && w.id == id && w.state == WorkspaceState::Running
                    });
                    if !running {
                        break Err(Error::Conflict(format!("workspace {id} is no longer running; the forward ended")));
                    }
                }
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(_) => break Ok(0),
            },
        }
    };
    fwd.stop().await;
    outcome
}

#[cfg(unix)]
fn terminate_signal() -> Result<tokio::signal::unix::Signal> {
    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| Error::Internal(format!("cannot listen for SIGTERM: {e}")))
}

/// Elsewhere there is no SIGTERM; a receiver that never fires stands in.
#[cfg(not(unix))]
fn terminate_signal() -> Result<tokio::sync::mpsc::UnboundedReceiver<()>> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    std::mem::forget(tx);
    Ok(rx)
}
