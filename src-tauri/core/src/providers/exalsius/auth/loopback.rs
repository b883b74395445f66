//! The page the browser comes back to after a sign-in: `http://127.0.0.1:<port>/callback`,
//! served by axum for as long as the sign-in waits. Browsers open more than one connection
//! (a preconnect, a favicon), and any page the user has open can send requests here, so every
//! request gets an answer and only the one carrying this sign-in's `state` ends it.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};

use super::{printable, LOOPBACK_PORTS};
use crate::error::{Error, Result};

/// How long the last page may take to reach the browser once the sign-in has its answer.
const LAST_PAGE_GRACE: Duration = Duration::from_secs(2);

/// The first free port of [`LOOPBACK_PORTS`] on 127.0.0.1.
pub(super) async fn bind() -> Result<(TcpListener, u16)> {
    for port in LOOPBACK_PORTS {
        if let Ok(l) = TcpListener::bind(("127.0.0.1", port)).await {
            return Ok((l, port));
        }
    }
    Err(Error::Unavailable(
        "ports 8999, 9000, 9001 and 9002 on 127.0.0.1 are all in use, and exalsius accepts the browser's answer \
         only there; free one of them, or sign in with a device code"
            .into(),
    ))
}

#[derive(Clone)]
struct Waiting {
    state: String,
    outcome: mpsc::Sender<Result<String>>,
}

/// Serves the listener until this sign-in's `/callback` comes, and answers with its code (or
/// why the sign-in failed). Dropping the future stops the server.
pub(super) async fn wait_for_code(listener: TcpListener, state: &str) -> Result<String> {
    let (outcome, mut outcomes) = mpsc::channel(1);
    let app = Router::new()
        .route("/callback", get(callback))
        .fallback(|| async { page(StatusCode::NOT_FOUND, "Not found") })
        .with_state(Waiting { state: state.to_string(), outcome });
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = axum::serve(listener, app).with_graceful_shutdown(async {
        let _ = stopped.await;
    });
    let server = StopOnDrop(tokio::spawn(async move {
        if let Err(e) = serving.await {
            tracing::debug!(error = %e, "the sign-in page stopped");
        }
    }));
    let code = outcomes.recv().await.unwrap_or_else(|| Err(Error::Internal("the sign-in page stopped".into())));
    let _ = stop.send(());
    // Graceful: the page that ended the sign-in is still on its way to the browser.
    let _ = tokio::time::timeout(LAST_PAGE_GRACE, server.finished()).await;
    code
}

async fn callback(State(waiting): State<Waiting>, RawQuery(query): RawQuery) -> Response {
    let q: BTreeMap<String, String> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect();
    if q.get("state") != Some(&waiting.state) {
        return page(StatusCode::BAD_REQUEST, "This is not the answer of the sign-in Hangar is waiting for.");
    }
    let (status, text, outcome) = if let Some(error) = q.get("error") {
        let why = q.get("error_description").map(|d| format!(" ({})", printable(d))).unwrap_or_default();
        let refused = Error::Unauthorized(format!("exalsius sign-in was refused: {}{why}", printable(error)));
        (StatusCode::OK, "Sign-in failed. You can close this tab and return to Hangar.", Err(refused))
    } else if let Some(code) = q.get("code").filter(|c| !c.is_empty()) {
        (StatusCode::OK, "Signed in to exalsius. You can close this tab and return to Hangar.", Ok(code.clone()))
    } else {
        let missing = Error::BadResponse { message: "exalsius redirected back without a sign-in code".into() };
        (StatusCode::BAD_REQUEST, "The sign-in answer carried no code.", Err(missing))
    };
    // The first answer decides; a second one (a reload) only gets its page.
    let _ = waiting.outcome.try_send(outcome);
    page(status, text)
}

fn page(status: StatusCode, text: &str) -> Response {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Hangar</title></head>\
         <body style=\"font-family:sans-serif\"><h2>Hangar</h2><p>{text}</p></body></html>"
    );
    (status, [(header::CACHE_CONTROL, "no-store")], Html(body)).into_response()
}

/// The server task, stopped when the sign-in ends however it ends (a timeout drops it).
struct StopOnDrop(tokio::task::JoinHandle<()>);

impl StopOnDrop {
    async fn finished(mut self) {
        let _ = (&mut self.0).await;
    }
}

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A browser's idle preconnect and its favicon request must not hold up the callback.
    #[tokio::test]
    async fn an_idle_preconnect_and_a_favicon_do_not_hold_up_the_callback() {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let browser = tokio::spawn(async move {
            let _preconnect = tokio::net::TcpStream::connect(base.trim_start_matches("http://")).await.unwrap();
            let favicon = reqwest::get(format!("{base}/favicon.ico")).await.unwrap().status();
            let page = reqwest::get(format!("{base}/callback?state=s-1&code=c-1")).await.unwrap();
            (favicon, page.status(), page.headers()["cache-control"].clone())
        });
        let code = tokio::time::timeout(Duration::from_secs(10), wait_for_code(listener, "s-1")).await;
        assert_eq!(code.expect("the callback ended the wait").unwrap(), "c-1");
        let (favicon, page, cache) = browser.await.unwrap();
        assert_eq!((favicon.as_u16(), page.as_u16(), cache.to_str().unwrap()), (404, 200, "no-store"));
    }
}
