//! `cryptolab classical …` run as the real binary: one test per success path
//! (each cipher × encrypt/decrypt/crack, the demos, `freq`, `identify`, the
//! JSON shapes), the honest verdicts on short texts and failed cracks, and
//! one test per bad input, checking the exact two-line error (`cryptolab:
//! what` / `  hint: what to do`) and exit status 2.

use std::io::Write;
use std::process::{Command, Output, Stdio};

const HELD_OUT: &str = include_str!("../data/english/heldout.txt");

fn cryptolab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cryptolab"))
        .arg("classical")
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn cryptolab_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cryptolab"))
        .arg("classical")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Asserts success and returns stdout.
fn ok(o: Output) -> String {
    assert!(o.status.success(), "failed: {}\n{}", stdout(&o), stderr(&o));
    stdout(&o)
}

/// Asserts exit status 2 with exactly this two-line message and no stdout.
fn fails_with(o: Output, what: &str, hint: &str) {
    assert_eq!(o.status.code(), Some(2), "stdout: {}", stdout(&o));
    assert_eq!(stderr(&o), format!("cryptolab: {what}\n  hint: {hint}\n"));
    assert_eq!(stdout(&o), "");
}

/// About `n` characters of held-out English prose, starting at a word.
fn prose(from: usize, n: usize) -> String {
    let mut s = String::new();
    let words = HELD_OUT[from..]
        .split_whitespace()
        .skip(1)
        .skip_while(|w| !w.starts_with(|c: char| c.is_ascii_alphabetic()));
    for w in words {
        if s.len() >= n {
            break;
        }
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(w);
    }
    s
}

/// Exactly `n` letters of held-out English, upper case, from the first word
/// at or after `from`.
fn letters(from: usize, n: usize) -> String {
    let text: String = HELD_OUT[from..].split_whitespace().skip(1).collect::<Vec<_>>().join(" ");
    text.chars().filter(char::is_ascii_alphabetic).map(|c| c.to_ascii_uppercase()).take(n).collect()
}

/// The line of `out` that starts with `prefix`, without it.
fn line<'a>(out: &'a str, prefix: &str) -> &'a str {
    out.lines().find_map(|l| l.strip_prefix(prefix)).unwrap_or_else(|| panic!("no `{prefix}` in:\n{out}"))
}

fn json(text: &str) -> serde_json::Map<String, serde_json::Value> {
    let value: serde_json::Value = serde_json::from_str(text.trim()).expect("valid JSON");
    let serde_json::Value::Object(m) = value else { panic!("not an object: {value}") };
    m
}

/// Asserts that the JSON object has exactly these keys, in this order.
fn assert_keys(raw: &str, m: &serde_json::Map<String, serde_json::Value>, expected: &[&str]) {
    let mut sorted: Vec<&str> = expected.to_vec();
    sorted.sort_unstable();
    assert_eq!(m.keys().map(String::as_str).collect::<Vec<_>>(), sorted, "{raw}");
    let places: Vec<usize> =
        expected.iter().map(|k| raw.find(&format!("\"{k}\":")).expect("key present")).collect();
    assert!(places.windows(2).all(|w| w[0] < w[1]), "key order in {raw}");
}

// ---------------------------------------------------------------------------
// Encrypt and decrypt

#[test]
fn caesar_encrypt_prints_the_ciphertext() {
    assert_eq!(ok(cryptolab(&["caesar", "encrypt", "--key", "3", "Attack at dawn!"])), "Dwwdfn dw gdzq!\n");
}

#[test]
fn caesar_encrypt_accepts_a_letter_key_and_several_words() {
    assert_eq!(
        ok(cryptolab(&["caesar", "encrypt", "--key", "D", "attack", "at", "dawn"])),
        "dwwdfn dw gdzq\n"
    );
}

#[test]
fn caesar_decrypt_prints_the_plaintext() {
    assert_eq!(ok(cryptolab(&["caesar", "decrypt", "--key", "3", "Dwwdfn dw gdzq!"])), "Attack at dawn!\n");
}

