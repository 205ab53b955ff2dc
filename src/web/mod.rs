//! The browser view: `cryptolab web`, and `--web PORT` on `serve` and `proxy`
//! — the fourth observer of the event stream.
//!
//! Nothing here knows what a frame means. The page is fed the same JSON
//! objects as `--json` (`docs/EVENTS.md`), each with two more fields: `id`
//! (its number in this view, from 1) and `source` (the program that sent it:
//! `serve`, `proxy`, `serve 2` for a second server). The page draws a frame's bytes from its
//! `spans` and `marks`, so whatever the text dump shows, the page shows.
//!
//! ```text
//! serve --web 8080 ─┐ (the first one binds 8080 and is the view)
//! proxy --web 8080 ─┼─▶ Hub ──▶ GET /events (server-sent events) ──▶ the page
//! cryptolab web    ─┘   ▲
//!          a later program finds 8080 taken and streams to it:
//!          POST /ingest (JSON lines), from 127.0.0.1 only
//! ```
//!
//! * [`Hub`] keeps the last [`RECENT`] events, at most [`RECENT_BYTES`] of
//!   them (a page opened late still sees the session so far), and hands
//!   each new one to every open page.
//! * [`WebObserver`] is the [`Observer`] that puts a program's events into a
//!   hub in the same process; [`feed`] is the one that streams them to a hub
//!   in another process.
//! * [`assets`] is the page: plain HTML, CSS and JavaScript modules compiled
//!   into the binary (no CDN, no network, no build step).
//!
//! # What a hostile web page cannot do
//!
//! The view listens on 127.0.0.1 unless `--listen` says otherwise, but any
//! web site the user visits can make the browser send requests to
//! 127.0.0.1. So every request is checked (`guard`) before it is routed:
//!
//! * **DNS rebinding:** the `Host` header must name this server by a
//!   loopback address or `localhost` (or the `--listen` address), so a page
//!   on `evil.example` that re-points its name to 127.0.0.1 is refused.
//! * **Cross-site requests:** a request that carries an `Origin` other than
//!   the view's own is refused, and no CORS header is ever given.
//! * **Injected events:** `/ingest` is accepted only from a loopback
//!   address, without an `Origin`, and with the header
//!   `X-Cryptolab-Feed: 1` (a header a browser cannot add cross-site).
//! * **Size:** a line fed in is bounded ([`MAX_INGEST_LINE`]), events are
//!   cut to [`MAX_EVENT`] bytes, and at most [`MAX_PAGES`] pages stream at
//!   once.
//! * Every response carries a strict Content-Security-Policy (scripts and
//!   styles from the view itself only, no inline script, no framing).
//! * The demos (`/api/…`, [`api`]) take only `application/json` or
//!   `application/octet-stream` bodies (which a cross-site form cannot
//!   send), bounded in size and rate, one run at a time.
//! * No endpoint runs a command or opens a path: a picture for the ECB
//!   demo is sent as bytes by the page, from a file the user chose.

pub mod api;
pub mod assets;
pub mod feed;

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{self, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures_util::Stream;
use serde_json::{Value, json};
use tokio::sync::broadcast;

use crate::events::{Event, Observer};

/// Events kept for a page opened late …
pub const RECENT: usize = 5000;
/// … and at most this many bytes of them (the oldest go first).
pub const RECENT_BYTES: usize = 32 * 1024 * 1024;
/// The most bytes of JSON one event may take in the view; a bigger frame's
/// bytes are cut (its `truncated` field says how many there were).
pub const MAX_EVENT: usize = 64 * 1024;
/// Pages streaming events at once.
pub const MAX_PAGES: usize = 16;
/// The bytes of a frame kept when its event is over [`MAX_EVENT`].
const KEPT_BYTES: usize = 4096;

/// The events a view has seen, and the pages watching.
pub struct Hub {
    state: Mutex<HubState>,
    live: broadcast::Sender<Arc<str>>,
    pages: AtomicUsize,
}

struct HubState {
    next_id: u64,
    recent: VecDeque<Arc<str>>,
    /// The bytes of the events in `recent`.
    recent_bytes: usize,
    /// How many programs of each kind have joined (the second `serve` is
    /// `serve 2`, so two servers' `client 1` are told apart).
    joined: std::collections::HashMap<&'static str, usize>,
}

impl Hub {
    /// An empty hub.
    pub fn new() -> Arc<Self> {
        let (live, _) = broadcast::channel(4096);
        Arc::new(Hub {
            state: Mutex::new(HubState {
                next_id: 1,
                recent: VecDeque::new(),
                recent_bytes: 0,
                joined: std::collections::HashMap::new(),
            }),
            live,
            pages: AtomicUsize::new(0),
        })
    }

    /// The name a newly joined program's events carry: `kind`, then
    /// `kind 2`, `kind 3` for the next programs of that kind.
    pub fn name_source(&self, kind: &'static str) -> String {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let n = state.joined.entry(kind).or_insert(0);
        *n += 1;
        if *n == 1 { kind.to_string() } else { format!("{kind} {n}") }
    }

    /// Adds one event (an `--json` object) from `source`.
    pub fn publish(&self, source: &str, mut event: Value) {
        cut_to_size(&mut event);
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(obj) = event.as_object_mut() {
            obj.insert("id".into(), json!(state.next_id));
            obj.insert("source".into(), json!(source));
        }
        state.next_id += 1;
        let line: Arc<str> = event.to_string().into();
        state.recent_bytes += line.len();
        state.recent.push_back(line.clone());
        while state.recent.len() > RECENT || state.recent_bytes > RECENT_BYTES {
            let Some(old) = state.recent.pop_front() else { break };
            state.recent_bytes -= old.len();
        }
        // No page open is not an error.
        let _ = self.live.send(line);
    }

    /// The events so far and a receiver for the next ones, with none lost
    /// or repeated between the two.
    fn subscribe(&self) -> (Vec<Arc<str>>, broadcast::Receiver<Arc<str>>) {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        (state.recent.iter().cloned().collect(), self.live.subscribe())
    }

    /// How many events the hub has seen.
    pub fn seen(&self) -> u64 {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).next_id - 1
    }
}

