//! The one JSON schema, checked against real output: `docs/EVENTS.md`'s
//! tables are read as the schema, and every line that `serve --json`,
//! `connect --json`, `proxy --json` and `demo --json` print in real sessions
//! over loopback (and `aes --json`, `crack key --json`) must follow it —
//! every field the page says is always there is there with its type, no
//! field is one the page does not list, and every fact's name is one the
//! page names. Then every event the page documents must have been seen at
//! least once, so the sessions cover the whole schema.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde_json::Value;
use support::chat::*;

/// One documented field: its type and whether it is always there.
#[derive(Debug, Clone)]
struct Field {
    ty: String,
    always: bool,
}

/// The schema as `docs/EVENTS.md` states it: the fields of every event, of
/// each event by name, and of a span.
struct Schema {
    common: BTreeMap<String, Field>,
    events: BTreeMap<String, BTreeMap<String, Field>>,
    span: BTreeMap<String, Field>,
    /// The fact names the `name` row of the fact table lists, in backticks.
    facts: BTreeSet<String>,
}

fn schema() -> Schema {
    let doc = std::fs::read_to_string("docs/EVENTS.md").expect("docs/EVENTS.md");
    let mut tables: BTreeMap<String, BTreeMap<String, Field>> = BTreeMap::new();
    let mut section = String::new();
    let mut facts = BTreeSet::new();
    for line in doc.lines() {
        if section == "fact" && line.starts_with("| name |") {
            facts.extend(line.split('`').skip(1).step_by(2).map(String::from));
        }
        if let Some(h) = line.strip_prefix("## ") {
            section = h.trim().to_string();
            tables.entry(section.clone()).or_default();
        } else if line.starts_with("A **span**") {
            section = "span".into();
        } else if line.starts_with('|') && !line.starts_with("|---") && !line.starts_with("| field") {
            let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
            assert!(cells.len() >= 3, "a table row with its cells: {line}");
            let field = Field { ty: cells[1].to_string(), always: cells[2] == "yes" };
            tables.entry(section.clone()).or_default().insert(cells[0].to_string(), field);
        }
    }
    let common = tables.remove("Every event").expect("the `Every event` table");
    let span = tables.remove("span").expect("the span table");
    tables.retain(|name, _| !name.contains(' '));
    Schema { common, events: tables, span, facts }
}

fn has_type(v: &Value, ty: &str, schema: &Schema) -> bool {
    match ty {
        "string" => v.is_string(),
        "integer" => v.is_u64(),
        "boolean" => v.is_boolean(),
        "object" => v.is_object(),
        "any" => true,
        "string or null" => v.is_string() || v.is_null(),
        "array of span" => {
            v.as_array().is_some_and(|a| a.iter().all(|s| fits(s, &schema.span, schema).is_ok()))
        }
        "array of mark" => v.as_array().is_some_and(|a| {
            a.iter().all(|m| m.as_array().is_some_and(|m| m.len() == 2 && m.iter().all(Value::is_u64)))
        }),
        other => panic!("docs/EVENTS.md names a type the test does not know: {other}"),
    }
}

/// Checks one object against `fields`; the error names the field.
fn fits(v: &Value, fields: &BTreeMap<String, Field>, schema: &Schema) -> Result<(), String> {
    let obj = v.as_object().ok_or("not an object")?;
    for (name, field) in fields {
        match obj.get(name) {
            None if field.always => return Err(format!("field `{name}` is missing")),
            None => {}
            Some(value) if !has_type(value, &field.ty, schema) => {
                return Err(format!("field `{name}` is not {}: {value}", field.ty));
            }
            Some(_) => {}
        }
    }
    match obj.keys().find(|k| !fields.contains_key(*k)) {
        Some(extra) => Err(format!("field `{extra}` is not in docs/EVENTS.md")),
        None => Ok(()),
    }
}

