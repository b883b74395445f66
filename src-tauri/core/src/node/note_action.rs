//! What the Node does with a notification's buttons and after each poll's money and time
//! checks: an action runs through the same calls as the window's, and its failure is said
//! like any other (a notification and an event saying why).

use std::sync::Arc;

use super::{lock, Node, NodeEvent, Origin};
use crate::error::{Error, Result};
use crate::history::Cause;
use crate::model::{Action, Link, LinkKind};
use crate::notifications::{Note, NoteAction, NoteKind, WorkspaceRef};
use crate::settings::Settings;
use crate::watcher::Snapshot;

/// What the desktop shell still does after the core ran a notification's action.
#[derive(Debug, Clone, PartialEq)]
pub enum FollowUp {
    Nothing,
    /// Hand this link (checked with `platform::check_openable`) to the OS.
    Open(Link),
    /// Show and focus the main window.
    ShowWindow,
}

impl Node {
    /// Runs an action a notification offered. A Stop pressed there is the user's own act: it
    /// runs with [`Origin::Tray`] (outside the window, announced, and "you" on the timeline),
    /// through [`Node::act`] as the window's Stop does. A failure is also emitted as a note.
    pub async fn run_note_action(&self, action: &NoteAction) -> Result<FollowUp> {
        let result = match action {
            NoteAction::Stop { workspaces } => {
                self.stop_all(workspaces, Origin::Tray, Cause::You).await.map(|()| FollowUp::Nothing)
            }
            NoteAction::KeepRunning { workspaces } => {
                lock(&self.policy).keep_running(workspaces, self.clock.now());
                Ok(FollowUp::Nothing)
            }
            NoteAction::Open { workspace } => {
                self.hangar().open(&workspace.account, &workspace.id, LinkKind::Browser).await.map(FollowUp::Open)
            }
            NoteAction::Show => Ok(FollowUp::ShowWindow),
        };
        if let Err(e) = &result {
            self.emit(NodeEvent::Notify(failed(&action.label(), e)));
        }
        result
    }

    /// Stops each one; the first failure is returned (naming its workspace), the rest still run.
    async fn stop_all(&self, workspaces: &[WorkspaceRef], origin: Origin, cause: Cause) -> Result<()> {
        let mut first = None;
        for w in workspaces {
            if let Err(e) = self.act_as(origin, cause, &w.account, &w.id, Action::Stop).await {
                first.get_or_insert_with(|| e.context(&format!("{} ({})", self.name_of(w), w.account)));
            }
        }
        first.map_or(Ok(()), Err)
    }

    fn name_of(&self, w: &WorkspaceRef) -> String {
        self.snapshot()
            .workspaces
            .iter()
            .find(|x| x.account == w.account && x.id == w.id)
            .map_or_else(|| w.id.clone(), |x| x.name.clone())
    }

    /// Budget alerts newly due; what was raised is saved so a restart does not repeat it.
    pub(super) fn check_budgets(&self, snap: &Snapshot, settings: &Settings) {
        let today = self.clock.wall().with_timezone(&chrono::Local).date_naive();
        let (notes, alerted) = {
            let mut policy = lock(&self.policy);
            let notes = policy.budgets(&snap.totals, settings, today);
            (notes, policy.alerted().clone())
        };
        if notes.is_empty() {
            return;
        }
        if let Err(e) = self.hangar().storage().save_budget_alerts(&alerted) {
            tracing::warn!(error = %e, "budget alerts not saved; a restart may repeat them");
        }
        for note in notes {
            self.emit(NodeEvent::Notify(note));
        }
    }

    /// The stop policy: its warnings, and its stops run as [`Origin::Policy`] (Hangar's own act).
    pub(super) fn step_auto_stop(self: &Arc<Self>, snap: &Snapshot, settings: &Settings) {
        let decisions = lock(&self.policy).auto_stop(snap, settings, self.clock.wall());
        for note in decisions.warnings {
            self.emit(NodeEvent::Notify(note));
        }
        for w in decisions.stops {
            let node = self.clone();
            self.runtime.spawn(async move {
                if let Err(e) = node.stop_all(std::slice::from_ref(&w), Origin::Policy, Cause::Policy).await {
                    lock(&node.policy).auto_stop_failed(&w);
                    node.emit(NodeEvent::Notify(failed("stop it automatically", &e)));
                }
            });
        }
    }
}

/// "Could not stop: why", for an action that failed.
fn failed(what: &str, e: &Error) -> Note {
    let what = what.to_lowercase();
    Note {
        kind: NoteKind::ActionFailed,
        summary: format!("Could not {what}"),
        body: e.to_string(),
        target: None,
        actions: vec![],
    }
}
