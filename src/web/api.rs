//! The demos in the page: `POST /api/…`, each running the library code that
//! `cryptolab demo` runs, and answering with the events it reported (the
//! `--json` objects of `docs/EVENTS.md`) plus what only a page needs (the
//! pictures, the letter counts). The page draws; nothing cryptographic is
//! done in JavaScript.
//!
//! | route | runs | body |
//! |---|---|---|
//! | `/api/ecb-picture` | [`ecb_image::in_memory`] | the picture's bytes (`application/octet-stream`; empty: the padlock) |
//! | `/api/bitflip` | [`bitflip::narrate`] | `{"target": "admin"}` |
//! | `/api/padding-oracle` | [`padding_oracle::narrate`], step by step | `{"message": "…"}` |
//! | `/api/aes` | [`aes_rounds::report`] | `{"key": hex, "block": hex, "avalanche": false, "bit": 0, "key_bit": null}` |
//! | `/api/substitution` | [`mono::crack`], [`analysis::letter_counts`] | `{"ciphertext": "…"}` or `{"example": true}` |
//!
//! # Bounds
//!
//! Every request is checked before any work: its `Content-Type` (a
//! cross-site form cannot send `application/json` or
//! `application/octet-stream` without a preflight, which the view never
//! answers), its size ([`MAX_JSON`], [`MAX_PICTURE`], and each demo's own
//! limits on the text it is given), and its rate: a token bucket of
//! [`BURST`] runs refilled at [`PER_SECOND`] a second, and one run at a time
//! (a second is answered `429` at once rather than queued). A run happens on
//! a thread of its own, so the view keeps streaming frames meanwhile.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use serde_json::{Value, json};

use super::AppState;
use crate::aes_rounds::{self, Block, Flip};
use crate::attacks::{DemoCtx, DemoError, bitflip, ecb_image, padding_oracle};
use crate::classical::{analysis, english, mono};
use crate::events::{Collector, Events};

/// The largest JSON request body.
pub const MAX_JSON: usize = 64 * 1024;
/// The largest picture sent to the ECB demo.
pub const MAX_PICTURE: usize = 8 * 1024 * 1024;
/// The most pixels a picture may have in the page (`cryptolab demo
/// ecb-image` takes bigger ones and writes files).
pub const MAX_PIXELS: u64 = 1_000_000;
/// The longest secret the padding-oracle page attacks, in bytes (every
/// query is an event the page steps through).
pub const MAX_SECRET: usize = 96;
/// The most letters the substitution solver cracks at once.
pub const MAX_LETTERS: usize = 4000;
/// Runs allowed in a burst …
pub const BURST: f64 = 10.0;
/// … and refilled at this many a second.
pub const PER_SECOND: f64 = 2.0;

/// The rate limit and the one-run-at-a-time flag, shared by all pages.
pub struct Runner {
    bucket: Mutex<(f64, Instant)>,
    busy: AtomicBool,
}

impl Default for Runner {
    fn default() -> Self {
        Runner { bucket: Mutex::new((BURST, Instant::now())), busy: AtomicBool::new(false) }
    }
}

impl Runner {
    /// Takes one token, if the bucket has one.
    fn token(&self) -> bool {
        let mut b = self.bucket.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        b.0 = (b.0 + now.duration_since(b.1).as_secs_f64() * PER_SECOND).min(BURST);
        b.1 = now;
        if b.0 >= 1.0 {
            b.0 -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Marks the runner free again when the run's thread ends, however it ends.
struct Busy<'a>(&'a AtomicBool);

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// Why a request was not run: a status, the first line and what to try.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    error: String,
    hint: String,
}

impl ApiError {
    fn bad(error: impl Into<String>, hint: impl Into<String>) -> Self {
        ApiError { status: StatusCode::BAD_REQUEST, error: error.into(), hint: hint.into() }
    }
}

impl From<DemoError> for ApiError {
    fn from(e: DemoError) -> Self {
        let status = if e.is_failure() { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::BAD_REQUEST };
        ApiError { status, error: e.to_string(), hint: e.hint() }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(json!({ "error": self.error, "hint": self.hint }))).into_response()
    }
}

/// The API's routes (the guard of [`super::router`] is in front of them).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/ecb-picture", post(ecb_picture).layer(DefaultBodyLimit::max(MAX_PICTURE)))
        .route("/api/bitflip", post(bitflip_run).layer(DefaultBodyLimit::max(MAX_JSON)))
        .route("/api/padding-oracle", post(padding_oracle_run).layer(DefaultBodyLimit::max(MAX_JSON)))
        .route("/api/aes", post(aes_run).layer(DefaultBodyLimit::max(MAX_JSON)))
        .route("/api/substitution", post(substitution).layer(DefaultBodyLimit::max(MAX_JSON)))
}