/// Checks every line of one command's standard output; returns the event
/// names seen.
fn check(schema: &Schema, what: &str, stdout: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    assert!(!stdout.trim().is_empty(), "{what} printed nothing");
    for line in stdout.lines() {
        let v: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {line}"));
        let name = v["event"].as_str().unwrap_or_else(|| panic!("{what}: no \"event\": {line}")).to_string();
        let specific =
            schema.events.get(&name).unwrap_or_else(|| panic!("{what}: event `{name}` is not documented"));
        let mut fields = schema.common.clone();
        fields.extend(specific.clone());
        if let Err(e) = fits(&v, &fields, schema) {
            panic!("{what}: {name}: {e}\n  {line}");
        }
        if name == "fact" {
            let fact = v["name"].as_str().unwrap_or_default();
            assert!(
                schema.facts.contains(fact),
                "{what}: fact `{fact}` is not named in docs/EVENTS.md\n  {line}"
            );
        }
        seen.insert(name);
    }
    seen
}

/// Runs a one-shot `cryptolab` and returns its standard output alone.
fn stdout_of(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_cryptolab"))
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"), "{args:?}");
    String::from_utf8(out.stdout).expect("UTF-8 JSON")
}

fn proxy(upstream: u16, extra: &[&str]) -> (Proc, u16) {
    let up = format!("127.0.0.1:{upstream}");
    let mut args = vec!["proxy", "--listen", "0", "--upstream", &up, "--json"];
    args.extend(extra);
    let p = Proc::spawn(&args);
    let text = p.wait_for("proxy listening on 127.0.0.1:");
    let port = text.split("proxy listening on 127.0.0.1:").nth(1).unwrap();
    (p, port[..port.find(',').unwrap()].parse().unwrap())
}

fn client_json(mode: &str, port: u16, send: &str) -> String {
    let port = port.to_string();
    stdout_of(&[
        "connect",
        "--mode",
        mode,
        "127.0.0.1",
        &port,
        "--key",
        KEY,
        "--mac-key",
        MAC,
        "--json",
        "--send",
        send,
    ])
}

/// A format server and a `connect --json` to it; the server's lines and the client's.
fn format_session(wire: &str, keys: &[&str], send: &str) -> (String, String) {
    let mut args = vec!["serve", "--wire", wire, "--port", "0", "--echo", "--json"];
    args.extend(keys);
    let srv = Proc::spawn(&args);
    let text = srv.wait_for("listening on 127.0.0.1:");
    let port = text.split("listening on 127.0.0.1:").nth(1).unwrap();
    let port = port[..port.find(' ').unwrap()].to_string();
    let mut args = vec!["connect", "--wire", wire, "--json", "--send", send, "127.0.0.1", &port];
    args.extend(keys);
    let client = stdout_of(&args);
    let log = srv.wait_for("\"event\":\"left\"");
    (log, client)
}