/// Cuts a frame or dump whose JSON would be over [`MAX_EVENT`] to its first
/// [`KEPT_BYTES`] bytes, the spans that start there and the marks in them.
fn cut_to_size(event: &mut Value) {
    let Some(hex) = event.get("hex").and_then(Value::as_str) else { return };
    if hex.len() / 2 <= KEPT_BYTES || event.to_string().len() <= MAX_EVENT {
        return;
    }
    let total = hex.len() / 2;
    // A fed line's "hex" may be anything: cut only where a str can be cut.
    let kept = hex.get(..KEPT_BYTES * 2).unwrap_or("").to_string();
    event["hex"] = json!(kept);
    event["truncated"] = json!(total);
    if let Some(Value::Array(spans)) = event.get_mut("spans") {
        spans.retain(|s| s["offset"].as_u64().is_some_and(|o| (o as usize) < KEPT_BYTES));
        for s in spans.iter_mut() {
            let offset = s["offset"].as_u64().unwrap_or(0) as usize;
            let len = (s["len"].as_u64().unwrap_or(0) as usize).min(KEPT_BYTES - offset);
            s["len"] = json!(len);
            if let Some(h) = s["hex"].as_str() {
                s["hex"] = json!(h.get(..(len * 2).min(h.len())).unwrap_or("").to_string());
            }
        }
    }
    if let Some(Value::Array(marks)) = event.get_mut("marks") {
        marks.retain(|m| m[0].as_u64().is_some_and(|s| (s as usize) < KEPT_BYTES));
    }
    if let Some(Value::String(text)) = event.get_mut("text")
        && text.len() > KEPT_BYTES
    {
        let mut end = KEPT_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    if let Some(Value::String(wire)) = event.get_mut("wire_hex")
        && wire.len() > KEPT_BYTES * 2
    {
        let mut end = KEPT_BYTES * 2;
        while !wire.is_char_boundary(end) {
            end -= 1;
        }
        wire.truncate(end);
    }
}

/// The observer that puts a program's events into a hub in this process.
pub struct WebObserver {
    hub: Arc<Hub>,
    source: String,
}

impl WebObserver {
    /// Events from `source` into `hub`.
    pub fn new(hub: Arc<Hub>, kind: &'static str) -> Arc<Self> {
        let source = hub.name_source(kind);
        Arc::new(WebObserver { hub, source })
    }
}

impl Observer for WebObserver {
    fn observe(&self, event: &Event) {
        self.hub.publish(&self.source, event.to_json());
    }
}

/// Where a view listens, and which `Host` names it answers to.
#[derive(Debug, Clone)]
pub struct Site {
    /// The address bound.
    pub addr: SocketAddr,
}

impl Site {
    /// The URL to open.
    pub fn url(&self) -> String {
        match self.addr {
            SocketAddr::V4(a) => format!("http://{}:{}/", a.ip(), a.port()),
            SocketAddr::V6(a) => format!("http://[{}]:{}/", a.ip(), a.port()),
        }
    }

    /// Whether `host` (a `Host` header) names this view.
    fn answers_to(&self, host: &str) -> bool {
        let port = self.addr.port();
        let (name, given) = match host.rsplit_once(':') {
            Some((name, p)) => (name, p.parse::<u16>().ok()),
            None => (host, None),
        };
        if given != Some(port) {
            return false;
        }
        let name = name.trim_start_matches('[').trim_end_matches(']');
        if name.eq_ignore_ascii_case("localhost") {
            return true;
        }
        // Listening on every address (`--listen 0.0.0.0:PORT`), any address
        // written as a number names this view; a DNS name never does (that
        // is what a rebinding attack needs).
        match name.parse::<std::net::IpAddr>() {
            Ok(ip) => ip.is_loopback() || ip == self.addr.ip() || self.addr.ip().is_unspecified(),
            Err(_) => false,
        }
    }

    /// Whether `origin` (an `Origin` header) is the view itself.
    fn same_origin(&self, origin: &str) -> bool {
        origin.strip_prefix("http://").is_some_and(|host| self.answers_to(host))
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The events.
    pub hub: Arc<Hub>,
    /// Where the view is.
    pub site: Site,
    /// The demos' rate limit and one-at-a-time flag.
    pub runner: Arc<api::Runner>,
}

/// The Content-Security-Policy of every response: the page's own scripts,
/// styles and pictures (and `data:`/`blob:` pictures it makes), its own
/// server to talk to, nothing else.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
                       connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// A refusal: a status and one line saying why.
fn refuse(status: StatusCode, why: &str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], format!("{why}\n")).into_response()
}