/// Checks the `Content-Type` (its media type, parameters aside).
fn content_type(headers: &HeaderMap, want: &str) -> Result<(), ApiError> {
    let given = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let media = given.split(';').next().unwrap_or("").trim();
    if media.eq_ignore_ascii_case(want) {
        Ok(())
    } else {
        Err(ApiError {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            error: format!(
                "this route takes {want}, not {}",
                if media.is_empty() { "nothing" } else { media }
            ),
            hint: format!("send Content-Type: {want}"),
        })
    }
}

/// Parses a JSON body into `T`, naming what is wrong.
fn json_body<T: serde::de::DeserializeOwned>(headers: &HeaderMap, body: &[u8]) -> Result<T, ApiError> {
    content_type(headers, "application/json")?;
    serde_json::from_slice(body).map_err(|e| {
        ApiError::bad(
            format!("the request is not the JSON expected: {e}"),
            "see the table in the web::api docs",
        )
    })
}

/// Runs `work` on a thread of its own, if the rate and the one-at-a-time
/// rule allow, and answers with its JSON.
async fn run(app: &AppState, work: impl FnOnce() -> Result<Value, ApiError> + Send + 'static) -> Response {
    let runner = app.runner.clone();
    if runner.busy.swap(true, Ordering::SeqCst) {
        return too_many("a demo is already running in this view; wait for it");
    }
    if !runner.token() {
        runner.busy.store(false, Ordering::SeqCst);
        return too_many("too many demo runs; wait a second");
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new().name("web demo".into()).spawn(move || {
        let _busy = Busy(&runner.busy);
        let _ = tx.send(work());
    });
    if spawned.is_err() {
        app.runner.busy.store(false, Ordering::SeqCst);
        return ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            error: "cannot start a thread".into(),
            hint: "the machine is out of threads; try again".into(),
        }
        .into_response();
    }
    match rx.await {
        Ok(Ok(value)) => axum::Json(value).into_response(),
        Ok(Err(e)) => e.into_response(),
        Err(_) => ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            error: "the demo stopped without an answer".into(),
            hint: "this is a bug in cryptolab; please report it".into(),
        }
        .into_response(),
    }
}

fn too_many(why: &str) -> Response {
    let mut r = ApiError {
        status: StatusCode::TOO_MANY_REQUESTS,
        error: why.into(),
        hint: "runs are limited so the view stays responsive".into(),
    }
    .into_response();
    r.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
    r
}

/// A demo's context whose events are kept, with a fresh random seed.
fn collecting() -> (DemoCtx, std::sync::Arc<Collector>) {
    let collector = Collector::new();
    let ctx = DemoCtx::new(Events::to(collector.clone()), None);
    (ctx, collector)
}

/// The events a demo reported, as the JSON objects of `docs/EVENTS.md`.
fn events_json(collector: &Collector) -> Vec<Value> {
    collector.events().iter().map(crate::events::Event::to_json).collect()
}

// ── the demos ────────────────────────────────────────────────────────────

