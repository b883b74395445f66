//! Editing an account against demo clouds over real sockets: the new settings are proven with
//! one authenticated call before anything is saved.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use hangar_core::http::HttpSettings;
use hangar_core::secrets::{Credentials, MemoryStore};
use hangar_core::storage::Storage;
use hangar_core::{Account, Error, Hangar, ProviderId};
use hangar_demo::aether::{self, AetherDemo};
use hangar_demo::{Fault, Timing};

const TOKEN: &str = "hangar-test-secret-aether-edit";

async fn demo() -> AetherDemo {
    aether::start_with_token(Timing::quick(), TOKEN.into()).await.unwrap()
}

async fn hangar_on(demo: &AetherDemo) -> Hangar {
    let http = HttpSettings { connect_timeout: Duration::from_secs(1), timeout: Duration::from_secs(2), retries: 0 };
    let h = Hangar::new(Storage::in_memory(), Arc::new(MemoryStore::default()), http);
    let account = Account {
        name: "a".into(),
        provider: ProviderId::Aether,
        base_url: Some(demo.server.base_url.clone()),
        options: BTreeMap::from([("preview_port".into(), "3000".into())]),
    };
    h.add_account(account, Credentials::single("token", TOKEN), false).await.unwrap();
    h
}

fn options(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[tokio::test]
async fn edit_moves_an_account_to_a_new_base_url_and_options() {
    let (old, new) = (demo().await, demo().await);
    let h = hangar_on(&old).await;
    h.list(None).await.unwrap();

    let token = Credentials::single("token", TOKEN);
    h.edit_account("a", Some(format!("{}/", new.server.base_url)), options(&[("preview_port", "8080")]), Some(token))
        .await
        .unwrap();
    let a = h.account("a").unwrap();
    assert_eq!(a.base_url.as_deref(), Some(new.server.base_url.as_str()), "stored without the trailing slash");
    assert_eq!(a.options, options(&[("preview_port", "8080")]));
    let before = new.server.requests().len();
    h.list(None).await.unwrap();
    assert!(new.server.requests().len() > before, "the connected provider was rebuilt on the new URL");
}

#[tokio::test]
async fn a_bad_url_is_refused_on_its_field_and_nothing_changes() {
    let d = demo().await;
    let h = hangar_on(&d).await;
    let before = h.account("a").unwrap();
    for url in ["http://example.com", "not a url", "https://user:pw@example.com"] {
        let err = h.edit_account("a", Some(url.into()), BTreeMap::new(), None).await.unwrap_err();
        assert_eq!(err.field(), Some("base_url"), "{url}: {err}");
    }
    assert_eq!(h.account("a").unwrap(), before);
}

#[tokio::test]
async fn a_failed_check_with_the_new_settings_changes_nothing() {
    let (old, new) = (demo().await, demo().await);
    let h = hangar_on(&old).await;
    let before = h.account("a").unwrap();
    new.server.inject(Fault::status(401, r#"{"error":"Unauthorized"}"#).on("/profile"));
    let token = Credentials::single("token", TOKEN);
    let err = h.edit_account("a", Some(new.server.base_url.clone()), BTreeMap::new(), Some(token)).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
    assert!(err.to_string().contains("account 'a' was not changed"), "{err}");
    assert_eq!(h.account("a").unwrap(), before);
}

#[tokio::test]
async fn editing_an_unknown_account_is_not_found() {
    let d = demo().await;
    let h = hangar_on(&d).await;
    let err = h.edit_account("nobody", None, BTreeMap::new(), None).await.unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
}

#[tokio::test]
async fn a_new_address_never_sees_the_stored_token_and_asks_for_it_again() {
    let (old, new) = (demo().await, demo().await);
    let h = hangar_on(&old).await;
    let before = h.account("a").unwrap();
    assert!(h.edit_needs_credentials("a", Some(new.server.base_url.clone()), BTreeMap::new()).unwrap());

    let err = h.edit_account("a", Some(new.server.base_url.clone()), BTreeMap::new(), None).await.unwrap_err();
    assert_eq!(err.field(), Some("credentials"), "{err}");
    assert!(
        new.server.requests().is_empty(),
        "the new address was called with the stored token: {:?}",
        new.server.requests()
    );
    assert_eq!(h.account("a").unwrap(), before, "nothing changed");

    // The same origin with other options keeps the stored token.
    assert!(!h.edit_needs_credentials("a", before.base_url.clone(), options(&[("preview_port", "8080")])).unwrap());
    h.edit_account("a", before.base_url.clone(), options(&[("preview_port", "8080")]), None).await.unwrap();
}

#[tokio::test]
async fn new_credentials_given_with_a_move_are_checked_there_and_stored() {
    const NEW_TOKEN: &str = "hangar-test-secret-aether-moved";
    let old = demo().await;
    let new = aether::start_with_token(Timing::quick(), NEW_TOKEN.into()).await.unwrap();
    let h = hangar_on(&old).await;
    let given = Credentials::single("token", NEW_TOKEN);
    h.edit_account("a", Some(new.server.base_url.clone()), BTreeMap::new(), Some(given.clone())).await.unwrap();
    assert_eq!(h.credentials("a").await.unwrap(), Some(given));
    h.list(None).await.unwrap();
    assert!(old.server.requests().iter().all(|r| !r.contains("workspaces")), "listing went to the old address");
}

#[tokio::test]
async fn a_removed_account_leaves_no_listing_memory_behind() {
    let d = demo().await;
    let h = hangar_on(&d).await;
    let listed = h.list(None).await.unwrap();
    let mut ids: Vec<String> = listed.workspaces.iter().map(|w| w.id.clone()).collect();
    ids.sort_unstable();
    assert!(!ids.is_empty());
    assert!(!h.storage().listed_changed("a", ids.clone()), "the listing was remembered");
    h.remove_account("a").await.unwrap();
    assert!(h.storage().listed_changed("a", ids), "a new account of the same name starts afresh");
}
