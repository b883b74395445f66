//! The byte pipe behind an SSH `ProxyCommand`: standard input goes to a provider's WebSocket
//! as binary messages, binary messages come back on standard output, until either side ends.

use futures::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderValue, StatusCode};
use tokio_tungstenite::tungstenite::{self, Message};
use url::Url;

use crate::error::{Error, Result};
use crate::http::is_loopback_host;

/// Where a workspace's tunnel is and the short-lived token that opens it.
#[derive(Clone, PartialEq)]
pub struct TunnelTarget {
    pub url: String,
    pub bearer: String,
}

impl std::fmt::Debug for TunnelTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TunnelTarget").field("url", &self.url).finish_non_exhaustive()
    }
}

/// How long to wait for the server's answer to our close once the SSH client has gone.
const CLOSE_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// Connects and pumps bytes both ways; returns when the server closes or, after standard
/// input ends, when the server has acknowledged the close.
pub async fn pump<R, W>(target: &TunnelTarget, mut input: R, mut output: W) -> Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let url = checked_url(&target.url)?;
    let host = url.host_str().unwrap_or_default().to_string();
    let mut request = url
        .as_str()
        .into_client_request()
        .map_err(|e| Error::BadResponse { message: format!("tunnel address {}: {e}", url) })?;
    let bearer = HeaderValue::from_str(&format!("Bearer {}", target.bearer))
        .map_err(|_| Error::BadResponse { message: "the tunnel token is not a valid header value".into() })?;
    request.headers_mut().insert("authorization", bearer);
    let (socket, _) = tokio_tungstenite::connect_async(request).await.map_err(|e| connect_error(&host, e))?;
    let (mut to_server, mut from_server) = socket.split();

    let downstream = async {
        while let Some(message) = from_server.next().await {
            let message = match message {
                Ok(m) => m,
                // The server hung up without the closing handshake: the session is over all the same.
                Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => break,
                Err(tungstenite::Error::Protocol(tungstenite::error::ProtocolError::ResetWithoutClosingHandshake)) => {
                    break
                }
                Err(e) => return Err(Error::Unavailable(format!("tunnel to {host} broke: {e}"))),
            };
            match message {
                Message::Binary(bytes) => output.write_all(&bytes).await?,
                Message::Text(text) => output.write_all(text.as_bytes()).await?,
                Message::Close(_) => break,
                _ => continue,
            }
            output.flush().await?;
        }
        Ok::<(), Error>(())
    };
    let upstream = async {
        let mut buf = vec![0u8; 32 * 1024];
        loop {
            let n = input.read(&mut buf).await?;
            if n == 0 {
                let _ = to_server.send(Message::Close(None)).await;
                return Ok::<(), Error>(());
            }
            to_server
                .send(Message::binary(buf[..n].to_vec()))
                .await
                .map_err(|e| Error::Unavailable(format!("tunnel to {host} broke: {e}")))?;
        }
    };
    tokio::pin!(downstream, upstream);
    tokio::select! {
        done = &mut downstream => done,
        sent = &mut upstream => {
            sent?;
            match tokio::time::timeout(CLOSE_GRACE, downstream).await {
                Ok(done) => done,
                Err(_) => Ok(()),
            }
        }
    }
}

/// `wss://` always, `ws://` only to a loopback host (the demo clouds), like base URLs.
fn checked_url(text: &str) -> Result<Url> {
    let url =
        Url::parse(text).map_err(|_| Error::BadResponse { message: format!("'{text}' is not a tunnel address") })?;
    match url.scheme() {
        "wss" => Ok(url),
        "ws" if is_loopback_host(&url) => Ok(url),
        _ => Err(Error::BadResponse { message: format!("tunnel address '{text}' must use wss://") }),
    }
}

fn connect_error(host: &str, e: tungstenite::Error) -> Error {
    match e {
        tungstenite::Error::Http(response) => {
            let status = response.status();
            match status {
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                    Error::Unauthorized(format!("{host} refused the tunnel token ({status})"))
                }
                StatusCode::NOT_FOUND => Error::NotFound(format!("{host} has no SSH tunnel (404)")),
                StatusCode::TOO_MANY_REQUESTS => {
                    Error::RateLimited { retry_after_secs: None, message: format!("{host} is rate limiting tunnels") }
                }
                _ => Error::Unavailable(format!("{host} refused the tunnel: {status}")),
            }
        }
        other => Error::Unavailable(format!("could not open the tunnel to {host}: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_ws_is_only_for_loopback() {
        assert!(checked_url("ws://127.0.0.1:9/sshws").is_ok());
        assert!(checked_url("wss://ses-1.example.test/sshws").is_ok());
        assert_eq!(checked_url("ws://ses-1.example.test/sshws").unwrap_err().code(), "bad_response");
        assert!(checked_url("https://ses-1.example.test/sshws").is_err());
    }

    #[test]
    fn debug_never_shows_the_token() {
        let t = TunnelTarget { url: "wss://h/sshws".into(), bearer: "tok-secret-123".into() };
        assert!(!format!("{t:?}").contains("tok-secret-123"));
    }
}