#[test]
fn mono_encrypt_with_keyword() {
    assert_eq!(ok(cryptolab(&["mono", "encrypt", "--key", "ZEBRAS", "Flee at once"])), "Siaa zq lkba\n");
}

#[test]
fn mono_decrypt_with_alphabet() {
    assert_eq!(
        ok(cryptolab(&["mono", "decrypt", "--key", "ZEBRASCDFGHIJKLMNOPQTUVWXY", "Siaa zq lkba"])),
        "Flee at once\n"
    );
}

#[test]
fn transposition_encrypt_with_keyword() {
    assert_eq!(
        ok(cryptolab(&["transposition", "encrypt", "--key", "ZEBRAS", "WEAREDISCOVEREDFLEEATONCE"])),
        "EVLNACDTESEAROFODEECWIREE\n"
    );
}

#[test]
fn transposition_decrypt_with_numbers() {
    assert_eq!(
        ok(cryptolab(&["transposition", "decrypt", "--key", "6,3,2,4,1,5", "EVLNACDTESEAROFODEECWIREE"])),
        "WEAREDISCOVEREDFLEEATONCE\n"
    );
}

#[test]
fn transposition_padded_round_trip() {
    // RETR / EATA / TONC / EXXX, columns read 2nd, 4th, 1st, 3rd: the three
    // padding letters are appended after the text's last character.
    let ct =
        ok(cryptolab(&["transposition", "encrypt", "--key", "3,1,4,2", "--pad", "X", "RETREAT AT ONCE!"]));
    assert_eq!(ct, "EAOXRAC XR ETET!TNX\n");
    let pt = ok(cryptolab(&["transposition", "decrypt", "--key", "3,1,4,2", "--pad", "X", ct.trim_end()]));
    assert_eq!(pt, "RETREAT AT ONCE!\n");
}

#[test]
fn vigenere_encrypt_and_decrypt() {
    assert_eq!(
        ok(cryptolab(&["vigenere", "encrypt", "--key", "LEMON", "ATTACK AT DAWN"])),
        "LXFOPV EF RNHR\n"
    );
    assert_eq!(
        ok(cryptolab(&["vigenere", "decrypt", "--key", "lemon", "LXFOPV EF RNHR"])),
        "ATTACK AT DAWN\n"
    );
}

#[test]
fn encrypt_reads_a_file_with_in() {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    writeln!(file, "Attack at dawn!").unwrap();
    let path = file.path().to_str().unwrap();
    assert_eq!(ok(cryptolab(&["caesar", "encrypt", "--key", "3", "--in", path])), "Dwwdfn dw gdzq!\n");
}

#[test]
fn encrypt_reads_standard_input() {
    let o = cryptolab_stdin(&["caesar", "encrypt", "--key", "3"], "Attack at dawn!\n");
    assert_eq!(ok(o), "Dwwdfn dw gdzq!\n");
}

#[test]
fn encrypt_json_has_cipher_key_ciphertext() {
    let out = ok(cryptolab(&["vigenere", "encrypt", "--key", "lemon", "--json", "attack"]));
    let m = json(&out);
    assert_keys(&out, &m, &["cipher", "key", "ciphertext"]);
    assert_eq!(m["cipher"], "vigenere");
    assert_eq!(m["key"], "LEMON");
    assert_eq!(m["ciphertext"], "lxfopv");
}

#[test]
fn decrypt_json_has_cipher_key_plaintext() {
    let out = ok(cryptolab(&[
        "transposition",
        "decrypt",
        "--key",
        "ZEBRAS",
        "--json",
        "EVLNACDTESEAROFODEECWIREE",
    ]));
    let m = json(&out);
    assert_keys(&out, &m, &["cipher", "key", "plaintext"]);
    assert_eq!(m["key"], "6,3,2,4,1,5");
    assert_eq!(m["plaintext"], "WEAREDISCOVEREDFLEEATONCE");
}

