//! A loopback HTTP/1.1 server for tests that need a server to answer exactly what a hostile
//! or broken one would: a redirect elsewhere, nothing at all, a body that never ends. It
//! records every request whole (head and body) and counts connections.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // each test file uses part of it

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server answers one request with.
#[derive(Clone)]
pub enum Answer {
    Reply {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// A 200 whose body never ends.
    Endless,
    /// Nothing, ever (the connection stays open).
    Hang,
}

pub fn reply(status: u16, body: &str) -> Answer {
    Answer::Reply { status, headers: vec![("Content-Type".into(), "application/json".into())], body: body.into() }
}

pub fn redirect(status: u16, location: &str) -> Answer {
    Answer::Reply { status, headers: vec![("Location".into(), location.into())], body: String::new() }
}

type Route = Arc<dyn Fn(&str) -> Answer + Send + Sync>;

pub struct Canned {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub base_url: String,
    pub port: u16,
    seen: Arc<Mutex<Vec<String>>>,
    connections: Arc<AtomicUsize>,
}

impl Canned {
    /// Answers each request with what `route` says for its request line ("GET /path HTTP/1.1").
    pub async fn start(route: impl Fn(&str) -> Answer + Send + Sync + 'static) -> Canned {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let route: Route = Arc::new(route);
        let (s, c) = (seen.clone(), connections.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                c.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(stream, route.clone(), s.clone()));
            }
        });
        Canned { base_url: format!("http://127.0.0.1:{port}"), port, seen, connections }
    }

    /// The same answer to every request.
    pub async fn always(answer: Answer) -> Canned {
        Canned::start(move |_| answer.clone()).await
    }

    pub fn requests(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// Serves the requests of one kept-alive connection.
async fn serve(mut stream: TcpStream, route: Route, seen: Arc<Mutex<Vec<String>>>) {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let head_end = loop {
            if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => data.extend_from_slice(&buf[..n]),
            }
        };
        let head = String::from_utf8_lossy(&data[..head_end]).to_string();
        let length = head
            .lines()
            .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string()))
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(0);
        while data.len() < head_end + length {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => data.extend_from_slice(&buf[..n]),
            }
        }
        seen.lock().unwrap().push(String::from_utf8_lossy(&data[..head_end + length]).to_string());
        data.drain(..head_end + length);
        let line = head.lines().next().unwrap_or_default().to_string();
        match route(&line) {
            Answer::Hang => {
                tokio::time::sleep(Duration::from_secs(300)).await;
                return;
            }
            Answer::Endless => {
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n";
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let filler = vec![b' '; 64 * 1024];
                while stream.write_all(&filler).await.is_ok() {}
                return;
            }
            Answer::Reply { status, headers, body } => {
                let mut out = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\n", body.len());
                for (k, v) in headers {
                    out.push_str(&format!("{k}: {v}\r\n"));
                }
                out.push_str("\r\n");
                out.push_str(&body);
                if stream.write_all(out.as_bytes()).await.is_err() {
                    return;
                }
            }
        }
    }
}
