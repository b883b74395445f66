//! Hangar's core: the domain model, the Provider trait and its vendors, accounts and
//! secrets, the watcher, and the runtime that owns them ([`node::Node`]). It knows nothing of
//! Tauri; the desktop app and `hangarctl` are two thin faces over the Node and [`Hangar`].

pub mod bindings;
pub mod boot;
pub mod budget;
pub mod clock;
pub mod cost;
pub mod deeplink;
pub mod error;
pub mod form;
pub mod forward;
pub mod hangar;
pub mod history;
pub mod http;
pub mod ide;
pub mod model;
pub mod node;
pub mod notifications;
pub mod platform;
pub mod provider;
pub mod providers;
pub mod quantity;
pub mod secrets;
pub mod settings;
pub mod ssh;
pub mod storage;
pub mod tunnel;
pub mod watcher;

pub use error::{Error, ErrorCode, ErrorPayload, Result};
pub use hangar::{Hangar, Listing};
pub use model::*;
