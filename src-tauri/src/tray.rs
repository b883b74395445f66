//! The system tray: a menu kept in step with the watcher's snapshot (running and transitional
//! workspaces first, each with the actions it allows), plus Show, Pause notifications, Quit.
//! Tray actions go through the same Node operations as the window, marked as the tray's.
//!
//! A workspace item names its target in its own id (account, workspace id, verb), and a click
//! acts only if that workspace is still in the snapshot with that action allowed: the list
//! re-sorts as states change, so a position would name another workspace a moment later.
//!
//! The menu is changed in place, in one task on the main thread (tauri's menu calls made from
//! another thread each wait for the main thread). Submenus that did not change stay as they
//! are, so a tray host holding a layout read a moment ago still clicks what it showed.

use std::collections::HashSet;
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use hangar_core::cost;
use hangar_core::node::Origin;
use hangar_core::watcher::Snapshot;
use hangar_core::{Action, LinkKind, Workspace, WorkspaceState};
use tauri::menu::{CheckMenuItem, IsMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Wry};
use tauri_plugin_opener::OpenerExt;

use crate::AppState;
use item_id::{ItemId, Verb};

const TRAY_ID: &str = "main-tray";
const MAX_ITEMS: usize = 15;

#[derive(Default)]
pub struct TrayState {
    /// The newest plan not applied yet; the main thread takes it (older ones are skipped).
    pending: Mutex<Option<Plan>>,
    /// The plan last handed over, so an unchanged snapshot costs nothing.
    offered: Mutex<Option<Plan>>,
    /// The menu as shown; used on the main thread only.
    shown: Mutex<Option<Shown>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Tray item ids: `ws:<verb>:<account>:<workspace id>`. `%` and `:` are escaped in the two
/// names, so any account name or vendor id round-trips.
pub mod item_id {
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Verb {
        Start,
        Stop,
        Open,
    }

    impl Verb {
        pub fn as_str(self) -> &'static str {
            match self {
                Verb::Start => "start",
                Verb::Stop => "stop",
                Verb::Open => "open",
            }
        }

        fn parse(s: &str) -> Option<Verb> {
            [Verb::Start, Verb::Stop, Verb::Open].into_iter().find(|v| v.as_str() == s)
        }
    }

    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct ItemId {
        pub account: String,
        pub id: String,
        pub verb: Verb,
    }

    pub fn format(item: &ItemId) -> String {
        format!("ws:{}:{}:{}", item.verb.as_str(), escape(&item.account), escape(&item.id))
    }

    /// The item an id names; `None` for any other id (Show, Quit, a malformed one).
    pub fn parse(s: &str) -> Option<ItemId> {
        let mut parts = s.split(':');
        let (Some("ws"), Some(verb), Some(account), Some(id), None) =
            (parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        Some(ItemId { verb: Verb::parse(verb)?, account: unescape(account)?, id: unescape(id)? })
    }

    fn escape(s: &str) -> String {
        s.replace('%', "%25").replace(':', "%3A")
    }

    /// Accepts exactly what `escape` writes.
    fn unescape(s: &str) -> Option<String> {
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(at) = rest.find('%') {
            out.push_str(&rest[..at]);
            let code = rest.get(at + 1..at + 3)?;
            out.push(match code {
                "25" => '%',
                "3A" => ':',
                _ => return None,
            });
            rest = &rest[at + 3..];
        }
        out.push_str(rest);
        Some(out)
    }
}

type Key = (String, String);

fn key(w: &Workspace) -> Key {
    (w.account.clone(), w.id.clone())
}

/// What the tray should show: computed off the main thread, applied on it.
#[derive(Debug, Clone, PartialEq)]
struct Plan {
    tooltip: String,
    /// The line above the workspaces: what runs and what it costs together.
    total: Option<String>,
    paused: bool,
    entries: Vec<Entry>,
}

/// One workspace's submenu.
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    key: Key,
    label: String,
    items: Vec<(Verb, bool)>,
}

