//! A thousand clients connecting at once to the real server, each getting its
//! own message echoed back — in a test binary of its own, so that the crowd
//! does not slow the timing-sensitive cases in `tests/net.rs`.

mod support;

use cryptolab::net::read_frame;
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
                    let c = cipher(Suite::Gcm);
                    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
                    let mut sealer = Sealer::new(c.clone());
                    let mut opener = Opener::new(c, "server".into(), "you speak");
                    let text = format!("client number {i}");
                    let mut out = sealer.seal(Kind::Hello, b"x");
                    out.extend(sealer.seal(Kind::Message, text.as_bytes()));
                    tokio::io::AsyncWriteExt::write_all(&mut s, &out).await.unwrap();
                    let limits = Default::default();
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
