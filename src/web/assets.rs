//! The page itself: plain HTML, CSS and three JavaScript modules, compiled into
//! the binary with `include_str!` — no CDN, no network, no build step.
//!
//! `assets/index.html` is the shell, `assets/app.js` reads `GET /events`
//! (server-sent events) and draws the frames list and one frame's bytes,
//! `assets/demos.js` draws the demo pages from the answers of `/api/…`
//! ([`super::api`]), `assets/common.js` holds what both share (the byte
//! grid by field, the narration of a demo's events),
//! `assets/style.css` colours the fields (and gives each kind a pattern and
//! a name, so colour is never the only signal). The Content-Security-Policy
//! ([`super::CSP`]) forbids inline script and style, so everything is in
//! these files.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The page's HTML (its limits are checked against `super::api`'s constants).
pub(crate) const INDEX: &str = include_str!("assets/index.html");
const APP: &str = include_str!("assets/app.js");
/// The shared module (its messages name `super::api`'s limits).
pub(crate) const COMMON: &str = include_str!("assets/common.js");
const DEMOS: &str = include_str!("assets/demos.js");
const STYLE: &str = include_str!("assets/style.css");

/// `GET /`.
pub async fn index() -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], INDEX).into_response()
}

/// `GET /assets/FILE`: only the files above, by exact name.
pub async fn file(Path(name): Path<String>) -> Response {
    let (body, ty) = match name.as_str() {
        "app.js" => (APP, "text/javascript; charset=utf-8"),
        "common.js" => (COMMON, "text/javascript; charset=utf-8"),
        "demos.js" => (DEMOS, "text/javascript; charset=utf-8"),
        "style.css" => (STYLE, "text/css; charset=utf-8"),
        _ => return (StatusCode::NOT_FOUND, "no such file\n").into_response(),
    };
    ([(header::CONTENT_TYPE, ty)], body).into_response()
}