/// Checks every request before it is routed (see the module docs), and
/// adds the security headers to every response.
async fn guard(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    let mut response = if !app.site.answers_to(host) {
        refuse(StatusCode::MISDIRECTED_REQUEST, "this view answers only to its own address (Host)")
    } else if let Some(origin) = headers.get(header::ORIGIN) {
        let same = origin.to_str().is_ok_and(|o| app.site.same_origin(o));
        if same && request.uri().path() != "/ingest" {
            checked(peer, request, next).await
        } else {
            refuse(StatusCode::FORBIDDEN, "cross-site request refused")
        }
    } else {
        checked(peer, request, next).await
    };
    let h = response.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    h.insert("cross-origin-resource-policy", HeaderValue::from_static("same-origin"));
    h.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    response
}

/// The feed's own checks: from this machine, and saying what it is.
async fn checked(peer: SocketAddr, request: Request, next: Next) -> Response {
    if request.uri().path() == "/ingest" {
        if !peer.ip().is_loopback() {
            return refuse(StatusCode::FORBIDDEN, "events are taken from this machine only");
        }
        let feed = request.headers().get("x-cryptolab-feed").and_then(|v| v.to_str().ok());
        if feed != Some("1") {
            return refuse(StatusCode::FORBIDDEN, "not a cryptolab event feed (X-Cryptolab-Feed: 1)");
        }
    }
    next.run(request).await
}

/// The view's routes, with the guard in front.
pub fn router(app: AppState) -> Router {
    Router::new()
        .route("/", get(assets::index))
        .route("/assets/{file}", get(assets::file))
        .route("/events", get(events))
        .route("/ingest", post(ingest).layer(axum::extract::DefaultBodyLimit::disable()))
        .merge(api::routes())
        .layer(middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app)
}

/// Binds a view's listener (before anything is printed, so a taken port is
/// known at once).
pub async fn bind(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr).await
}

/// Serves the view on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, hub: Arc<Hub>) -> std::io::Result<()> {
    let site = Site { addr: listener.local_addr()? };
    let app = AppState { hub, site, runner: Arc::default() };
    let service = router(app).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service).await
}

/// What `--web PORT` did: became the view, or found one and feeds it.
pub struct Attached {
    /// The observer to add to the program's events.
    pub observer: Arc<dyn Observer>,
    /// The line to tell the user (the URL to open).
    pub line: String,
}