// ---------------------------------------------------------------------------
// Cracks

#[test]
fn caesar_crack_shows_the_ranked_table_key_and_plaintext() {
    let pt = prose(2000, 120);
    let ct = ok(cryptolab(&["caesar", "encrypt", "--key", "11", &pt]));
    let out = ok(cryptolab(&["caesar", "crack", ct.trim_end()]));
    assert!(out.contains("χ² of the letter counts against English"), "{out}");
    assert!(out.contains("11 (L)"), "{out}");
    assert!(out.contains("← chosen"), "{out}");
    assert!(out.contains("\nkey: 11\n"), "{out}");
    assert!(out.ends_with(&format!("plaintext:\n{pt}\n")), "{out}");
    // All 26 shifts are ranked.
    assert_eq!(out.lines().filter(|l| l.contains(") ")).count(), 26, "{out}");
}

#[test]
fn crack_json_has_the_key_plaintext_score_and_how_sure() {
    let pt = prose(3000, 150);
    let ct = ok(cryptolab(&["caesar", "encrypt", "--key", "5", &pt]));
    let out = ok(cryptolab(&["caesar", "crack", "--json", ct.trim_end()]));
    let m = json(&out);
    assert_keys(
        &out,
        &m,
        &["cipher", "key", "plaintext", "score", "confidence", "margin", "evidence", "rival"],
    );
    assert_eq!(m["cipher"], "caesar");
    assert_eq!(m["key"], "5");
    assert_eq!(m["plaintext"], pt.as_str());
    assert!(m["score"].as_f64().unwrap() < -3.0);
    assert_eq!(m["confidence"], "sure");
    assert!(m["margin"].as_f64().unwrap() > 10.0, "{out}");
    assert!(m["evidence"].as_f64().unwrap() >= m["margin"].as_f64().unwrap(), "{out}");
    assert!(m["rival"].as_str().unwrap().starts_with("shift ") || m["rival"] == "chance", "{out}");
}

#[test]
fn mono_crack_json_recovers_400_letters() {
    let pt = prose(6000, 520);
    let ct = ok(cryptolab(&["mono", "encrypt", "--key", "QWERTYUIOPASDFGHJKLZXCVBNM", &pt]));
    let m = json(&ok(cryptolab(&["mono", "crack", "--json", "--seed", "1", ct.trim_end()])));
    assert_eq!(m["cipher"], "mono");
    assert_eq!(m["plaintext"], pt.as_str());
}

#[test]
fn mono_crack_text_output_shows_the_alphabets() {
    let pt = prose(8000, 700);
    let ct = ok(cryptolab(&["mono", "encrypt", "--key", "DEVIL", &pt]));
    let out = ok(cryptolab(&["mono", "crack", "--seed", "3", ct.trim_end()]));
    assert!(out.contains("plain  ABCDEFGHIJKLMNOPQRSTUVWXYZ\ncipher "), "{out}");
    assert!(out.contains("(seed 3)"), "{out}");
    assert!(out.ends_with(&format!("plaintext:\n{pt}\n")), "{out}");
}

#[test]
fn transposition_crack_recovers_the_order() {
    let pt = prose(11000, 260);
    let ct = ok(cryptolab(&["transposition", "encrypt", "--key", "4,2,5,1,3", &pt]));
    let out = ok(cryptolab(&["transposition", "crack", "--seed", "1", ct.trim_end()]));
    assert!(out.contains("\nkey: 4,2,5,1,3\n"), "{out}");
    assert!(out.ends_with(&format!("plaintext:\n{pt}\n")), "{out}");
}