impl Plan {
    fn of(snap: &Snapshot, paused: bool) -> Plan {
        let mut list: Vec<&Workspace> = snap.workspaces.iter().collect();
        list.sort_by_key(|w| order(w));
        list.truncate(MAX_ITEMS);
        let gpus =
            snap.workspaces.iter().filter(|w| w.state == WorkspaceState::Running && w.hardware.gpu.is_some()).count();
        let tooltip = match gpus {
            0 => "Hangar".to_string(),
            1 => "Hangar: 1 GPU workspace running".to_string(),
            n => format!("Hangar: {n} GPU workspaces running"),
        };
        let entries = list.iter().map(|w| Entry { key: key(w), label: item_label(w), items: items(w) }).collect();
        Plan { tooltip, total: cost::label::totals(&snap.totals), paused, entries }
    }
}

fn order(w: &Workspace) -> u8 {
    match w.state {
        WorkspaceState::Running => 0,
        s if s.is_transitional() => 1,
        _ => 2,
    }
}

fn item_label(w: &Workspace) -> String {
    let state = match w.state {
        WorkspaceState::Pending => "Creating…".to_string(),
        WorkspaceState::Starting => "Starting…".to_string(),
        WorkspaceState::Stopping => "Stopping…".to_string(),
        WorkspaceState::Updating => "Updating…".to_string(),
        WorkspaceState::Deleting => "Deleting…".to_string(),
        s => {
            let s = s.to_string();
            s[..1].to_uppercase() + &s[1..]
        }
    };
    let gpu = w.hardware.gpu.as_ref().map(|g| format!(" · {}× {}", g.count, g.kind.to_uppercase())).unwrap_or_default();
    // Only what costs money now: a stopped workspace's 0 is noise in a menu.
    let rate = match w.cost.rate {
        Some(r) if r > 0.0 => cost::label::rate(&w.cost).map(|r| format!(" · {r}")).unwrap_or_default(),
        _ => String::new(),
    };
    format!("{}{gpu}{rate} — {state}", w.name)
}

/// The tray's actions on a workspace, each with whether it can be used now.
fn items(w: &Workspace) -> Vec<(Verb, bool)> {
    let settled = !w.state.is_transitional();
    let mut out = vec![];
    if w.actions.contains(&Action::Start) {
        out.push((Verb::Start, settled));
    }
    if w.actions.contains(&Action::Stop) {
        out.push((Verb::Stop, settled));
    }
    if w.links.iter().any(|l| l.kind == LinkKind::Browser) {
        out.push((Verb::Open, true));
    }
    out
}

/// The workspace a clicked item names, if it is still there and allows that action now.
fn resolve<'a>(snap: &'a Snapshot, item: &ItemId) -> Option<&'a Workspace> {
    snap.workspaces
        .iter()
        .find(|w| w.account == item.account && w.id == item.id)
        .filter(|w| items(w).contains(&(item.verb, true)))
}

fn verb_text(v: Verb) -> &'static str {
    match v {
        Verb::Start => "Start",
        Verb::Stop => "Stop",
        Verb::Open => "Open in browser",
    }
}

/// A label as the menu shows it: a single `&` marks a keyboard mnemonic there, and a
/// workspace name is text.
fn menu_text(label: &str) -> String {
    label.replace('&', "&&")
}

/// One workspace's submenu as shown. It is never edited: a changed entry gets a new submenu
/// (renaming a submenu in place does not reach the dbusmenu export on Linux).
struct Shelf {
    entry: Entry,
    submenu: Submenu<Wry>,
}

impl Shelf {
    fn new(app: &AppHandle, entry: &Entry) -> tauri::Result<Shelf> {
        let mut items = vec![];
        for &(verb, enabled) in &entry.items {
            let id = item_id::format(&ItemId { account: entry.key.0.clone(), id: entry.key.1.clone(), verb });
            items.push(MenuItem::with_id(app, id, verb_text(verb), enabled, None::<&str>)?);
        }
        if items.is_empty() {
            items.push(MenuItem::new(app, "No action now", false, None::<&str>)?);
        }
        let refs: Vec<&dyn IsMenuItem<Wry>> = items.iter().map(|i| i as &dyn IsMenuItem<Wry>).collect();
        Ok(Shelf { entry: entry.clone(), submenu: Submenu::with_items(app, menu_text(&entry.label), true, &refs)? })
    }
}