/// `--web PORT` on serve, proxy or challenge serve: binds 127.0.0.1:`port`
/// and serves the view there, or, if the port is taken, streams to the view
/// that has it ([`feed`]). Must be called inside a tokio runtime.
pub async fn attach(port: u16, source: &'static str) -> Result<Attached, feed::FeedError> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    match bind(addr).await {
        Ok(listener) => {
            let site = Site { addr: listener.local_addr().unwrap_or(addr) };
            let hub = Hub::new();
            let observer: Arc<dyn Observer> = WebObserver::new(hub.clone(), source);
            tokio::spawn(async move {
                let _ = serve(listener, hub).await;
            });
            Ok(Attached {
                observer,
                line: format!("web view: open {} (Ctrl-C here ends it too)", site.url()),
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            let feed = feed::connect(port, source).await?;
            Ok(Attached {
                observer: feed,
                line: format!("web view: this {source}'s events go to the view at http://127.0.0.1:{port}/"),
            })
        }
        Err(err) => Err(feed::FeedError::Connect { port, err }),
    }
}

/// `GET /events`: the events so far, then each new one, as server-sent
/// events (one JSON object per `data:` line). A page that falls behind by
/// more than the channel holds is told how many it missed.
async fn events(State(app): State<AppState>) -> Response {
    if app.hub.pages.fetch_add(1, Ordering::SeqCst) >= MAX_PAGES {
        app.hub.pages.fetch_sub(1, Ordering::SeqCst);
        return refuse(StatusCode::SERVICE_UNAVAILABLE, "too many pages open on this view; close one");
    }
    let (recent, live) = app.hub.subscribe();
    let page = Page { hub: app.hub.clone() };
    let stream = event_stream(recent, live, page);
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))).into_response()
}

/// Counts an open page; uncounted when its stream is dropped.
struct Page {
    hub: Arc<Hub>,
}

impl Drop for Page {
    fn drop(&mut self) {
        self.hub.pages.fetch_sub(1, Ordering::SeqCst);
    }
}

fn event_stream(
    recent: Vec<Arc<str>>,
    live: broadcast::Receiver<Arc<str>>,
    page: Page,
) -> impl Stream<Item = Result<sse::Event, Infallible>> {
    // A comment first, so a browser sees the stream open (Firefox fires
    // `open` only on the first bytes) even before any event.
    let hello = std::iter::once(Ok(sse::Event::default().comment("cryptolab events")));
    let start = futures_util::stream::iter(
        hello.chain(recent.into_iter().map(|line| Ok(sse::Event::default().data(&*line)))),
    );
    let rest = futures_util::stream::unfold((live, page), |(mut live, page)| async move {
        let data = match live.recv().await {
            Ok(line) => line.to_string(),
            Err(broadcast::error::RecvError::Lagged(n)) => json!({ "event": "lagged", "skipped": n,
                "message": format!("{n} events went by faster than this page read them") })
            .to_string(),
            Err(broadcast::error::RecvError::Closed) => return None,
        };
        Some((Ok(sse::Event::default().data(data)), (live, page)))
    });
    futures_util::StreamExt::chain(start, rest)
}

/// The longest line `/ingest` takes (one event's JSON).
pub const MAX_INGEST_LINE: usize = 4 * MAX_EVENT;

/// `POST /ingest?source=KIND` (`serve`, `proxy`, `challenge`): JSON lines from another cryptolab program
/// ([`feed`]), each published as it arrives, under the name
/// [`Hub::name_source`] gives it. A line that is not a JSON
/// object, or is over [`MAX_INGEST_LINE`], is skipped; memory follows the
/// bytes received (one line at most).
async fn ingest(
    State(app): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<IngestQuery>,
    body: Body,
) -> Response {
    let source = match q.source.as_str() {
        "serve" => "serve",
        "proxy" => "proxy",
        "challenge" => "challenge",
        _ => return refuse(StatusCode::BAD_REQUEST, "source must be serve, proxy or challenge"),
    };
    let source = app.hub.name_source(source);
    let source = source.as_str();
    let mut stream = body.into_data_stream();
    let mut line: Vec<u8> = Vec::new();
    let mut skipping = false;
    let mut taken = 0u64;
    while let Some(chunk) = futures_util::StreamExt::next(&mut stream).await {
        let Ok(chunk) = chunk else { break };
        for piece in chunk.split_inclusive(|&b| b == b'\n') {
            let ends = piece.last() == Some(&b'\n');
            let piece = if ends { &piece[..piece.len() - 1] } else { piece };
            if !skipping {
                if line.len() + piece.len() > MAX_INGEST_LINE {
                    skipping = true;
                    line = Vec::new();
                } else {
                    line.extend_from_slice(piece);
                }
            }
            if ends {
                if !skipping
                    && let Ok(value @ Value::Object(_)) = serde_json::from_slice::<Value>(&line)
                    && value.get("event").is_some_and(Value::is_string)
                {
                    app.hub.publish(source, value);
                    taken += 1;
                }
                line.clear();
                skipping = false;
            }
        }
    }
    (StatusCode::OK, format!("{taken} events\n")).into_response()
}

/// `/ingest`'s query.
#[derive(serde::Deserialize)]
struct IngestQuery {
    source: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Site {
        Site { addr: "127.0.0.1:8080".parse().unwrap() }
    }