#[test]
fn vigenere_crack_shows_periods_and_recovers_the_key() {
    let pt = prose(16000, 420);
    let ct = ok(cryptolab(&["vigenere", "encrypt", "--key", "BIERCE", &pt]));
    let out = ok(cryptolab(&["vigenere", "crack", ct.trim_end()]));
    assert!(out.contains("Kasiski"), "{out}");
    assert!(out.contains("\nkey: BIERCE\n"), "{out}");
    assert!(out.ends_with(&format!("plaintext:\n{pt}\n")), "{out}");
}

#[test]
fn a_short_crack_says_too_short_and_shows_no_plaintext_as_a_result() {
    let o = cryptolab(&["mono", "crack", "--seed", "1", "Wkh txlfn eurzq ira"]);
    assert!(o.status.success());
    assert_eq!(stderr(&o), "");
    let out = stdout(&o);
    assert!(line(&out, "confidence: ").starts_with("too short to tell (margin "), "{out}");
    assert!(out.contains("\nbest guess (not a sure result):\n"), "{out}");
    assert!(!out.contains("plaintext:"), "{out}");
}

#[test]
fn a_crack_says_how_sure_it_is() {
    let pt = prose(16000, 420);
    let ct = ok(cryptolab(&["vigenere", "encrypt", "--key", "BIERCE", &pt]));
    let out = ok(cryptolab(&["vigenere", "crack", ct.trim_end()]));
    assert!(line(&out, "confidence: ").starts_with("sure (margin "), "{out}");
    assert!(out.contains("support"), "{out}");
    // Everything but the plaintext itself fits 80 columns.
    let report = &out[..out.find("plaintext:").unwrap()];
    assert!(report.lines().all(|l| l.chars().count() <= 80), "{out}");
    // The key-length table speaks of every n-th letter, never "every 3th".
    assert!(out.contains("every n-th letter"), "{out}");
    assert!(!["1th", "2th", "3th"].iter().any(|w| out.contains(w)), "{out}");
}

// ---------------------------------------------------------------------------
// Honest verdicts: the cases that were wrong before (see tests/classical.rs)

#[test]
fn identify_does_not_call_57_letters_of_substitution_a_vigenere() {
    // Before: "Verdict: Vigenère, key length 3".
    let ct = ok(cryptolab(&["mono", "encrypt", "--key", "QWERTYUIOPASDFGHJKLZXCVBNM", &letters(18000, 57)]));
    let out = ok(cryptolab(&["identify", ct.trim_end()]));
    assert!(out.starts_with("1. 57 letters;"), "{out}");
    let verdict = line(&out, "Verdict: ");
    assert!(verdict == "monoalphabetic substitution" || verdict == "too short to tell", "{out}");
    assert!(!out.contains("Verdict: Vigenère"), "{out}");
    if verdict == "too short to tell" {
        // Undecided, it names the candidates to try, the right one among them.
        let candidates = &out[out.find("Candidates, best supported first: ").expect(&out)..];
        assert!(candidates.contains("monoalphabetic substitution (support "), "{out}");
        assert!(candidates.matches("(support ").count() >= 2, "{out}");
        assert!(out.contains("mono crack"), "{out}");
    }
    assert!(line(&out, "Confidence: ").contains("(margin "), "{out}");
}

#[test]
fn an_undecided_identify_names_its_candidates_best_first() {
    // 58 letters of substitution (key ZEBRAS): a Vigenère key of 6 letters
    // fits them a little better than the right alphabet, so the honest
    // verdict is undecided, with the substitution among the candidates.
    let pt = "the quick brown fox jumps over the lazy dog while the farmer sleeps in t";
    let ct = ok(cryptolab(&["mono", "encrypt", "--key", "ZEBRAS", pt]));
    let out = ok(cryptolab(&["identify", ct.trim_end()]));
    assert_eq!(line(&out, "Verdict: "), "too short to tell", "{out}");
    let candidates = &out[out.find("Candidates, best supported first: ").expect(&out)..];
    let candidates = &candidates[..candidates.find("More ciphertext").expect(&out)];
    assert!(candidates.contains("monoalphabetic substitution (support "), "{out}");
    assert!(candidates.matches("(support ").count() >= 2, "{out}");
    assert!(line(&out, "Next: try cryptolab classical ").contains("mono crack"), "{out}");
}

