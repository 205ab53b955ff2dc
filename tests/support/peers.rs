//! The independent peers in `tests/peers/`: small Python programs, written
//! with the `cryptography` package and without cryptolab's code, that speak
//! the classroom formats as a student's program would.
//!
//! Python is found as `$CRYPTOLAB_PYTHON`, else the project's `.venv` (which
//! `.ci/run` creates), else `python3`; a missing `cryptography` package is a
//! test failure that says how to install it, never a skip.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::chat::Proc;

/// The AES key every profile test uses (SP 800-38A's), as hex.
pub const KEY: &str = "2b7e151628aed2a6abf7158809cf4f3c";
/// The HMAC key for `len-iv-ct-hmac`, as text.
pub const MAC: &str = "classroom mac key";

/// The Python interpreter with `cryptography` importable.
pub fn python() -> &'static Path {
    static PY: OnceLock<PathBuf> = OnceLock::new();
    PY.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let py = std::env::var_os("CRYPTOLAB_PYTHON").map(PathBuf::from).unwrap_or_else(|| {
            let venv = root.join(".venv/bin/python");
            if venv.exists() { venv } else { PathBuf::from("python3") }
        });
        let ok = Command::new(&py)
            .args(["-c", "import cryptography"])
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            ok,
            "{} cannot import `cryptography`: run .ci/run once, or `python3 -m venv .venv && .venv/bin/pip install cryptography`",
            py.display()
        );
        py
    })
}

/// `tests/peers/NAME.py` (NAME with underscores: `b64_iv_ct`).
pub fn script(wire: &str) -> String {
    let file = format!("{}.py", wire.replace('-', "_"));
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers").join(file).display().to_string()
}

/// The peer's key options for a profile.
pub fn peer_keys(wire: &str, static_key: &Path) -> Vec<String> {
    match wire {
        "len-iv-ct-hmac" => vec!["--key".into(), KEY.into(), "--mac-key".into(), MAC.into()],
        "raw-cbc-static" => vec!["--key-file".into(), static_key.display().to_string()],
        "rsa-gcm-json" => vec![],
        _ => vec!["--key".into(), KEY.into()],
    }
}

/// cryptolab's key options for a profile.
pub fn our_keys(wire: &str, static_key: &Path) -> Vec<String> {
    match wire {
        "len-iv-ct-hmac" => vec!["--key".into(), KEY.into(), "--mac-key".into(), format!("text:{MAC}")],
        "raw-cbc-static" => vec!["--static-key-file".into(), static_key.display().to_string()],
        "rsa-gcm-json" => vec![],
        _ => vec!["--key".into(), KEY.into()],
    }
}

/// Starts a peer server on a free port; returns it and the port.
pub fn peer_server(wire: &str, keys: &[String]) -> (Proc, u16) {
    let script = script(wire);
    let mut args = vec![script.as_str(), "server", "--port", "0"];
    args.extend(keys.iter().map(String::as_str));
    let p = Proc::spawn_program(python(), &args);
    let text = p.wait_for("LISTENING ");
    let port = text.split("LISTENING ").nth(1).unwrap().lines().next().unwrap().trim().parse().unwrap();
    (p, port)
}

/// Runs a peer client to completion: its exit code and output.
pub fn peer_client(wire: &str, port: u16, keys: &[String], messages: &[Vec<u8>]) -> (i32, String) {
    let script = script(wire);
    let port = port.to_string();
    let hexes: Vec<String> =
        messages.iter().map(|m| if m.is_empty() { "-".to_string() } else { hex::encode(m) }).collect();
    let mut args = vec![script.as_str(), "client", "--port", &port];
    args.extend(keys.iter().map(String::as_str));
    args.extend(hexes.iter().map(String::as_str));
    let mut p = Proc::spawn_program(python(), &args);
    drop(p.stdin.take());
    let code = p.wait_exit_within(std::time::Duration::from_secs(40));
    (code, p.text())
}

/// The plaintexts a peer printed as `RECV <hex>` lines, in order.
pub fn recv_lines(out: &str) -> Vec<Vec<u8>> {
    out.lines()
        .filter_map(|l| l.strip_prefix("RECV "))
        .map(|h| if h == "-" { Vec::new() } else { hex::decode(h).unwrap() })
        .collect()
}

/// A 32-byte raw-cbc-static key file (key, then IV), mode 0600, in `dir`.
pub fn static_key_file(dir: &Path) -> PathBuf {
    let path = dir.join("static.key");
    let mut bytes = hex::decode(KEY).unwrap();
    bytes.extend_from_slice(b"fixed IV, reused");
    std::fs::write(&path, &bytes).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    path
}
