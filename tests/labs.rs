//! Every worksheet in `labs/` is executed: each `$ cryptolab …` line in a
//! ```` ```console ```` block runs against the real binary from the
//! repository root, and its output must match the sheet (`...` skips lines,
//! `[..]` part of a line). A worksheet therefore cannot drift from the program.

#[test]
fn labs() {
    trycmd::TestCases::new()
        .register_bin("cryptolab", trycmd::cargo::cargo_bin!("cryptolab"))
        .case("labs/*.md");
}