async fn ecb_picture(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    if !body.is_empty() {
        content_type(&headers, "application/octet-stream")?;
    }
    Ok(run(&app, move || {
        let (mut ctx, collector) = collecting();
        let image = (!body.is_empty()).then_some(&body[..]);
        let panels = ecb_image::in_memory(&mut ctx, image, MAX_PIXELS)?;
        let b64 = base64::engine::general_purpose::STANDARD;
        let panels: Vec<Value> = panels
            .iter()
            .map(|p| {
                json!({
                    "name": p.name,
                    "png": b64.encode(&p.png),
                    "repeated": p.repeated,
                    "blocks": p.blocks,
                })
            })
            .collect();
        Ok(json!({ "events": events_json(&collector), "panels": panels }))
    })
    .await)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct BitflipRequest {
    target: String,
}

async fn bitflip_run(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let req: BitflipRequest = json_body(&headers, &body)?;
    Ok(run(&app, move || {
        let (mut ctx, collector) = collecting();
        bitflip::narrate(&mut ctx, &bitflip::Options { target: req.target, mask: None })?;
        Ok(json!({ "events": events_json(&collector) }))
    })
    .await)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct OracleRequest {
    message: String,
}

async fn padding_oracle_run(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let req: OracleRequest = json_body(&headers, &body)?;
    if req.message.is_empty() || req.message.len() > MAX_SECRET {
        return Err(ApiError::bad(
            format!("the secret is {} bytes; the page attacks 1 to {MAX_SECRET}", req.message.len()),
            "a longer one runs in the terminal: cryptolab demo padding-oracle --message …",
        ));
    }
    Ok(run(&app, move || {
        let (mut ctx, collector) = collecting();
        let opts =
            padding_oracle::Options { message: req.message.into_bytes(), step: true, ..Default::default() };
        padding_oracle::narrate(&mut ctx, &opts)?;
        Ok(json!({ "events": events_json(&collector) }))
    })
    .await)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AesRequest {
    key: String,
    block: String,
    #[serde(default)]
    avalanche: bool,
    #[serde(default)]
    bit: Option<usize>,
    #[serde(default)]
    key_bit: Option<usize>,
}

/// A 16-byte block as hex (or `text:`), parsed as `cryptolab aes` parses
/// `--key` and `--block`; an error never quotes the value.
fn block(value: &str, what: &str) -> Result<Block, ApiError> {
    let hint = "give 32 hex digits (16 bytes), or text: and 16 characters";
    let bytes =
        crate::keys::parse_key_value(value.trim(), what).map_err(|e| ApiError::bad(e.to_string(), hint))?;
    let len = bytes.len();
    bytes.try_into().map_err(|_| ApiError::bad(format!("the {what} is {len} bytes; AES-128 takes 16"), hint))
}

async fn aes_run(State(app): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let req: AesRequest = json_body(&headers, &body)?;
    let (key, input) = (block(&req.key, "key")?, block(&req.block, "block")?);
    Ok(run(&app, move || {
        let collector = Collector::new();
        let events = Events::to(collector.clone());
        let checked = |e: aes_rounds::RoundsError| ApiError::bad(e.to_string(), e.hint());
        if req.avalanche {
            let flip = match req.key_bit {
                Some(bit) => Flip::Key(bit),
                None => Flip::Input(req.bit.unwrap_or(0)),
            };
            let av = aes_rounds::avalanche(&key, &input, flip).map_err(checked)?;
            aes_rounds::report::avalanche(&events, &av);
        } else {
            let trace = aes_rounds::trace(&key, &input).map_err(checked)?;
            aes_rounds::report::trace(&events, &trace);
        }
        Ok(json!({ "events": events_json(&collector) }))
    })
    .await)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SubstitutionRequest {
    #[serde(default)]
    ciphertext: String,
    #[serde(default)]
    example: bool,
}

/// A letter 0–25 as an upper-case letter.
fn upper(l: u8) -> char {
    char::from(b'A' + l)
}

async fn substitution(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let req: SubstitutionRequest = json_body(&headers, &body)?;
    if req.example {
        // An example to work on: the classical demo's passage under a fresh key.
        let key = mono::MonoKey::random(&mut rand::rng());
        let ciphertext = mono::encrypt(crate::classical::demo::LONG_SAMPLE, &key);
        return Ok(axum::Json(json!({ "ciphertext": ciphertext })).into_response());
    }
    let letters = crate::classical::letter_indices(&req.ciphertext);
    if letters.len() > MAX_LETTERS {
        return Err(ApiError::bad(
            format!("the ciphertext has {} letters; the page cracks at most {MAX_LETTERS}", letters.len()),
            "paste a part of it: a few hundred letters are enough",
        ));
    }
    Ok(run(&app, move || {
        let crack = mono::crack(&req.ciphertext, rand::random())
            .map_err(|e| ApiError::bad(e.to_string(), e.hint()))?;
        let counts = analysis::letter_counts(&letters);
        let plain = crack.key.plain_alphabet();
        Ok(json!({
            "letters": letters.len(),
            "counts": counts.to_vec(),
            "english": english::letter_frequencies().to_vec(),
            "suggestion": {
                // For each cipher letter A..Z, the plain letter it stands for.
                "plain_for_cipher": plain.iter().map(|&p| upper(p)).collect::<String>(),
                "fitness": crack.score,
                "restarts": crack.restarts,
                "confidence": crack.verdict.confidence.words(),
                "verdict": crack.verdict.summary(),
                "plaintext": crack.plaintext,
            },
        }))
    })
    .await)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::assets::{COMMON, INDEX};

    /// The page states the limits and defaults; they are the ones here.
    #[test]
    fn the_page_states_the_limits_the_server_enforces() {
        assert!(INDEX.contains(&format!("Secret (1–{MAX_SECRET} bytes)")));
        assert!(INDEX.contains(&format!("maxlength=\"{MAX_SECRET}\"")));
        assert_eq!(MAX_PIXELS, 1_000_000);
        assert!(INDEX.contains("at most\n    1,000,000 pixels"));
        assert_eq!((MAX_PICTURE, MAX_JSON), (8 << 20, 64 << 10));
        assert!(COMMON.contains("at most 8 MiB; text: at most 64 KiB"));
        let key = crate::aes_rounds::report::APPENDIX_B_KEY;
        let input = crate::aes_rounds::report::APPENDIX_B_INPUT;
        assert!(INDEX.contains(&format!("value=\"{key}\"")) && INDEX.contains(&format!("value=\"{input}\"")));
    }
}
