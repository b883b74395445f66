//! The runtime both faces run on. A `Node` owns the session (storage, secrets and one
//! provider per account through [`Hangar`], and the [`Watcher`]), the settings (held in
//! memory, saved through it), the notification policy, and one stream of [`NodeEvent`]s.
//! Operations that change something go through it with their [`Origin`]; it tells the
//! watcher and the policy itself. The desktop shell and `hangarctl watch` only render events.

mod auto_stop;
mod budget;
mod event;
pub mod names;
mod note_action;
pub mod policy;
mod session;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::broadcast;

use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::hangar::Hangar;
use crate::history::{Cause, WorkspaceDetails};
use crate::model::{Account, Action, Workspace};
use crate::secrets::Credentials;
use crate::settings::Settings;
use crate::watcher::{Snapshot, StateChange, Watcher};

pub use event::NodeEvent;
pub use note_action::FollowUp;
pub use policy::{Origin, Policy};
use session::Session;
pub use session::{Demo, OpenProfile};

pub struct Node {
    clock: Arc<dyn Clock>,
    runtime: tokio::runtime::Handle,
    session: Mutex<Arc<Session>>,
    settings: Mutex<Settings>,
    policy: Mutex<Policy>,
    events: broadcast::Sender<NodeEvent>,
}

/// Whom a workspace's timeline names for what an operation from `origin` brings about.
fn cause_of(origin: Origin) -> Cause {
    match origin {
        Origin::Window | Origin::Cli => Cause::You,
        Origin::Tray => Cause::Tray,
        Origin::Policy => Cause::Policy,
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Node {
    /// Starts on a profile (the demo when `demo` is given) with the system clock. Must be
    /// called within a Tokio runtime: the watcher runs on it.
    pub fn start(hangar: Arc<Hangar>, demo: Option<Demo>) -> Arc<Node> {
        Node::with_clock(hangar, demo, Arc::new(SystemClock))
    }

    pub fn with_clock(hangar: Arc<Hangar>, demo: Option<Demo>, clock: Arc<dyn Clock>) -> Arc<Node> {
        let settings = hangar.storage().settings();
        let mut policy = Policy::with_minute(policy::policy_minute());
        policy.restore_alerted(hangar.storage().budget_alerts());
        let session = Arc::new(Session::new(hangar, demo, settings.refresh.into(), clock.clone()));
        let node = Arc::new(Node {
            clock,
            runtime: tokio::runtime::Handle::current(),
            session: Mutex::new(session.clone()),
            settings: Mutex::new(settings),
            policy: Mutex::new(policy),
            events: broadcast::channel(1024).0,
        });
        session.launch(&node);
        node
    }

    /// Every event from now on.
    pub fn events(&self) -> broadcast::Receiver<NodeEvent> {
        self.events.subscribe()
    }

    fn emit(&self, event: NodeEvent) {
        let _ = self.events.send(event);
    }

    fn session(&self) -> Arc<Session> {
        lock(&self.session).clone()
    }

    pub fn hangar(&self) -> Arc<Hangar> {
        self.session().hangar.clone()
    }

    pub fn watcher(&self) -> Arc<Watcher> {
        self.session().watcher.clone()
    }

    pub fn is_demo(&self) -> bool {
        self.session().demo.is_some()
    }

    pub fn snapshot(&self) -> Snapshot {
        self.session().watcher.current()
    }

    /// Replaces the session (its watcher stops, its demo clouds go) and tells everyone.
    pub fn replace(self: &Arc<Self>, hangar: Arc<Hangar>, demo: Option<Demo>) {
        let settings = hangar.storage().settings();
        *lock(&self.settings) = settings.clone();
        lock(&self.policy).restore_alerted(hangar.storage().budget_alerts());
        let session = Arc::new(Session::new(hangar, demo, settings.refresh.into(), self.clock.clone()));
        session.launch(self);
        let demo = session.demo.is_some();
        let snapshot = session.watcher.current();
        let old = std::mem::replace(&mut *lock(&self.session), session);
        drop(old);
        self.emit(NodeEvent::SessionChanged { demo });
        self.emit(NodeEvent::Settings(settings));
        self.emit(NodeEvent::Snapshot(snapshot));
    }

    // --- settings -------------------------------------------------------------------------

    pub fn settings(&self) -> Settings {
        lock(&self.settings).clone()
    }

    /// Saves the settings (intervals moved within their bounds), uses them from now on and
    /// tells everyone. Returns what was saved.
    pub fn save_settings(&self, settings: Settings, origin: Origin) -> Result<Settings> {
        tracing::debug!(?origin, "saving settings");
        // Prices and limits are refused rather than clamped: a moved price would be a made-up one.
        settings.rates.validate()?;
        settings.budgets.validate()?;
        settings.auto_stop.validate()?;
        let settings = settings.clamped();
        let session = self.session();
        session.hangar.storage().save_settings(&settings)?;
        *lock(&self.settings) = settings.clone();
        session.watcher.set_cadence(settings.refresh.into());
        self.emit(NodeEvent::Settings(settings.clone()));
        Ok(settings)
    }

    /// "Pause notifications" on or off.
    pub fn set_paused(&self, paused: bool, origin: Origin) -> Result<Settings> {
        let mut settings = self.settings();
        settings.notifications.paused = paused;
        self.save_settings(settings, origin)
    }

    // --- the window -----------------------------------------------------------------------

    /// The window gained or lost focus: an input to the policy; gaining it also refreshes.
    pub fn set_focused(&self, focused: bool) {
        lock(&self.policy).set_focused(focused);
        if focused {
            self.refresh(Origin::Window);
        }
    }

    /// Refresh every account now, paused ones too.
    pub fn refresh(&self, origin: Origin) {
        tracing::debug!(?origin, "refresh asked for");
        self.session().watcher.refresh();
    }

    // --- workspaces -----------------------------------------------------------------------

    pub async fn act(&self, origin: Origin, account: &str, id: &str, action: Action) -> Result<()> {
        self.act_as(origin, cause_of(origin), account, id, action).await
    }

    /// [`Node::act`] with the cause the timeline names given apart from the origin the
    /// policy sees (a notification's button: outside the window, yet the user's own act).
    async fn act_as(&self, origin: Origin, cause: Cause, account: &str, id: &str, action: Action) -> Result<()> {
        let session = self.session();
        lock(&self.policy).acted(origin, account, id, self.clock.now());
        let done = session.hangar.act_for(cause, account, id, action).await;
        session.watcher.acted(account);
        done
    }

    pub async fn create(
        &self,
        origin: Origin,
        account: &str,
        name: &str,
        values: &BTreeMap<String, String>,
    ) -> Result<Workspace> {
        let session = self.session();
        let w = session.hangar.create(account, name, values).await?;
        session.hangar.record_cause(account, &w.id, cause_of(origin));
        lock(&self.policy).acted(origin, account, &w.id, self.clock.now());
        session.watcher.acted(account);
        Ok(w)
    }

    pub async fn update(
        &self,
        origin: Origin,
        account: &str,
        id: &str,
        values: &BTreeMap<String, String>,
    ) -> Result<()> {
        let session = self.session();
        lock(&self.policy).acted(origin, account, id, self.clock.now());
        session.hangar.record_cause(account, id, cause_of(origin));
        session.hangar.update(account, id, values).await?;
        session.watcher.acted(account);
        Ok(())
    }

    /// One workspace with its timeline and spend (the details panel).
    pub async fn details(&self, account: &str, id: &str) -> Result<WorkspaceDetails> {
        self.session().hangar.details(account, id).await
    }

    // --- accounts -------------------------------------------------------------------------

    /// Where a new account goes: the current profile, or in the demo the user's own profile.
    pub fn new_account_target(&self) -> Result<Arc<Hangar>> {
        let session = self.session();
        match &session.demo {
            Some(demo) => (demo.real_profile)(),
            None => Ok(session.hangar.clone()),
        }
    }

    /// Adds an account to `target` (from [`Node::new_account_target`]); the first real
    /// account ends the demo.
    pub async fn add_account(
        self: &Arc<Self>,
        target: Arc<Hangar>,
        account: Account,
        credentials: Credentials,
        verify: bool,
    ) -> Result<()> {
        target.add_account(account, credentials, verify).await?;
        let session = self.session();
        if Arc::ptr_eq(&target, &session.hangar) {
            session.watcher.refresh();
        } else {
            self.replace(target, None);
        }
        Ok(())
    }

    pub async fn edit_account(
        &self,
        name: &str,
        base_url: Option<String>,
        options: BTreeMap<String, String>,
        credentials: Option<Credentials>,
    ) -> Result<()> {
        let session = self.session();
        session.hangar.edit_account(name, base_url, options, credentials).await?;
        session.watcher.refresh();
        Ok(())
    }

    /// Pasted credentials replaced after one call with them; refreshes resume.
    pub async fn change_credentials(&self, name: &str, credentials: Credentials) -> Result<()> {
        let session = self.session();
        session.hangar.change_credentials(name, credentials).await?;
        session.watcher.refresh();
        Ok(())
    }

    /// Credentials from a new sign-in; refreshes resume.
    pub async fn replace_credentials(&self, name: &str, credentials: Credentials) -> Result<()> {
        let session = self.session();
        session.hangar.replace_credentials(name, credentials).await?;
        session.watcher.refresh();
        Ok(())
    }

    pub async fn remove_account(&self, name: &str) -> Result<()> {
        let session = self.session();
        session.hangar.remove_account(name).await?;
        session.watcher.refresh();
        Ok(())
    }

    /// Signs out; the warning says what the provider could not revoke.
    pub async fn sign_out(&self, name: &str) -> Result<Option<Error>> {
        let session = self.session();
        let warning = session.hangar.sign_out(name).await?;
        session.watcher.refresh();
        Ok(warning)
    }

    // --- the policy, driven by the session's pump -----------------------------------------

    fn changed(&self, change: StateChange) {
        lock(&self.policy).change(change.clone(), self.clock.now());
        self.emit(NodeEvent::StateChange(change));
    }

    /// How long until the open batch of changes closes.
    fn batch_wait(&self) -> Option<Duration> {
        lock(&self.policy).closes_at().map(|at| at.saturating_duration_since(self.clock.now()))
    }

    fn close_batch(&self) {
        let settings = self.settings().notifications;
        let round = lock(&self.policy).close_batch(self.clock.now(), &settings);
        if !round.changes.is_empty() {
            self.emit(NodeEvent::Coalesced(round.changes));
        }
        for note in round.notes {
            self.emit(NodeEvent::Notify(note));
        }
    }

    /// After each poll: the GPU reminder, budgets and the stop policy.
    fn remind(self: &Arc<Self>, snap: &Snapshot) {
        let settings = self.settings();
        if let Some(note) = lock(&self.policy).gpu_reminder(&snap.workspaces, self.clock.now(), &settings.notifications)
        {
            self.emit(NodeEvent::Notify(note));
        }
        self.check_budgets(snap, &settings);
        self.step_auto_stop(snap, &settings);
    }
}
