//! The `cryptolab` binary: parse the command line, hand off to
//! [`cryptolab::cli::run`], turn the result into an exit code.
//!
//! Everything else lives in the library (start at `src/lib.rs`). A write to a
//! closed pipe (`cryptolab tour | head`) ends quietly with status 0; any
//! other error prints `cryptolab: …` and a hint to stderr.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cryptolab::cli::Cli::parse();
    match cryptolab::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.is_broken_pipe() => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{err}");
            ExitCode::from(err.exit_code())
        }
    }
}