#[test]
fn winter_in_84_letters_is_never_a_sure_key_length_3() {
    // Before: identify said key length 3 for the first, the crack chose an
    // 18-letter key for the second.
    for from in [3000, 33000] {
        let ct = ok(cryptolab(&["vigenere", "encrypt", "--key", "WINTER", &letters(from, 84)]));
        let out = ok(cryptolab(&["identify", ct.trim_end()]));
        let verdict = line(&out, "Verdict: ");
        assert!(verdict == "Vigenère, key length 6" || verdict == "too short to tell", "{from}:\n{out}");
        let out = ok(cryptolab(&["vigenere", "crack", ct.trim_end()]));
        let confidence = line(&out, "confidence: ");
        assert!(
            line(&out, "key: ") == "WINTER" || confidence.starts_with("too short to tell"),
            "{from}:\n{out}"
        );
    }
}

#[test]
fn sea_in_57_letters_is_cracked_to_sea() {
    // Before: keys of 12 and 13 letters, which fit 57 letters better.
    for from in [7663, 22795] {
        let pt = letters(from, 57);
        let ct = ok(cryptolab(&["vigenere", "encrypt", "--key", "SEA", &pt]));
        let out = ok(cryptolab(&["vigenere", "crack", ct.trim_end()]));
        assert_eq!(line(&out, "key: "), "SEA", "{from}:\n{out}");
        assert!(line(&out, "confidence: ").starts_with("sure"), "{from}:\n{out}");
        assert!(out.ends_with(&format!("plaintext:\n{pt}\n")), "{from}:\n{out}");
    }
}

const SEVENTEEN: &str = "9,3,14,1,17,6,11,2,16,8,4,13,10,5,15,7,12";

