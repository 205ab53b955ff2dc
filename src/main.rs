//! The `cryptolab` binary: parse the command line, hand off to
//! [`cryptolab::cli::run`], turn the result into an exit code.
//!
//! Everything else lives in the library (start at `src/lib.rs`). A write to a
//! closed pipe (`cryptolab tour | head`) ends quietly with status 0; any
//! other error prints `cryptolab: …` and a hint to stderr (and, after
//! `--json`, the same as a JSON `error` line on stdout).

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

fn main() -> ExitCode {
    let matches = cryptolab::cli::Cli::command().get_matches();
    let json = cryptolab::cli::wants_json(&matches);
    let cli = cryptolab::cli::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    match cryptolab::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.is_broken_pipe() => ExitCode::SUCCESS,
        Err(err) => {
            if json {
                // A script reading the JSON lines learns why it ended.
                let _ = writeln!(std::io::stdout(), "{}", err.json_line());
            }
            eprintln!("{err}");
            ExitCode::from(err.exit_code())
        }
    }
}
