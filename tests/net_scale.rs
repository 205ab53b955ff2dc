//! A thousand clients connecting at once to the real server, each getting its
//! own message echoed back — in a test binary of its own, so that the crowd
//! does not slow the timing-sensitive cases in `tests/net.rs`.

mod support;

use cryptolab::net::read_frame;
use std::sync::Arc;

use cryptolab::session::handshake::ClientStart;
use cryptolab::session::{Opener, Sealer};
use cryptolab::suite::Suite;
use cryptolab::wire::Kind;
use support::chat::*;

#[test]
fn a_thousand_clients_at_once() {
    let (srv, port) = server("gcm", &["--echo", "--quiet"]);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let ok = rt.block_on(async move {
        let tasks: Vec<_> = (0..1000)
            .map(|i| {
                tokio::spawn(async move {
                    use tokio::io::AsyncWriteExt;
                    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
                    let limits = Default::default();
                    // Each client its own handshake, its own keys.
                    let start = ClientStart::new(handshake_config(Suite::Gcm), &mut rand::rng());
                    s.write_all(start.hello()).await.unwrap();
                    let server_hello = read_frame(&mut s, &limits).await.unwrap().unwrap();
                    let (finished, keys) = start.finish(&server_hello).unwrap();
                    let mut sealer = Sealer::new(Arc::new(keys.client_to_server));
                    let mut opener =
                        Opener::new(Arc::new(keys.server_to_client), "server".into(), "you speak");
                    let text = format!("client number {i}");
                    let mut out = finished;
                    out.extend(sealer.seal(Kind::Hello, b"x"));
                    out.extend(sealer.seal(Kind::Message, text.as_bytes()));
                    s.write_all(&out).await.unwrap();
                    let hello = read_frame(&mut s, &limits).await.unwrap().unwrap();
                    opener.open(&hello).unwrap();
                    let echo = read_frame(&mut s, &limits).await.unwrap().unwrap();
                    opener.open(&echo).unwrap().text == text.as_bytes()
                })
            })
            .collect();
        let mut ok = 0;
        for t in tasks {
            ok += usize::from(t.await.unwrap());
        }
        ok
    });
    assert_eq!(ok, 1000, "every client got its own message back");
    assert_still_serves("gcm", port, "after the crowd");
    assert!(!srv.text().contains("accept failed"));
}

/// The resident memory of process `pid`, in bytes (Linux `/proc`).
fn rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("VmRSS in /proc/PID/status");
    kib * 1024
}

/// Opens `n` connections to `port`, each sending only a 16-byte native
/// header that claims a body one byte under the 1 MiB limit, and keeps them
/// open (the caller drops them).
fn hostile_headers(port: u16, n: usize) -> Vec<std::net::TcpStream> {
    use std::io::Write;
    let header = cryptolab::wire::Header {
        suite: Suite::Gcm,
        kind: Kind::Message,
        seq: 0,
        len: cryptolab::wire::DEFAULT_MAX_BODY - 1,
    }
    .encode();
    (0..n)
        .map(|_| {
            let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
            s.write_all(&header).unwrap();
            s
        })
        .collect()
}

/// Waits until the peer has read what `conns` sent (its RSS is measured
/// after the bytes arrived, not before): a short pause, then the largest of
/// a few readings.
fn peak_rss_after(pid: u32) -> u64 {
    let mut peak = 0;
    for _ in 0..10 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        peak = peak.max(rss(pid));
    }
    peak
}