#[test]
fn a_transposition_wider_than_the_search_fails_out_loud() {
    let ct = ok(cryptolab(&["transposition", "encrypt", "--key", SEVENTEEN, &prose(12000, 320)]));
    let o = cryptolab(&["transposition", "crack", "--seed", "1", ct.trim_end()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert_eq!(
        stderr(&o),
        "cryptolab: transposition crack failed: no width from 2 to 12 reads as English\n  \
         hint: a wider key? try --max-width 24; or `cryptolab classical identify`\n"
    );
    let out = stdout(&o);
    assert!(line(&out, "confidence: ").starts_with("failed (margin -"), "{out}");
    assert!(out.contains("\n     12  "), "width 12 was searched:\n{out}");
    assert!(out.contains("best attempt (not English), its start:"), "{out}");
    assert!(!out.contains("plaintext:"), "{out}");
}

#[test]
fn a_17_column_transposition_is_found_with_max_width_17() {
    let pt = prose(12000, 320);
    let ct = ok(cryptolab(&["transposition", "encrypt", "--key", SEVENTEEN, &pt]));
    let out = ok(cryptolab(&["transposition", "crack", "--seed", "1", "--max-width", "17", ct.trim_end()]));
    assert_eq!(line(&out, "key: "), SEVENTEEN, "{out}");
    assert!(line(&out, "confidence: ").starts_with("sure"), "{out}");
    assert!(out.ends_with(&format!("plaintext:\n{pt}\n")), "{out}");
}

#[test]
fn max_width_out_of_range_is_refused_in_one_line() {
    for (bad, why) in [
        ("0", "0 columns is out of range: a key has 2 to 24 columns"),
        ("1", "1 columns is out of range: a key has 2 to 24 columns"),
        ("25", "25 columns is out of range: a key has 2 to 24 columns"),
        ("wide", "`wide` is not a number of columns (2 to 24)"),
    ] {
        let o = cryptolab(&["transposition", "crack", "--max-width", bad, "abcdefgh"]);
        assert_eq!(o.status.code(), Some(2), "{bad}");
        let err = stderr(&o);
        assert_eq!(
            err.lines().next().unwrap(),
            format!("error: invalid value '{bad}' for '--max-width <N>': {why}"),
            "{err}"
        );
        assert_eq!(stdout(&o), "");
    }
    fails_with(
        cryptolab(&["vigenere", "crack", "--max-width", "8", "abcdefgh"]),
        "--max-width is for transposition only, not vigenere",
        "leave out --max-width; only a transposition key has a width",
    );
}

// ---------------------------------------------------------------------------
// Demos, freq, identify

#[test]
fn caesar_demo_narrates_encrypt_crack_and_result() {
    let out = ok(cryptolab(&["caesar", "--seed", "1"]));
    assert!(out.starts_with("Caesar — a demo (--seed 1 repeats it)\n"), "{out}");
    assert!(out.contains("Encrypted with a random shift"), "{out}");
    assert!(out.contains("← chosen"), "{out}");
    assert!(out.contains("Cynic: a blackguard whose faulty vision"), "{out}");
    assert_eq!(out, ok(cryptolab(&["caesar", "--seed", "1"])), "same seed, same demo");
}

#[test]
fn every_cipher_has_a_demo_that_recovers_the_sample() {
    for cipher in ["mono", "transposition", "vigenere"] {
        let out = ok(cryptolab(&[cipher, "--seed", "4"]));
        // The sample's last sentence appears twice: as the plaintext and as
        // the recovered plaintext.
        assert_eq!(out.matches("happiness is assured.").count(), 2, "{cipher}:\n{out}");
    }
}

#[test]
fn freq_prints_a_bar_chart_with_chi_squared_and_ioc() {
    let out = ok(cryptolab(&["freq", "Hello world"]));
    assert!(out.starts_with("Letter frequencies of the text (10 letters) beside English:\n"), "{out}");
    assert_eq!(out.lines().filter(|l| l.starts_with("  ")).count(), 27, "{out}");
    // The longest bar (L, 30 %) is 24 blocks; English's E (12 %) is scaled alike.
    assert!(out.contains("\n  L  30.0% ████████████████████████   4.0% ███\n"), "{out}");
    assert!(out.lines().all(|l| l == l.trim_end()), "no trailing spaces");
    assert!(out.contains("χ² against English:"), "{out}");
    assert!(out.contains("index of coincidence: 0.0889"), "{out}");
}

#[test]
fn freq_sort_count_puts_the_commonest_first_beside_englishs() {
    let out = ok(cryptolab(&["freq", "--sort", "count", "Hello world"]));
    assert!(
        out.starts_with("Letter frequencies of the text (10 letters) beside English, commonest first:\n")
    );
    let rows: Vec<&str> = out.lines().skip(2).take(26).collect();
    // L (3), O (2), then the letters seen once in alphabetical order: D E H R W.
    let text_order: String = rows.iter().map(|r| r.chars().nth(2).unwrap()).collect();
    assert!(text_order.starts_with("LODEHRW"), "{out}");
    // English's column runs from its commonest letter down.
    let english_order: String = rows
        .iter()
        .map(|r| r.split_whitespace().find(|w| w.len() == 1 && *w != "L").unwrap_or("?"))
        .collect();
    assert!(english_order.starts_with('E'), "{out}");
    assert_eq!(out.lines().filter(|l| l.starts_with("  ")).count(), 27, "{out}");
    // The default, and --sort letter, run A to Z.
    let default = ok(cryptolab(&["freq", "Hello world"]));
    assert_eq!(default, ok(cryptolab(&["freq", "--sort", "letter", "Hello world"])));
    assert!(default.lines().nth(2).unwrap().starts_with("  A "), "{default}");
    let help = ok(cryptolab(&["freq", "--help"]));
    assert!(help.contains("--sort <ORDER>") && help.contains("freq --sort count"), "{help}");
}

#[test]
fn identify_recognises_each_cipher() {
    let pt = prose(4000, 800);
    let cases = [
        ("caesar", "9", "Verdict: Caesar, shift 9"),
        ("mono", "ZEBRAS", "Verdict: monoalphabetic substitution"),
        ("transposition", "ZEBRAS", "Verdict: transposition"),
        ("vigenere", "CYNIC", "Verdict: Vigenère, key length 5"),
    ];
    for (cipher, key, verdict) in cases {
        let ct = ok(cryptolab(&[cipher, "encrypt", "--key", key, &pt]));
        let out = ok(cryptolab(&["identify", ct.trim_end()]));
        assert!(out.contains(verdict), "{cipher}:\n{out}");
        assert!(line(&out, "Confidence: ").starts_with("sure (margin "), "{cipher}:\n{out}");
        assert!(out.starts_with("1. "), "{out}");
        assert!(out.lines().all(|l| l.chars().count() <= 80), "{out}");
    }
    let out = ok(cryptolab(&["identify", &pt]));
    assert!(out.contains("Verdict: not encrypted"), "{out}");
}

#[test]
fn help_shows_examples() {
    let out = ok(cryptolab(&["--help"]));
    assert!(out.contains("Examples:"), "{out}");
    assert!(out.contains("cryptolab classical caesar encrypt --key 3"), "{out}");
}

// ---------------------------------------------------------------------------
// Bad input: two lines, exit 2

#[test]
fn empty_text_is_rejected() {
    fails_with(
        cryptolab(&["caesar", "encrypt", "--key", "3", ""]),
        "the text is empty",
        "give the text as an argument (`cryptolab classical caesar encrypt --key 3 \"attack at dawn\"`), \
         with --in FILE, or pipe it in",
    );
}

#[test]
fn empty_standard_input_is_rejected() {
    fails_with(
        cryptolab_stdin(&["mono", "crack"], ""),
        "standard input is empty",
        "give the text as an argument (`cryptolab classical caesar encrypt --key 3 \"attack at dawn\"`), \
         with --in FILE, or pipe it in",
    );
}

#[test]
fn text_without_letters_is_rejected() {
    fails_with(
        cryptolab(&["freq", "1234 5678"]),
        "the text has no letters A-Z",
        "these ciphers work on the letters A-Z (other characters pass through); give a text that has some",
    );
}

#[test]
fn mono_key_that_is_not_a_permutation_is_rejected() {
    fails_with(
        cryptolab(&["mono", "encrypt", "--key", "ABCDEFGHIJKLMNOPQRSTUVWXYA", "hello"]),
        "mono key `ABCDEFGHIJKLMNOPQRSTUVWXYA` is not a permutation of A-Z: it repeats A and lacks Z",
        "a 26-letter key must use every letter exactly once; a shorter keyword is completed with the rest of the alphabet",
    );
}

#[test]
fn transposition_key_with_unusable_character_is_rejected() {
    fails_with(
        cryptolab(&["transposition", "encrypt", "--key", "ZEB*RAS", "hello"]),
        "transposition key `ZEB*RAS` contains `*`, which cannot be used in a key",
        "use a keyword of letters (--key ZEBRAS) or numbers separated by commas (--key 3,1,4,2)",
    );
}

#[test]
fn transposition_numbers_not_an_order_are_rejected() {
    fails_with(
        cryptolab(&["transposition", "decrypt", "--key", "3,1,3", "hello"]),
        "transposition key `3,1,3` is not a column order: 3 appears twice",
        "a numeric key lists each column's place in the reading order: every number from 1 to the width, once (--key 3,1,4,2)",
    );
}

#[test]
fn caesar_shift_out_of_range_is_rejected() {
    fails_with(
        cryptolab(&["caesar", "encrypt", "--key", "30", "hello"]),
        "Caesar key `30` is not a shift 0-25 or a letter A-Z",
        "use a shift such as --key 3, or a letter such as --key D (A=0, B=1, ..., Z=25)",
    );
}

#[test]
fn negative_caesar_shift_is_rejected() {
    fails_with(
        cryptolab(&["caesar", "encrypt", "--key", "-3", "hello"]),
        "Caesar key `-3` is not a shift 0-25 or a letter A-Z",
        "use a shift such as --key 3, or a letter such as --key D (A=0, B=1, ..., Z=25)",
    );
}

#[test]
fn vigenere_key_with_digit_is_rejected() {
    fails_with(
        cryptolab(&["vigenere", "encrypt", "--key", "LEM0N", "hello"]),
        "Vigenère key `LEM0N` contains `0`, which is not a letter A-Z",
        "use a key of letters only, e.g. --key LEMON",
    );
}

#[test]
fn unreadable_file_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.txt");
    let missing = missing.to_str().unwrap();
    fails_with(
        cryptolab(&["caesar", "crack", "--in", missing]),
        &format!("cannot read file `{missing}`: no such file"),
        "check the path and that the file is readable UTF-8 text",
    );
}

#[test]
fn file_that_is_not_utf8_is_rejected() {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(&[0xff, 0xfe, b'a']).unwrap();
    let path = file.path().to_str().unwrap();
    fails_with(
        cryptolab(&["identify", "--in", path]),
        &format!("cannot read file `{path}`: it is not UTF-8 text"),
        "check the path and that the file is readable UTF-8 text",
    );
}

#[test]
fn oversized_file_is_refused_before_it_is_read() {
    let file = tempfile::NamedTempFile::new().unwrap();
    file.as_file().set_len(17 << 20).unwrap(); // sparse: nothing is written
    let path = file.path().to_str().unwrap();
    fails_with(
        cryptolab(&["freq", "--in", path]),
        &format!("file `{path}` is larger than the 16 MiB limit for a text"),
        "these ciphers are for texts, and a few thousand letters are plenty to crack one: \
         give an excerpt (e.g. `head -c 100000 FILE`)",
    );
}

#[test]
fn oversized_standard_input_is_refused() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cryptolab"))
        .args(["classical", "freq"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut stdin = child.stdin.take().unwrap();
    // The reader stops at the limit and closes its end: the rest may not be taken.
    let _ = stdin.write_all(&vec![b'a'; (16 << 20) + 1]);
    drop(stdin);
    fails_with(
        child.wait_with_output().unwrap(),
        "standard input is larger than the 16 MiB limit for a text",
        "these ciphers are for texts, and a few thousand letters are plenty to crack one: \
         give an excerpt (e.g. `head -c 100000 FILE`)",
    );
}

#[test]
fn encrypt_without_key_is_rejected() {
    fails_with(
        cryptolab(&["vigenere", "encrypt", "hello"]),
        "vigenere encrypt needs a key",
        "add --key with a word, e.g. --key LEMON",
    );
}

#[test]
fn pad_with_another_cipher_is_rejected() {
    fails_with(
        cryptolab(&["caesar", "encrypt", "--key", "3", "--pad", "X", "hello"]),
        "--pad is for transposition only, not caesar",
        "leave out --pad; only columnar transposition fills its last row",
    );
}

#[test]
fn pad_that_is_not_a_letter_is_rejected() {
    fails_with(
        cryptolab(&["transposition", "encrypt", "--key", "ZEBRAS", "--pad", "*", "hello"]),
        "padding character `*` is not a letter A-Z",
        "pad with a letter, e.g. --pad X",
    );
}

#[test]
fn padded_decrypt_of_unpadded_text_is_rejected() {
    fails_with(
        cryptolab(&["transposition", "decrypt", "--key", "3,1,2", "--pad", "X", "hello"]),
        "the text has 5 letters, not a multiple of the key width 3, so it was not padded",
        "decrypt without --pad (irregular columnar transposition), or check the key",
    );
}