/// The tray menu as shown: the total (while anything runs), workspace submenus, then a
/// separator (when there are any), Show Hangar, Pause notifications, Quit.
struct Shown {
    menu: Menu<Wry>,
    /// The total line and its (disabled) item; replaced, not renamed, when it changes.
    total: Option<(String, MenuItem<Wry>)>,
    separator: PredefinedMenuItem<Wry>,
    has_separator: bool,
    pause: CheckMenuItem<Wry>,
    shelves: Vec<Shelf>,
    tooltip: String,
}

impl Shown {
    fn apply(&mut self, app: &AppHandle, plan: &Plan) -> tauri::Result<()> {
        if self.total.as_ref().map(|(text, _)| text) != plan.total.as_ref() {
            if let Some((_, item)) = self.total.take() {
                self.menu.remove(&item)?;
            }
            if let Some(text) = &plan.total {
                let item = MenuItem::new(app, menu_text(text), false, None::<&str>)?;
                self.menu.insert(&item, 0)?;
                self.total = Some((text.clone(), item));
            }
        }
        let top = usize::from(self.total.is_some());
        // Submenus whose entry is unchanged may stay; the others go.
        let mut unchanged = vec![];
        for shelf in self.shelves.drain(..) {
            if plan.entries.contains(&shelf.entry) {
                unchanged.push(shelf);
            } else {
                self.menu.remove(&shelf.submenu)?;
            }
        }
        // Of those, the longest run already in the wanted order stays put; the rest are rebuilt
        // where they now belong.
        let positions: Vec<Option<usize>> =
            plan.entries.iter().map(|e| unchanged.iter().position(|s| s.entry.key == e.key)).collect();
        let stays = longest_increasing(&positions);
        let mut kept = vec![];
        for (at, shelf) in unchanged.into_iter().enumerate() {
            if stays.contains(&at) {
                kept.push(Some(shelf));
            } else {
                self.menu.remove(&shelf.submenu)?;
                kept.push(None);
            }
        }
        for (at, entry) in plan.entries.iter().enumerate() {
            let shelf = match positions[at].and_then(|p| kept[p].take()) {
                Some(shelf) => shelf,
                None => {
                    let shelf = Shelf::new(app, entry)?;
                    self.menu.insert(&shelf.submenu, at + top)?;
                    shelf
                }
            };
            self.shelves.push(shelf);
        }
        match (self.shelves.is_empty(), self.has_separator) {
            (false, false) => self.menu.insert(&self.separator, self.shelves.len() + top)?,
            (true, true) => self.menu.remove(&self.separator)?,
            _ => {}
        }
        self.has_separator = !self.shelves.is_empty();
        self.pause.set_checked(plan.paused)?;
        if self.tooltip != plan.tooltip {
            if let Some(tray) = app.tray_by_id(TRAY_ID) {
                tray.set_tooltip(Some(&plan.tooltip))?;
            }
            self.tooltip = plan.tooltip.clone();
        }
        Ok(())
    }
}

/// Indexes (into the old list) of a longest subsequence of `positions` that is increasing:
/// the shelves that can stay where they are while the others move around them.
fn longest_increasing(positions: &[Option<usize>]) -> HashSet<usize> {
    let present: Vec<usize> = positions.iter().flatten().copied().collect();
    let mut best: Vec<(usize, Option<usize>)> = Vec::with_capacity(present.len());
    for (i, &p) in present.iter().enumerate() {
        let from = (0..i).filter(|&j| present[j] < p).max_by_key(|&j| best[j].0);
        best.push((from.map_or(1, |j| best[j].0 + 1), from));
    }
    let mut out = HashSet::new();
    let mut at = (0..present.len()).max_by_key(|&i| best[i].0);
    while let Some(i) = at {
        out.insert(present[i]);
        at = best[i].1;
    }
    out
}

pub fn create(app: &AppHandle) -> tauri::Result<()> {
    let show = MenuItem::with_id(app, "show", "Show Hangar", true, None::<&str>)?;
    let pause = CheckMenuItem::with_id(app, "pause", "Pause notifications", true, false, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&show, &pause, &quit])?;
    let mut tray = TrayIconBuilder::with_id(TRAY_ID).menu(&menu).tooltip("Hangar").on_menu_event(on_menu);
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let shown =
        Shown { menu, total: None, separator, has_separator: false, pause, shelves: vec![], tooltip: "Hangar".into() };
    *lock(&app.state::<AppState>().tray.shown) = Some(shown);
    Ok(())
}

