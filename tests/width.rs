//! At an 80-column terminal nothing wraps: the tour, every demo of the
//! registry and the classical commands (demos, cracks, `identify`, `freq`),
//! run by the real binary with `--width 80`, print no line longer
//! than 80 columns (counted in characters, as a terminal shows them). The
//! tour also stays short enough to read in a couple of minutes.

use std::process::Command;

use cryptolab::demos::DEMOS;

fn run(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_cryptolab"))
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(tempfile::tempdir().unwrap().path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn too_wide(text: &str, columns: usize) -> Vec<String> {
    text.lines()
        .filter(|l| l.chars().count() > columns)
        .map(|l| format!("{}: {l}", l.chars().count()))
        .collect()
}

#[test]
fn the_tour_fits_80_columns_in_under_120_lines() {
    let text = run(&["--width", "80", "tour", "--seed", "7"]);
    assert_eq!(too_wide(&text, 80), Vec::<String>::new(), "{text}");
    let lines = text.lines().count();
    assert!(lines < 120, "the tour is {lines} lines:\n{text}");
}

#[test]
fn what_the_first_run_says_about_its_new_key_file_fits_80_columns() {
    // On stderr, so not in the tour's text above; a student's first screen
    // (a tour without --seed makes the key file it runs on).
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_cryptolab"))
        .args(["--width", "80", "tour"])
        .env("NO_COLOR", "1")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.starts_with("created key file cryptolab.key (mode 0600):\n"), "{stderr}");
    assert_eq!(too_wide(&stderr, 80), Vec::<String>::new(), "{stderr}");
    let out = Command::new(env!("CARGO_BIN_EXE_cryptolab"))
        .args(["keygen", "--bits", "256", "--out", "k.key"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("fingerprint "), "{stdout}");
    assert_eq!(too_wide(&stdout, 80), Vec::<String>::new(), "{stdout}");
}

#[test]
fn every_demo_fits_80_columns() {
    for demo in DEMOS {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_cryptolab"))
            .args(["--width", "80", "demo", "--seed", "7", demo.name])
            .env("NO_COLOR", "1")
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}: {}", demo.name, String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.lines().count() > 5, "{}: {text}", demo.name);
        assert_eq!(too_wide(&text, 80), Vec::<String>::new(), "demo {}", demo.name);
    }
}

#[test]
fn the_step_views_fit_80_columns() {
    for args in [
        &["padding-oracle", "--step", "--message", "Attack at dawn"][..],
        &["bitflip", "--offset", "38", "--delta", "0102"][..],
    ] {
        let text = run(&[&["--width", "80", "demo", "--seed", "75"][..], args].concat());
        assert_eq!(too_wide(&text, 80), Vec::<String>::new(), "{args:?}");
    }
}

/// English in lines of under 60 columns: a crack's plaintext keeps its
/// ciphertext's lines, so the text's own lines fit too.
const CLASSICAL_TEXT: &str = "It is a truth universally acknowledged, that a single man
in possession of a good fortune must be in want of a wife.
However little known the feelings or views of such a man
may be on his first entering a neighbourhood, this truth is
so well fixed in the minds of the surrounding families.";

#[test]
fn the_classical_commands_fit_80_columns() {
    let mut runs: Vec<Vec<String>> = ["caesar", "mono", "transposition", "vigenere"]
        .iter()
        .map(|c| vec!["classical".into(), (*c).into(), "--seed".into(), "7".into()])
        .collect();
    for (cipher, key) in
        [("caesar", "7"), ("mono", "ZEBRAS"), ("transposition", "ZEBRAS"), ("vigenere", "WINTER")]
    {
        let ct = run(&["classical", cipher, "encrypt", "--key", key, CLASSICAL_TEXT]);
        runs.push(["classical", cipher, "crack", "--seed", "1", ct.as_str()].map(String::from).to_vec());
        runs.push(["classical", "identify", ct.as_str()].map(String::from).to_vec());
    }
    for sort in ["letter", "count"] {
        runs.push(["classical", "freq", "--sort", sort, CLASSICAL_TEXT].map(String::from).to_vec());
    }
    for args in runs {
        let args: Vec<&str> = ["--width", "80"].into_iter().chain(args.iter().map(String::as_str)).collect();
        let text = run(&args);
        assert!(text.lines().count() > 5, "{args:?}: {text}");
        assert_eq!(too_wide(&text, 80), Vec::<String>::new(), "{:?}", &args[..4]);
    }
}

#[test]
fn columns_comes_from_the_environment_and_width_overrides_it() {
    let wide = |args: &[&str], columns: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_cryptolab"))
            .args(args)
            .env("NO_COLOR", "1")
            .env("COLUMNS", columns)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let narrow = wide(&["demo", "--seed", "1", "padding"], "80");
    assert!(too_wide(&narrow, 80).is_empty(), "{narrow}");
    assert!(narrow.contains("  0000    pt[0]  43 61 6c 6c 20 6d 65 20  |Call me |"), "{narrow}");
    let full = wide(&["--width", "120", "demo", "--seed", "1", "padding"], "80");
    assert!(full.contains("|Call me Ishmael.|"), "{full}");
}

#[test]
fn a_bad_width_is_a_usage_error() {
    for bad in ["0", "10", "abc", "100000"] {
        let out =
            Command::new(env!("CARGO_BIN_EXE_cryptolab")).args(["--width", bad, "tour"]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "--width {bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--width"), "{err}");
    }
}

#[test]
fn the_readme_shows_the_tour_as_it_prints() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let heading = "## What the tour shows (real output, `cryptolab --width 80 tour --seed 1`)";
    let block = readme.split(heading).nth(1).unwrap();
    let excerpt = block.split("```text\n").nth(1).unwrap().split("```").next().unwrap();
    let text = run(&["--width", "80", "tour", "--seed", "1"]);
    assert!(excerpt.lines().count() >= 5);
    assert!(text.contains(excerpt), "README's excerpt is not in the tour's output:\n{excerpt}");
}
