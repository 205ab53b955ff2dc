//! Every worksheet in `labs/` is executed. One-shot worksheets run under
//! trycmd: each `$ cryptolab …` line in a ```` ```console ```` block runs
//! against the real binary from the repository root, and its output must match
//! the sheet (`...` skips lines, `[..]` part of a line). Worksheets that start
//! servers in the background run under `tests/labs_chat.rs`. A worksheet
//! therefore cannot drift from the program, and none can be forgotten.

/// Worksheets whose commands all run to completion (trycmd).
const ONE_SHOT: &[&str] = &[
    "labs/01-modes.md",
    "labs/03-classical.md",
    "labs/04-ecb-image.md",
    "labs/05-bitflip.md",
    "labs/06-hmac.md",
    "labs/07-padding-oracle.md",
    "labs/08-replay.md",
    "labs/11-aes-rounds.md",
    "labs/12-error-propagation.md",
    "labs/13-padding.md",
    "labs/14-predictable-iv.md",
    "labs/15-nonce-reuse.md",
    "labs/16-key-search.md",
];
/// Worksheets with background servers (tests/labs_chat.rs).
const WITH_SERVERS: &[&str] = &[
    "labs/02-chat.md",
    "labs/09-proxy.md",
    "labs/10-classroom-formats.md",
    "labs/17-key-exchange.md",
    "labs/18-challenges.md",
    "labs/19-browser-view.md",
];

#[test]
fn labs() {
    let cases = trycmd::TestCases::new();
    cases.register_bin("cryptolab", trycmd::cargo::cargo_bin!("cryptolab"));
    for lab in ONE_SHOT {
        cases.case(lab);
    }
}

#[test]
fn every_worksheet_is_executed_by_a_test() {
    for entry in std::fs::read_dir("labs").unwrap() {
        let path = format!("labs/{}", entry.unwrap().file_name().to_string_lossy());
        if path.ends_with(".md") {
            assert!(
                ONE_SHOT.contains(&path.as_str()) || WITH_SERVERS.contains(&path.as_str()),
                "{path} is run by no test: add it to ONE_SHOT or WITH_SERVERS in tests/labs.rs"
            );
        }
    }
}
