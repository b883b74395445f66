#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `KeyringStore` against a real Secret Service: a private D-Bus session with an unlocked
//! gnome-keyring, as `tests/run.sh` runs the rust layer. On Linux, reads go over one session
//! the store keeps open; these tests prove it always reads the item as it is now.

use hangar_core::secrets::{Credentials, KeyringStore, SecretStore};

fn token(store: &KeyringStore, account: &str) -> Option<String> {
    store.load(account).expect("the keyring answers").and_then(|c| c.get("token").map(str::to_string))
}

#[test]
fn reads_follow_every_write_and_the_removal() {
    let store = KeyringStore::default();
    let account = format!("hangar-core-test-rw-{}", std::process::id());
    assert_eq!(token(&store, &account), None, "no item before the first write");
    store.save(&account, &Credentials::single("token", "first-value")).unwrap();
    assert_eq!(token(&store, &account).as_deref(), Some("first-value"));
    // The same store (and so the same open session) reads the replaced value, not a copy.
    store.save(&account, &Credentials::single("token", "second-value")).unwrap();
    assert_eq!(token(&store, &account).as_deref(), Some("second-value"));
    // A second store, as another process would, sees what the first one wrote.
    assert_eq!(token(&KeyringStore::default(), &account).as_deref(), Some("second-value"));
    store.remove(&account).unwrap();
    assert_eq!(token(&store, &account), None, "the removed item is gone for the open session too");
}

#[test]
fn parallel_reads_of_several_accounts_each_get_their_own() {
    let store = std::sync::Arc::new(KeyringStore::default());
    let accounts: Vec<String> = (0..4).map(|i| format!("hangar-core-test-par-{}-{i}", std::process::id())).collect();
    for a in &accounts {
        store.save(a, &Credentials::single("token", format!("value-of-{a}"))).unwrap();
    }
    let readers: Vec<_> = accounts
        .iter()
        .cycle()
        .take(12)
        .map(|a| {
            let (store, a) = (store.clone(), a.clone());
            std::thread::spawn(move || (token(&store, &a), a))
        })
        .collect();
    for r in readers {
        let (got, a) = r.join().unwrap();
        assert_eq!(got, Some(format!("value-of-{a}")), "each read returns its own account's item");
    }
    for a in &accounts {
        store.remove(a).unwrap();
    }
}