/// Brings the tray in step with a snapshot. Cheap when nothing the tray shows changed; never
/// waits for the main thread.
pub fn update(app: &AppHandle, snap: &Snapshot) {
    let state = app.state::<AppState>();
    let paused = state.node().map(|n| n.settings().notifications.paused).unwrap_or(false);
    let plan = Plan::of(snap, paused);
    {
        let mut offered = lock(&state.tray.offered);
        if offered.as_ref() == Some(&plan) {
            return;
        }
        *offered = Some(plan.clone());
    }
    let idle = lock(&state.tray.pending).replace(plan).is_none();
    if idle {
        let handle = app.clone();
        if let Err(e) = app.run_on_main_thread(move || apply_pending(&handle)) {
            tracing::warn!(error = %e, "tray menu not updated");
        }
    }
}

fn apply_pending(app: &AppHandle) {
    let state = app.state::<AppState>();
    let Some(plan) = lock(&state.tray.pending).take() else { return };
    let started = Instant::now();
    if let Some(shown) = lock(&state.tray.shown).as_mut() {
        if let Err(e) = shown.apply(app, &plan) {
            tracing::warn!(error = %e, "tray menu not updated");
        }
    }
    tracing::debug!(
        micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        workspaces = plan.entries.len(),
        "tray menu updated on the main thread"
    );
}

pub fn show_window(app: &AppHandle) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
}

fn on_menu(app: &AppHandle, event: tauri::menu::MenuEvent) {
    match event.id().as_ref() {
        "show" => show_window(app),
        "quit" => app.exit(0),
        "pause" => {
            // Settings are saved to disk: off the main thread.
            let app = app.clone();
            tauri::async_runtime::spawn_blocking(move || toggle_pause(&app));
        }
        other => {
            if let Some(item) = item_id::parse(other) {
                clicked(app, item);
            }
        }
    }
}

/// The Node saves the change and tells the tray (and the window) through its Settings event.
fn toggle_pause(app: &AppHandle) {
    let Ok(node) = app.state::<AppState>().node() else { return };
    let paused = !node.settings().notifications.paused;
    if let Err(e) = node.set_paused(paused, Origin::Tray) {
        tracing::warn!(code = e.code(), "settings not saved");
    }
}

fn clicked(app: &AppHandle, item: ItemId) {
    let Ok(node) = app.state::<AppState>().node() else { return };
    if resolve(&node.snapshot(), &item).is_none() {
        tracing::info!(verb = item.verb.as_str(), "tray item no longer applies; nothing done");
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move { act(&app, &item).await });
}

async fn act(app: &AppHandle, item: &ItemId) {
    let Ok(node) = app.state::<AppState>().node() else { return };
    let (account, id) = (item.account.as_str(), item.id.as_str());
    let result = match item.verb {
        Verb::Start => node.act(Origin::Tray, account, id, Action::Start).await,
        Verb::Stop => node.act(Origin::Tray, account, id, Action::Stop).await,
        Verb::Open => match node.hangar().link(account, id, LinkKind::Browser).await {
            Ok(link) => hangar_core::platform::check_openable(&link.url).and_then(|_| {
                app.opener()
                    .open_url(link.url, None::<&str>)
                    .map_err(|e| hangar_core::Error::Unavailable(format!("could not open the link: {e}")))
            }),
            Err(e) => Err(e),
        },
    };
    if let Err(e) = result {
        let note = hangar_core::notifications::Note {
            kind: hangar_core::notifications::NoteKind::Errored,
            summary: format!("Could not {} the workspace", item.verb.as_str()),
            body: e.to_string(),
            target: None,
            actions: vec![],
        };
        crate::notify::show(app, &note);
    }
}

#[cfg(test)]
mod tests {
    use super::item_id::{self, ItemId, Verb};
    use super::*;
    use hangar_core::{Hardware, Link, ProviderId};

    fn item(account: &str, id: &str, verb: Verb) -> ItemId {
        ItemId { account: account.into(), id: id.into(), verb }
    }