#[test]
fn headers_claiming_a_mebibyte_cost_the_server_only_the_bytes_that_arrived() {
    // 2000 × 1 MiB claimed = 2 GiB if a buffer followed the claim. With
    // --static-keys a first frame may claim up to --max-frame (with the
    // handshake, the first frames may claim only a handshake message's
    // length: tests/net.rs), so this is where a claim could cost the most.
    let (srv, port) = server("gcm", &["--echo", "--quiet", "--static-keys"]);
    let pid = srv.child.id();
    let before = rss(pid);
    let conns = hostile_headers(port, 2000);
    let peak = peak_rss_after(pid);
    assert_still_serves_with("gcm", port, "while 2000 headers wait for their bodies", &["--static-keys"]);
    eprintln!("server RSS: {} MB before, {} MB with 2000 hostile headers", before >> 20, peak >> 20);
    assert!(
        peak < 100 << 20,
        "server RSS {} MB with 2000 hostile headers (before: {} MB)",
        peak >> 20,
        before >> 20
    );
    drop(conns);
}

#[test]
fn headers_claiming_a_mebibyte_cost_the_proxy_only_the_bytes_that_arrived() {
    let (_srv, port) = server("gcm", &["--echo", "--quiet", "--static-keys"]);
    let up = format!("127.0.0.1:{port}");
    let px = support::chat::Proc::spawn(&["proxy", "--listen", "0", "--upstream", &up, "--quiet"]);
    let text = px.wait_for("proxy listening on 127.0.0.1:");
    let pport: u16 = {
        let p = text.split("proxy listening on 127.0.0.1:").nth(1).unwrap();
        p[..p.find(|c: char| !c.is_ascii_digit()).unwrap()].parse().unwrap()
    };
    let pid = px.child.id();
    let conns = hostile_headers(pport, 1000);
    let peak = peak_rss_after(pid);
    assert_still_serves_with("gcm", pport, "through the proxy, while 1000 headers wait", &["--static-keys"]);
    eprintln!("proxy RSS: {} MB with 1000 hostile headers", peak >> 20);
    assert!(peak < 100 << 20, "proxy RSS {} MB with 1000 hostile headers", peak >> 20);
    drop(conns);
}

#[test]
fn a_server_wide_budget_closes_the_connection_that_would_go_over_it() {
    use std::io::Write;
    // Budget 1 MiB; three clients each send 600 KB of a 1 MiB frame and
    // stop. Each one's buffer follows what it sent, and together they would
    // hold 1.8 MB: the one whose read goes over the budget is closed, the
    // others and a normal client go on.
    let flags = ["--echo", "--quiet", "--static-keys", "--memory-budget", "1", "--frame-timeout", "20"];
    let (srv, port) = server("gcm", &flags);
    let header = cryptolab::wire::Header {
        suite: Suite::Gcm,
        kind: Kind::Hello,
        seq: 0,
        len: cryptolab::wire::DEFAULT_MAX_BODY - 1,
    }
    .encode();
    let conns: Vec<std::net::TcpStream> = (0..3)
        .map(|_| {
            let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
            s.write_all(&header).unwrap();
            s.write_all(&vec![0x55; 600_000]).unwrap();
            s
        })
        .collect();
    let log = srv.wait_for("the memory budget for arriving messages (1 MiB, --memory-budget) is spent");
    assert!(log.contains("; closing client"), "{log}");
    assert_still_serves_with("gcm", port, "within the budget", &["--static-keys"]);
    drop(conns);
}

/// Runs `cryptolab bench ARGS` and returns its report.
fn bench(args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cryptolab"))
        .arg("bench")
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let report = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{report}\n{}", String::from_utf8_lossy(&out.stderr));
    report
}

/// The numbers of the table row that starts with `| name |`.
fn row(report: &str, name: &str) -> Vec<f64> {
    let line = report
        .lines()
        .find(|l| l.starts_with(&format!("| {name} |")))
        .unwrap_or_else(|| panic!("no row '{name}' in\n{report}"));
    line.split('|')
        .skip(2)
        .filter_map(|cell| cell.trim().trim_end_matches(" %").split(' ').next()?.parse().ok())
        .collect()
}

