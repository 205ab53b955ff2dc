//! The chat that guides, over real sockets on 127.0.0.1: both sides say at
//! start what can be typed; lines starting with `/` at the client are
//! commands answered there and never sent as text; `/quit` is the exit word
//! on both sides; `//text` sends `/text`; `--compact` shows the
//! conversation one line per frame.

mod support;

use support::chat::*;

#[test]
fn both_sides_say_what_can_be_typed() {
    let (srv, port) = server("gcm", &[]);
    let text = srv.wait_for("/quit");
    assert!(
        text.contains("type a line to send it to every client; /to ID text, /list, /help, /quit"),
        "{text}"
    );
    let c = client("gcm", port, &[]);
    let text = c.wait_for("/quit ends the session");
    assert!(text.contains("type a line and press Enter to send it; /help for commands"), "{text}");
}

#[test]
fn client_commands_are_answered_locally_and_never_sent() {
    let (srv, port) = server("cbc-hmac", &["--echo", "--quiet"]);
    let mut c = client("cbc-hmac", port, &["--quiet"]);
    srv.wait_for("client 1 connected");
    c.say("/help");
    c.wait_for("commands: /quit ends the session");
    c.say("/list");
    c.wait_for("only the server lists its clients");
    c.say("/nonsense");
    c.wait_for("unknown command '/nonsense', not sent");
    c.say("//starts with a slash");
    c.wait_for("server: /starts with a slash");
    c.say("after the commands");
    c.wait_for("server: after the commands");
    c.say("/quit");
    assert_eq!(c.wait_exit(), 0, "{}", c.text());
    let log = srv.wait_for("left (said goodbye)");
    // The server read exactly the two text lines: no command reached it.
    for command in ["/help", "/list", "/nonsense", "/quit"] {
        assert!(!log.contains(&format!("client 1: {command}")), "{command} was sent:\n{log}");
    }
    assert!(log.contains("client 1: /starts with a slash"), "{log}");
    assert!(log.contains("client 1: after the commands"), "{log}");
}

#[test]
fn slash_quit_is_the_exit_word_in_a_classroom_format_too() {
    // b64-iv-ct programs end on `bye`: /quit sends it, and never "/quit".
    let key = "text:Sixteen byte key";
    let mut srv = Proc::spawn(&["serve", "--wire", "b64-iv-ct", "--port", "0", "--key", key, "--echo"]);
    let text = srv.wait_for("listening on 127.0.0.1:");
    let port = text.split("listening on 127.0.0.1:").nth(1).unwrap();
    let port = port[..port.find(' ').unwrap()].to_string();
    let mut c = Proc::spawn(&["connect", "--wire", "b64-iv-ct", "--key", key, "--quiet", "127.0.0.1", &port]);
    c.wait_for("/quit ends the session");
    c.say("hello");
    c.wait_for("server: hello");
    c.say("/quit");
    assert_eq!(c.wait_exit(), 0, "{}", c.text());
    let log = srv.wait_for("text: bye");
    assert!(!log.contains("text: /quit"), "{log}");
    srv.say("/quit");
}

#[test]
fn the_server_console_has_help_and_a_slash_escape() {
    let (mut srv, port) = server("gcm", &[]);
    let c = client("gcm", port, &["--quiet"]);
    srv.wait_for("client 1 connected");
    srv.say("/help");
    srv.wait_for("commands: /to ID text sends to one client");
    srv.say("//root");
    c.wait_for("server: /root");
    srv.say("/quit");
    assert_eq!(srv.wait_exit(), 0, "{}", srv.text());
}

#[test]
fn compact_shows_one_line_per_frame_with_its_text() {
    let (srv, port) = server("gcm", &["--echo", "--quiet"]);
    let mut c = client("gcm", port, &["--compact", "--send", "meet at noon"]);
    assert_eq!(c.wait_exit(), 0, "{}", c.text());
    let text = c.text();
    let sent = text.lines().find(|l| l.starts_with("→ out#4 to server · message · seq 1 · gcm · "));
    assert!(sent.is_some_and(|l| l.ends_with(" bytes: meet at noon")), "{text}");
    let echo = text.lines().find(|l| l.starts_with("← in#3 from server · message · seq 1 · gcm · "));
    assert!(echo.is_some_and(|l| l.ends_with(" bytes: meet at noon")), "{text}");
    assert!(text.lines().any(|l| l.starts_with("→ out#1 to server · handshake")), "{text}");
    assert!(!text.contains("offset  field"), "no dumps in the compact view:\n{text}");
    drop(srv);
}