    #[test]
    fn item_ids_round_trip_any_account_and_workspace_id() {
        let tricky = [
            ("demo-gpu", "65d252d7-15ef-cb8f-3d8f-3fc1e1122250"),
            ("team:prod", "projects/ml/workspaces/a:b"),
            ("a/b", "ws:0:stop"),
            ("100%", "%3A"),
            ("%25", "::"),
            ("", ""),
            ("Zoë's cloud", "naïve/ü:日本"),
            ("spaces and\ttabs", "trailing%"),
        ];
        for (account, id) in tricky {
            for verb in [Verb::Start, Verb::Stop, Verb::Open] {
                let original = item(account, id, verb);
                let text = item_id::format(&original);
                assert_eq!(item_id::parse(&text), Some(original), "{text}");
            }
        }
    }

    #[test]
    fn an_item_id_keeps_its_fields_apart() {
        let text = item_id::format(&item("a:b", "c", Verb::Stop));
        assert_eq!(text, "ws:stop:a%3Ab:c");
        assert_ne!(text, item_id::format(&item("a", "b:c", Verb::Stop)));
    }

    #[test]
    fn other_ids_are_not_workspace_items() {
        for text in [
            "show",
            "quit",
            "pause",
            "ws:0:stop",
            "ws:stop:a",
            "ws:stop:a:b:c",
            "ws:delete:a:b",
            "ws:stop:a%:b",
            "ws:stop:a%2:b",
            "ws:stop:a%41:b",
            "xs:stop:a:b",
        ] {
            assert_eq!(item_id::parse(text), None, "{text}");
        }
    }

    fn workspace(account: &str, id: &str, name: &str, state: WorkspaceState, actions: &[Action]) -> Workspace {
        Workspace {
            account: account.into(),
            provider: ProviderId::ALL[0],
            id: id.into(),
            name: name.into(),
            state,
            raw_state: state.to_string(),
            hardware: Hardware::default(),
            created_at: None,
            started_at: None,
            cost: hangar_core::model::Cost::default(),
            links: vec![],
            actions: actions.to_vec(),
            details: Default::default(),
            error: None,
        }
    }

    fn snapshot(workspaces: Vec<Workspace>) -> Snapshot {
        Snapshot { workspaces, ..Snapshot::default() }
    }

    #[test]
    fn a_click_acts_only_on_the_workspace_its_item_names() {
        let snap = snapshot(vec![
            workspace("acct", "a", "alpha", WorkspaceState::Stopped, &[Action::Start]),
            workspace("acct", "b", "beta", WorkspaceState::Running, &[Action::Stop]),
        ]);
        let hit = resolve(&snap, &item("acct", "b", Verb::Stop)).map(|w| w.id.as_str());
        assert_eq!(hit, Some("b"));
        // After a re-sort beta is second, and the item still names beta.
        let resorted = snapshot(vec![
            workspace("acct", "c", "gamma", WorkspaceState::Running, &[Action::Stop]),
            workspace("acct", "b", "beta", WorkspaceState::Running, &[Action::Stop]),
        ]);
        assert_eq!(resolve(&resorted, &item("acct", "b", Verb::Stop)).map(|w| w.id.as_str()), Some("b"));
    }

    #[test]
    fn a_click_does_nothing_once_its_workspace_or_action_is_gone() {
        let snap = snapshot(vec![
            workspace("acct", "a", "alpha", WorkspaceState::Stopped, &[Action::Start]),
            workspace("acct", "b", "beta", WorkspaceState::Stopping, &[Action::Stop]),
            workspace("other", "c", "gamma", WorkspaceState::Running, &[Action::Stop]),
        ]);
        assert!(resolve(&snap, &item("acct", "gone", Verb::Stop)).is_none(), "not in the snapshot");
        assert!(resolve(&snap, &item("acct", "a", Verb::Stop)).is_none(), "a stopped workspace offers no Stop");
        assert!(resolve(&snap, &item("acct", "b", Verb::Stop)).is_none(), "not while it is stopping");
        assert!(resolve(&snap, &item("acct", "c", Verb::Stop)).is_none(), "same id, other account");
        assert!(resolve(&snap, &item("acct", "a", Verb::Open)).is_none(), "no browser link");
        assert!(resolve(&snap, &item("acct", "a", Verb::Start)).is_some());
    }

    #[test]
    fn open_needs_a_browser_link() {
        let mut w = workspace("acct", "a", "alpha", WorkspaceState::Running, &[Action::Stop]);
        w.links.push(Link { kind: LinkKind::Browser, url: "http://127.0.0.1:1/".into(), label: None, ssh_alias: None });
        let snap = snapshot(vec![w]);
        assert!(resolve(&snap, &item("acct", "a", Verb::Open)).is_some());
    }