#[test]
fn the_bench_measures_round_trips_in_every_suite_with_the_cpu_each_side_used() {
    // What is measured is not judged here (tests time nothing): that every
    // row is there, and that a reply was counted only when it was right.
    let report = bench(&["--only", "round-trips", "--seconds", "0.2"]);
    assert!(!report.contains("### Bulk") && !report.contains("### Scale"), "{report}");
    let base = row(&report, "plain, blocking echo (a process)");
    assert_eq!(base.len(), 4, "rate, 100 %, server CPU, client CPU: {base:?}");
    assert!(base[0] > 0.0 && base[1] == 100.0 && base[2] > 0.0 && base[3] > 0.0);
    assert!(row(&report, "plain, tokio echo (a process)")[2] > 0.0);
    for suite in Suite::ALL {
        let r = row(&report, &format!("`serve --echo --quiet`, {suite}"));
        assert_eq!(r.len(), 4, "{suite}: {r:?}");
        assert!(r.iter().all(|&v| v > 0.0), "{suite}: {r:?}");
    }
}

#[test]
fn the_bench_scale_run_checks_every_reply() {
    let report = bench(&["--only", "scale", "--clients", "40", "--messages", "3"]);
    let line = report.lines().find(|l| l.starts_with("| 120 / 120 |")).unwrap_or_else(|| panic!("{report}"));
    assert!(line.starts_with("| 120 / 120 | 0 | 0 | 0 |"), "none lost, misdelivered or failed: {line}");
}

#[test]
fn a_bench_whose_reader_has_gone_stops_quietly() {
    // The report is printed as it is measured; a reader that stops after
    // the first lines (`| head`) is a closed pipe, not a failed bench.
    let bin = env!("CARGO_BIN_EXE_cryptolab");
    let out = std::process::Command::new("bash")
        .args([
            "-c",
            &format!("'{bin}' bench --only round-trips --seconds 0.1 | head -c 10 >/dev/null; echo ${{PIPESTATUS[0]}}"),
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "0", "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("benchmark failed"));
}

/// The pids whose parent is `parent` (Linux `/proc`).
fn children_of(parent: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else { return Vec::new() };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // "pid (comm) state ppid …": the command may hold spaces and ')'.
            let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
            after.split_whitespace().nth(1) == Some(&parent.to_string())
        })
        .collect()
}

#[test]
fn the_bench_gives_its_servers_their_keys_in_a_private_file_never_on_the_command_line() {
    use std::os::unix::fs::PermissionsExt;
    // Every user of a machine can read every process's command line.
    let tmp = tempfile::tempdir().unwrap();
    let mut bench = std::process::Command::new(env!("CARGO_BIN_EXE_cryptolab"))
        .args(["bench", "--only", "round-trips", "--seconds", "0.3"])
        .env("TMPDIR", tmp.path())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut servers = 0;
    while bench.try_wait().unwrap().is_none() {
        for pid in children_of(bench.id()) {
            let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else { continue };
            let args: Vec<String> =
                cmdline.split(|&b| b == 0).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
            if args.get(1).map(String::as_str) != Some("serve") {
                continue;
            }
            assert!(
                !args.iter().any(|a| a == "--key" || a == "--mac-key"),
                "keys on the command line: {args:?}"
            );
            let at = args.iter().position(|a| a == "--key-file").unwrap_or_else(|| panic!("{args:?}"));
            let file = std::path::Path::new(&args[at + 1]);
            assert!(file.starts_with(tmp.path()), "{file:?}");
            if let (Ok(f), Ok(d)) = (std::fs::metadata(file), std::fs::metadata(file.parent().unwrap())) {
                assert_eq!(f.permissions().mode() & 0o777, 0o600, "{file:?}");
                assert_eq!(d.permissions().mode() & 0o777, 0o700, "{file:?}'s directory");
                servers += 1;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(bench.wait().unwrap().success());
    assert!(servers > 0, "no bench server was seen running");
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(left.is_empty(), "key directories left behind: {left:?}");
}
