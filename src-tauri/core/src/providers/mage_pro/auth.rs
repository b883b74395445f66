//! Mage's user token: `POST /api/sessions` answers an HS256 JWT whose payload is
//! `{"expires": <epoch secs>, "token": "<raw token>"}`. The raw token is what the
//! `OAUTH-TOKEN` header carries; the JWT as a whole is what users can paste (the
//! `oauth_token` cookie) and what Hangar keeps in the keyring. No signature check: the
//! server checks it, Hangar only reads the expiry and the raw token.

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use serde::Deserialize;

/// A token ready to send, and what Hangar knows about its lifetime. `Debug` hides the values.
#[derive(Clone, PartialEq)]
pub struct Token {
    /// As stored: the JWT from sign-in (or whatever the user pasted).
    pub stored: String,
    /// As sent in `OAUTH-TOKEN`.
    pub raw: String,
    /// Epoch seconds, when the JWT says.
    pub expires: Option<i64>,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token").field("expires", &self.expires).finish_non_exhaustive()
    }
}

/// Sign in again this long before the JWT says the token dies, so a call never races it.
pub const EXPIRY_MARGIN_SECS: i64 = 60;

impl Token {
    /// A token from a JWT (its inner raw token and expiry), or a pasted raw token as it is.
    pub fn parse(text: &str) -> Token {
        let stored = text.trim().to_string();
        match jwt_payload(&stored) {
            Some(p) => Token {
                raw: p.token.filter(|t| !t.trim().is_empty()).unwrap_or_else(|| stored.clone()),
                expires: p.expires.or(p.exp).and_then(|v| v.as_epoch()),
                stored,
            },
            None => Token { raw: stored.clone(), expires: None, stored },
        }
    }

    pub fn expired_at(&self, now_epoch: i64) -> bool {
        self.expires.is_some_and(|e| e <= now_epoch + EXPIRY_MARGIN_SECS)
    }
}

#[derive(Deserialize)]
struct Payload {
    token: Option<String>,
    /// Mage's own claim.
    expires: Option<Epoch>,
    /// The registered JWT claim, in case a Pro release switches to it.
    exp: Option<Epoch>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Epoch {
    Number(f64),
    Text(String),
}

impl Epoch {
    fn as_epoch(&self) -> Option<i64> {
        let n = match self {
            Epoch::Number(n) => *n,
            Epoch::Text(t) => t.trim().parse().ok()?,
        };
        (n.is_finite() && n > 0.0 && n < 1e13).then_some(n as i64)
    }
}

fn jwt_payload(jwt: &str) -> Option<Payload> {
    let mut parts = jwt.split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    serde_json::from_slice(&base64url_decode(payload)?).ok()
}

/// Base64url without padding (RFC 7515), also taking `=` padding and the standard alphabet.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &alphabet::URL_SAFE,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    let url_safe: String = text
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    LENIENT.decode(url_safe).ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A JWT as Mage 0.9.80 signs it (header and signature are never read).
    const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.\
        eyJleHBpcmVzIjogMTc5ODEyNzA3MS4zNTEsICJ0b2tlbiI6ICI0YjFlYmQ2MmFmNTY0MjlhOTcyNTRiMTU2ODBmYmM0YSJ9.\
        c2lnbmF0dXJl";

    #[test]
    fn base64url_decodes_with_and_without_padding() {
        assert_eq!(base64url_decode("aGk").unwrap(), b"hi");
        assert_eq!(base64url_decode("aGk=").unwrap(), b"hi");
        assert_eq!(base64url_decode("_-8").unwrap(), vec![0xff, 0xef]);
        assert_eq!(base64url_decode("/+8").unwrap(), vec![0xff, 0xef]);
        assert_eq!(base64url_decode("").unwrap(), b"");
        assert_eq!(base64url_decode("a"), None, "a cut-off text");
        assert_eq!(base64url_decode("a.b"), None);
    }

    #[test]
    fn mage_jwt_gives_raw_token_and_expiry() {
        let t = Token::parse(JWT);
        assert_eq!(t.raw, "4b1ebd62af56429a97254b15680fbc4a");
        assert_eq!(t.expires, Some(1_798_127_071));
        assert_eq!(t.stored, JWT);
        assert!(!t.expired_at(1_798_127_071 - 61));
        assert!(t.expired_at(1_798_127_071 - 59), "within the margin counts as expired");
        assert!(!format!("{t:?}").contains("4b1ebd62"), "Debug hides the token");
    }

    #[test]
    fn exp_claim_string_expiry_and_pasted_raw_tokens() {
        let payload = |json: &str| {
            let b64: String = encode(json.as_bytes());
            format!("h.{b64}.s")
        };
        let t = Token::parse(&payload(r#"{"exp": 1700000000, "token": "abc"}"#));
        assert_eq!((t.raw.as_str(), t.expires), ("abc", Some(1_700_000_000)));
        let t = Token::parse(&payload(r#"{"expires": "1700000001"}"#));
        assert_eq!(t.expires, Some(1_700_000_001));
        assert_eq!(t.raw, t.stored, "no inner token: the JWT itself is sent");
        let t = Token::parse("  0123456789abcdef0123456789abcdef\n");
        assert_eq!((t.raw.as_str(), t.expires), ("0123456789abcdef0123456789abcdef", None));
        assert!(!t.expired_at(i64::MAX - EXPIRY_MARGIN_SECS), "no known expiry never counts as expired");
        let t = Token::parse("a.!!!.c");
        assert_eq!((t.raw.as_str(), t.expires), ("a.!!!.c", None));
    }

    fn encode(bytes: &[u8]) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }
}