    #[test]
    fn the_view_answers_only_to_its_own_names() {
        let s = site();
        for ok in ["127.0.0.1:8080", "localhost:8080", "LOCALHOST:8080", "[::1]:8080", "127.0.0.2:8080"] {
            assert!(s.answers_to(ok), "{ok}");
        }
        for bad in ["evil.example:8080", "127.0.0.1:8081", "127.0.0.1", "localhost", "", "10.0.0.1:8080"] {
            assert!(!s.answers_to(bad), "{bad}");
        }
        assert!(s.same_origin("http://127.0.0.1:8080"));
        assert!(!s.same_origin("http://evil.example:8080"));
        assert!(!s.same_origin("null"));
        assert!(!s.same_origin("https://127.0.0.1:8080"));
    }

    #[test]
    fn two_programs_of_one_kind_are_told_apart() {
        let hub = Hub::new();
        assert_eq!(hub.name_source("serve"), "serve");
        assert_eq!(hub.name_source("proxy"), "proxy");
        assert_eq!(hub.name_source("serve"), "serve 2");
    }

    #[test]
    fn a_huge_frame_is_cut_to_its_first_bytes() {
        let hex = "ab".repeat(100_000);
        let mut v = json!({ "event": "frame", "hex": hex, "spans": [
            { "label": "ct[0]", "offset": 0, "len": 16, "hex": "ab".repeat(16) },
            { "label": "ct", "offset": 16, "len": 99_984, "hex": "ab".repeat(99_984) },
            { "label": "tag", "offset": 99_984, "len": 16, "hex": "ab".repeat(16) },
        ], "marks": [[2, 3], [99_990, 99_991]] });
        cut_to_size(&mut v);
        assert_eq!(v["truncated"], 100_000);
        assert_eq!(v["hex"].as_str().unwrap().len(), 2 * KEPT_BYTES);
        assert_eq!(v["spans"].as_array().unwrap().len(), 2);
        assert_eq!(v["spans"][1]["len"], KEPT_BYTES - 16);
        assert_eq!(v["marks"].as_array().unwrap().len(), 1);
        assert!(v.to_string().len() <= MAX_EVENT);
    }

    #[test]
    fn a_fed_event_whose_hex_is_not_hex_is_cut_without_a_panic() {
        let mut v = json!({ "event": "frame", "hex": "€".repeat(60_000), "wire_hex": "€".repeat(60_000),
            "spans": [{ "label": "x", "offset": 0, "len": 9000, "hex": "€".repeat(9000) }], "marks": [] });
        cut_to_size(&mut v);
        assert_eq!(v["truncated"], 90_000);
        assert!(v.to_string().len() <= MAX_EVENT);
    }

    #[test]
    fn a_late_page_sees_the_recent_events_then_the_new_ones() {
        let hub = Hub::new();
        hub.publish("serve", json!({ "event": "notice", "message": "one" }));
        let (recent, mut live) = hub.subscribe();
        hub.publish("proxy", json!({ "event": "notice", "message": "two" }));
        assert_eq!(recent.len(), 1);
        assert!(recent[0].contains("\"source\":\"serve\"") && recent[0].contains("\"id\":1"));
        let next = live.try_recv().unwrap();
        assert!(next.contains("\"id\":2") && next.contains("two"));
        for i in 0..RECENT + 10 {
            hub.publish("serve", json!({ "event": "notice", "message": i.to_string() }));
        }
        assert_eq!(hub.subscribe().0.len(), RECENT);
    }

    #[test]
    fn the_recent_events_are_bounded_by_bytes_too() {
        let hub = Hub::new();
        let big = "x".repeat(60 * 1024);
        for _ in 0..1000 {
            hub.publish("serve", json!({ "event": "notice", "message": big }));
        }
        let (recent, _) = hub.subscribe();
        let bytes: usize = recent.iter().map(|l| l.len()).sum();
        assert!(bytes <= RECENT_BYTES, "{bytes}");
        assert!(recent.len() > 400 && recent.len() < 1000, "{}", recent.len());
        assert_eq!(hub.state.lock().unwrap().recent_bytes, bytes);
    }

    #[test]
    fn listening_on_every_address_answers_to_any_numeric_host() {
        let s = Site { addr: "0.0.0.0:8080".parse().unwrap() };
        assert!(s.answers_to("192.168.1.20:8080"));
        assert!(s.answers_to("127.0.0.1:8080"));
        assert!(!s.answers_to("evil.example:8080"));
        assert!(!s.answers_to("192.168.1.20:8081"));
    }
}