#[test]
fn every_json_line_of_real_sessions_follows_docs_events_md() {
    let schema = schema();
    assert!(schema.events.len() >= 12, "the page documents every event: {:?}", schema.events.keys());
    let mut seen = BTreeSet::new();

    // A chat that works: frames both ways, joined, left, notices.
    let (srv, port) = server("gcm", &["--echo", "--json"]);
    seen.extend(check(&schema, "connect --json", &client_json("gcm", port, "hello json")));
    seen.extend(check(&schema, "serve --json", &srv.wait_for("\"event\":\"left\"")));

    // A tampering proxy in front of cbc-hmac: tamper at the proxy, rejected at the server.
    let (srv, port) = server("cbc-hmac", &["--echo", "--json"]);
    let (px, pport) = proxy(port, &["--tamper", "flip:2:20:08"]);
    let _ = client_json("cbc-hmac", pport, "pay 10 to bob");
    seen.extend(check(&schema, "serve --json (tampered)", &srv.wait_for("\"event\":\"left\"")));
    seen.extend(check(&schema, "proxy --json", &px.wait_for("\"event\":\"left\"")));

    // Classroom formats: base64 messages, and the RSA handshake.
    let text_key = ["--key", "text:Sixteen byte key"];
    for (wire, keys) in [("b64-iv-ct", &text_key[..]), ("rsa-gcm-json", &[][..])] {
        let (log, client) = format_session(wire, keys, "hi there");
        seen.extend(check(&schema, &format!("serve --wire {wire} --json"), &log));
        seen.extend(check(&schema, &format!("connect --wire {wire} --json"), &client));
    }

    // Every demo.
    let pictures = tempfile::tempdir().unwrap();
    let out = pictures.path().to_str().unwrap();
    for demo in [
        &["ecb-byte-at-a-time"][..],
        &["bitflip"],
        &["hmac"],
        &["padding-oracle"],
        &["replay"],
        &["ecb-image", "--out", out],
        &["error-propagation"],
        &["padding"],
        &["predictable-iv"],
        &["nonce-reuse"],
        &["key-search"],
    ] {
        let mut args = vec!["demo", "--seed", "1", "--json"];
        args.extend(demo);
        seen.extend(check(&schema, &format!("demo {} --json", demo[0]), &stdout_of(&args)));
    }

    // A key search on given values: the word list, progress, the result.
    // ("magic" padded with # made this ciphertext: `cryptolab crack key --help`.)
    let crack = stdout_of(&[
        "crack",
        "key",
        "--plaintext",
        "This is a top secret.",
        "--ciphertext",
        "a41d6620fc6241ec07000920f9622365b47eff8a1377dbbb0f292bc32efbb506",
        "--iv",
        "aabbccddeeff00998877665544332211",
        "--json",
    ]);
    assert!(crack.contains("\"name\":\"word-list\"") && crack.contains("\"word\":\"magic\""), "{crack}");
    seen.extend(check(&schema, "crack key --json", &crack));

    // AES round by round: a fact per round, and the avalanche's.
    for args in [&["aes", "--json"][..], &["aes", "--avalanche", "--key-bit", "5", "--json"]] {
        seen.extend(check(&schema, &args.join(" "), &stdout_of(args)));
    }

    // A command that fails after --json ends its stdout with an `error` line.
    // (Keys given, so that it fails at the connect, whatever files the
    // temporary directory holds.)
    let failed =
        stdout_of(&["connect", "--key", KEY, "--mac-key", MAC, "--json", "--send", "hi", "127.0.0.1", "1"]);
    let last: Value = serde_json::from_str(failed.lines().last().unwrap_or_default()).unwrap();
    assert_eq!((last["event"].as_str(), last["exit"].as_u64()), (Some("error"), Some(1)), "{failed}");
    assert!(last["message"].as_str().unwrap().starts_with("cannot reach 127.0.0.1:1"), "{failed}");
    seen.extend(check(&schema, "connect --json (no server)", &failed));

    let documented: BTreeSet<String> = schema.events.keys().cloned().collect();
    let missing: Vec<&String> = documented.difference(&seen).collect();
    assert!(missing.is_empty(), "documented events no session produced: {missing:?}");
}

