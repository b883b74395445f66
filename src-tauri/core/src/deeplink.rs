//! `hangar://` links: what another program (a browser, a chat message) may ask the app to do.
//! Only `hangar://open?account=A&workspace=ID` exists: focus that workspace's card.

use crate::error::{Error, Result};

pub const SCHEME: &str = "hangar";

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct FocusTarget {
    pub account: String,
    pub workspace: String,
}

pub fn parse(link: &str) -> Result<FocusTarget> {
    let bad = |why: &str| Error::invalid("url", format!("Hangar cannot follow this link ({why})"));
    let url = url::Url::parse(link).map_err(|_| bad("not a valid URL"))?;
    if url.scheme() != SCHEME {
        return Err(bad("not a hangar:// link"));
    }
    // `hangar://open?…` parses with "open" as the host; `hangar:open?…` as the path.
    let verb = url.host_str().filter(|h| !h.is_empty()).unwrap_or_else(|| url.path().trim_matches('/'));
    if verb != "open" {
        return Err(bad(&format!("unknown action '{}'", verb.chars().take(32).collect::<String>())));
    }
    let get = |key: &str| {
        url.query_pairs()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
            .filter(|v| !v.trim().is_empty() && v.chars().count() <= 256 && !v.chars().any(char::is_control))
    };
    match (get("account"), get("workspace")) {
        (Some(account), Some(workspace)) => Ok(FocusTarget { account, workspace }),
        _ => Err(bad("it needs account= and workspace=")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_links_name_an_account_and_a_workspace() {
        let t = parse("hangar://open?account=work%20gpu&workspace=ws_123").unwrap();
        assert_eq!(t, FocusTarget { account: "work gpu".into(), workspace: "ws_123".into() });
        assert!(parse("hangar:open?account=a&workspace=b").is_ok());
    }

    #[test]
    fn anything_else_is_refused_clearly() {
        for bad in [
            "hangar://delete?account=a&workspace=b",
            "hangar://open?account=a",
            "hangar://open?account=&workspace=b",
            "https://open?account=a&workspace=b",
            "hangar://open?account=a&workspace=%07",
            "not a url",
        ] {
            let e = parse(bad).unwrap_err();
            assert_eq!(e.field(), Some("url"), "{bad}");
        }
    }

    /// The app registers the scheme through the deep-link plugin's configuration; the links it
    /// then hears must be the ones parsed here.
    #[test]
    fn the_app_registers_the_scheme_parsed_here() {
        let conf = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tauri.conf.json");
        let conf: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(conf).unwrap()).unwrap();
        let schemes = &conf["plugins"]["deep-link"]["desktop"]["schemes"];
        assert_eq!(schemes, &serde_json::json!([SCHEME]), "tauri.conf.json's deep-link schemes");
    }
}
