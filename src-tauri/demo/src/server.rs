//! What every demo cloud shares: a loopback listener, realistic timings, injected faults.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio::net::TcpListener;

/// How long a demo workspace takes to pass through its transitional states.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub provision: Duration,
    pub transition: Duration,
}

impl Timing {
    /// What a person sees in demo mode: a few seconds per transition.
    pub fn realistic() -> Timing {
        Timing { provision: Duration::from_secs(5), transition: Duration::from_secs(3) }
    }

    pub fn quick() -> Timing {
        Timing { provision: Duration::from_millis(600), transition: Duration::from_millis(400) }
    }
}

/// One injected answer, used once by the next request whose path contains `path` (or any).
#[derive(Debug, Clone, Default)]
pub struct Fault {
    pub path: Option<String>,
    pub status: u16,
    pub body: String,
    pub content_type: Option<String>,
    pub retry_after: Option<u64>,
    /// Wait this long before answering (longer than the client's timeout = a hang).
    pub delay: Option<Duration>,
}

impl Fault {
    pub fn status(status: u16, body: &str) -> Fault {
        Fault { status, body: body.into(), content_type: Some("application/json".into()), ..Fault::default() }
    }

    pub fn html(status: u16) -> Fault {
        Fault {
            status,
            body: "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>".into(),
            content_type: Some("text/html".into()),
            ..Fault::default()
        }
    }

    pub fn on(mut self, path: &str) -> Fault {
        self.path = Some(path.into());
        self
    }
}

#[derive(Clone, Default)]
pub(crate) struct Faults(Arc<Mutex<Vec<Fault>>>);

impl Faults {
    fn take(&self, path: &str) -> Option<Fault> {
        let mut list = self.0.lock().ok()?;
        let i = list.iter().position(|f| f.path.as_deref().is_none_or(|p| path.contains(p)))?;
        Some(list.remove(i))
    }
}

pub(crate) async fn inject(State(faults): State<Faults>, req: Request, next: Next) -> Response {
    let Some(fault) = faults.take(req.uri().path()) else {
        return next.run(req).await;
    };
    if let Some(d) = fault.delay {
        tokio::time::sleep(d).await;
        if fault.status == 0 {
            return next.run(req).await;
        }
    }
    let mut resp = Response::new(Body::from(fault.body));
    *resp.status_mut() = StatusCode::from_u16(fault.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Some(ct) = fault.content_type.and_then(|c| HeaderValue::from_str(&c).ok()) {
        resp.headers_mut().insert("content-type", ct);
    }
    if let Some(s) = fault.retry_after {
        resp.headers_mut().insert("retry-after", HeaderValue::from(s));
    }
    resp.into_response()
}

/// A running demo server; it stops when dropped.
pub struct DemoServer {
    pub base_url: String,
    faults: Faults,
    task: tokio::task::JoinHandle<()>,
    hits: Arc<Mutex<Vec<String>>>,
}

impl DemoServer {
    pub(crate) async fn serve(app: Router<()>, faults: Faults) -> std::io::Result<DemoServer> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let hits: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = hits.clone();
        let app = app.layer(axum::middleware::from_fn_with_state(faults.clone(), inject)).layer(
            axum::middleware::from_fn(move |req: Request, next: Next| {
                let log = log.clone();
                async move {
                    if let Ok(mut l) = log.lock() {
                        l.push(format!("{} {}", req.method(), req.uri()));
                    }
                    next.run(req).await
                }
            }),
        );
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "demo server stopped");
            }
        });
        Ok(DemoServer { base_url: format!("http://127.0.0.1:{}", addr.port()), faults, task, hits })
    }

    /// Queues a fault for the next matching request.
    pub fn inject(&self, fault: Fault) {
        if let Ok(mut f) = self.faults.0.lock() {
            f.push(fault);
        }
    }

    /// Every request received so far, as "METHOD /path?query".
    pub fn requests(&self) -> Vec<String> {
        self.hits.lock().map(|h| h.clone()).unwrap_or_default()
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