#[test]
fn a_field_that_is_not_documented_is_caught() {
    // The checker itself can fail: an undocumented field, a missing one, a wrong type.
    let schema = schema();
    let good = r#"{"event":"joined","message":"client 1 connected from 127.0.0.1:1","peer":"client 1","addr":"127.0.0.1:1"}"#;
    assert_eq!(check(&schema, "good", good).len(), 1);
    for (bad, why) in [
        (r#"{"event":"joined","message":"m","peer":"p","addr":"a","extra":1}"#, "extra"),
        (r#"{"event":"joined","message":"m","peer":"p"}"#, "addr"),
        (r#"{"event":"joined","message":"m","peer":7,"addr":"a"}"#, "peer"),
        (r#"{"event":"no-such-event","message":"m"}"#, "not documented"),
        (r#"{"event":"fact","message":"m","name":"no-such-fact","value":1}"#, "no-such-fact"),
    ] {
        let caught = std::panic::catch_unwind(|| check(&schema, "bad", bad));
        let err = caught.expect_err(why);
        let text = err.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(text.contains(why), "{why}: {text}");
    }
}

/// An observer that reads only received texts, and keeps what it is given.
#[derive(Default)]
struct TextsOnly(std::sync::Mutex<Vec<cryptolab::events::Frame>>);

impl cryptolab::events::Observer for TextsOnly {
    fn observe(&self, event: &cryptolab::events::Event) {
        if let cryptolab::events::Event::Frame(f) = event {
            self.0.lock().unwrap().push(f.clone());
        }
    }
    fn sees(&self) -> cryptolab::events::Sees {
        cryptolab::events::Sees::ReceivedTexts
    }
}

#[test]
fn a_hub_builds_a_frame_only_as_far_as_its_observers_read_it() {
    use std::sync::Arc;

    use cryptolab::events::{Collector, Detail, Dir, Events, Look, Output, Sees};
    use cryptolab::session::Sealer;
    use cryptolab::session::channel::{Part, Wired};
    use cryptolab::suite::{Cipher, Suite};
    use cryptolab::wire::Kind;

    const LOOK: Look = Look { color: false, columns: 80, progress: false };
    // A quiet terminal shows received texts only: nothing is built for a
    // frame sent, and a frame received is built without its dump.
    let quiet = Output::Text(Detail::Quiet).observer(Box::new(std::io::sink()), LOOK);
    let hub = Events::new().with(quiet.clone());
    assert_eq!(hub.sees(Dir::Out), Sees::Nothing);
    assert_eq!(hub.sees(Dir::Through), Sees::Nothing);
    assert_eq!(hub.sees(Dir::In), Sees::ReceivedTexts);
    hub.frame(Dir::Out, |_| unreachable!("no observer reads a frame sent"));
    assert_eq!(Events::new().sees(Dir::In), Sees::Nothing);
    // The most curious observer decides: JSON (or a test's collector) reads everything.
    let json = Output::Json.observer(Box::new(std::io::sink()), LOOK);
    assert_eq!(Events::new().with(quiet).with(json).sees(Dir::Out), Sees::Everything);

    // What a texts-only observer is given is right: the message is a
    // message, the hello is not, and the texts are there.
    let cipher = Arc::new(Cipher::new(Suite::Gcm, &[7; 16], None).unwrap());
    let mut sealer = Sealer::new(cipher);
    let (mut hello, mut message) = (Vec::new(), Vec::new());
    sealer.seal_into(Kind::Hello, b"hi", &mut hello);
    sealer.seal_into(Kind::Message, b"pay 10 to bob", &mut message);
    let texts = Arc::new(TextsOnly::default());
    let hub = Events::new().with(texts.clone());
    for (bytes, text) in [(hello, &b"hi"[..]), (message.clone(), b"pay 10 to bob")] {
        Wired { bytes, part: Part::Native, text: Some(text.to_vec()) }.show(&hub, Dir::In, "client 1", 1);
    }
    Wired { bytes: message.clone(), part: Part::Native, text: None }.show(&hub, Dir::Out, "client 1", 1);
    let seen = texts.0.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "the frame sent is not built");
    assert!(!seen[0].is_message && seen[1].is_message);
    assert_eq!(seen[1].text.as_deref(), Some(&b"pay 10 to bob"[..]));
    assert_eq!((seen[1].peer.as_str(), seen[1].dir), ("client 1", Dir::In));

    // Everything: the whole frame, its bytes and fields.
    let all = Collector::new();
    let hub = Events::new().with(all.clone());
    Wired { bytes: message.clone(), part: Part::Native, text: None }.show(&hub, Dir::Out, "client 1", 2);
    let events = all.events();
    let Some(cryptolab::events::Event::Frame(f)) = events.first() else { panic!("no frame: {events:?}") };
    assert_eq!(f.bytes, message);
    assert!(!f.spans.is_empty() && f.is_message);
}