    #[test]
    fn the_plan_lists_running_then_transitional_then_the_rest() {
        let snap = snapshot(vec![
            workspace("acct", "a", "alpha", WorkspaceState::Stopped, &[Action::Start]),
            workspace("acct", "b", "beta", WorkspaceState::Stopping, &[Action::Stop]),
            workspace("acct", "c", "gamma", WorkspaceState::Running, &[Action::Stop]),
        ]);
        let plan = Plan::of(&snap, false);
        let ids: Vec<&str> = plan.entries.iter().map(|e| e.key.1.as_str()).collect();
        assert_eq!(ids, ["c", "b", "a"]);
        assert_eq!(plan.entries[1].items, [(Verb::Stop, false)], "no Stop while stopping");
        assert_eq!(plan.entries[1].label, "beta — Stopping…");
    }

    #[test]
    fn a_running_entry_shows_its_rate_beside_its_name() {
        let mut gpu = workspace("acct", "a", "trainer", WorkspaceState::Running, &[Action::Stop]);
        gpu.hardware.gpu = Some(hangar_core::Gpu { kind: "a100".into(), count: 2 });
        gpu.cost = hangar_core::model::Cost::priced(gpu.state, Some(4.8), "USD", hangar_core::RateSource::YourRates);
        assert_eq!(item_label(&gpu), "trainer · 2× A100 · ≈ $4.80/h — Running");
        let mut credits = workspace("acct", "b", "notebooks", WorkspaceState::Running, &[Action::Stop]);
        credits.cost =
            hangar_core::model::Cost::priced(credits.state, Some(12.5), "credits", hangar_core::RateSource::Vendor);
        assert_eq!(item_label(&credits), "notebooks · 12.5 cr/h — Running");
        let mut stopped = workspace("acct", "c", "idle", WorkspaceState::Stopped, &[Action::Start]);
        stopped.cost =
            hangar_core::model::Cost::priced(stopped.state, Some(4.8), "USD", hangar_core::RateSource::Vendor);
        assert_eq!(item_label(&stopped), "idle — Stopped", "a stopped workspace's 0 is not shown");
        let unknown = workspace("acct", "d", "mystery", WorkspaceState::Running, &[Action::Stop]);
        assert_eq!(item_label(&unknown), "mystery — Running", "no rate known: none shown");
    }

    #[test]
    fn the_total_heads_the_menu_only_while_something_runs() {
        let mut snap = snapshot(vec![workspace("acct", "a", "alpha", WorkspaceState::Stopped, &[Action::Start])]);
        assert_eq!(Plan::of(&snap, false).total, None, "zero totals show nothing");
        snap.totals = hangar_core::cost::Totals {
            running: 3,
            gpus: 9,
            spend: vec![hangar_core::cost::Spend { currency: "USD".into(), per_hour: 14.2, ..Default::default() }],
            ..Default::default()
        };
        assert_eq!(Plan::of(&snap, false).total.as_deref(), Some("3 running · 9 GPUs · ≈ $14.20/h"));
    }

    #[test]
    fn an_ampersand_in_a_name_is_shown_not_taken_for_a_mnemonic() {
        assert_eq!(menu_text("R&D — Running"), "R&&D — Running");
        assert_eq!(menu_text("a && b"), "a &&&& b");
    }

    fn stays(positions: &[Option<usize>]) -> Vec<usize> {
        let mut out: Vec<usize> = longest_increasing(positions).into_iter().collect();
        out.sort_unstable();
        out
    }

    #[test]
    fn reordering_moves_as_few_submenus_as_it_can() {
        assert_eq!(stays(&[Some(0), Some(1), Some(2)]), [0, 1, 2]);
        // The first one moved behind two others: only it moves.
        assert_eq!(stays(&[Some(1), Some(2), Some(0), Some(3)]), [1, 2, 3]);
        // New entries (None) do not break the run.
        assert_eq!(stays(&[None, Some(0), None, Some(1)]), [0, 1]);
        assert_eq!(stays(&[Some(2), Some(1), Some(0)]).len(), 1);
        assert!(stays(&[]).is_empty());
    }
}
