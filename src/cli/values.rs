//! How the library's enums appear on the command line: the `clap` side of
//! [`Suite`], [`Wire`] and the colour choice, kept here so that no module
//! outside `src/cli/` knows clap exists; and [`Term`], the terminal a
//! command writes to (colour, and the width its output fits).
//!
//! Each value's name and help come from the library's own tables
//! ([`Suite::spec`], [`crate::profiles::Format::spec`]), so `--help` says
//! what the code does.

use clap::ValueEnum;
use clap::builder::PossibleValue;

use std::io::IsTerminal;
use std::time::Duration;

use crate::events::Look;
use crate::profiles::Wire;
use crate::render::{NARROWEST, WIDE};
use crate::suite::Suite;

impl ValueEnum for Suite {
    fn value_variants<'a>() -> &'a [Self] {
        &Suite::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let spec = self.spec();
        Some(PossibleValue::new(spec.name).help(format!("{} ({})", spec.about, spec.standard)))
    }
}

impl ValueEnum for Wire {
    fn value_variants<'a>() -> &'a [Self] {
        &Wire::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let help = match self {
            Wire::Native => "cryptolab's own frames (docs/PROTOCOL.md)",
            Wire::Format(f) => f.spec().about,
        };
        Some(PossibleValue::new(self.name()).help(help))
    }
}

/// `--mode`'s parser: a suite by its table name, and for a name that is
/// nearly one (`CBC`, `aes-256-cbc`, `AES_CBC`) a suggestion instead of a
/// bare list. `--help` lists the values as for any value enum.
#[derive(Debug, Clone, Copy)]
pub struct SuiteParser;

impl clap::builder::TypedValueParser for SuiteParser {
    type Value = Suite;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Suite, clap::Error> {
        let text = value.to_string_lossy();
        if let Some(suite) = Suite::ALL.into_iter().find(|s| s.name() == text) {
            return Ok(suite);
        }
        let flag = arg.and_then(|a| a.get_long()).unwrap_or("mode");
        let names: Vec<&str> = Suite::ALL.iter().map(|s| s.name()).collect();
        let shown = crate::events::visible(&text);
        let message = match suggest_suite(&text) {
            Some(s) => format!(
                "'{shown}' is not a --{flag} value; did you mean '{s}'?\n  (names are lower case; \
                 the key's size sets AES-128, AES-192 or AES-256)"
            ),
            None => format!("'{shown}' is not a --{flag} value (one of: {})", names.join(", ")),
        };
        Err(clap::Error::raw(clap::error::ErrorKind::InvalidValue, format!("{message}\n")).with_cmd(cmd))
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(Suite::ALL.iter().filter_map(ValueEnum::to_possible_value)))
    }
}

/// The suite a mistyped `--mode` most likely means: the name in another
/// case, with an `aes-128-`-style prefix (openssl's spelling), or with `_`
/// for `-`.
pub fn suggest_suite(text: &str) -> Option<Suite> {
    let lower = text.to_ascii_lowercase().replace('_', "-");
    let mut rest = lower.as_str();
    for prefix in ["aes-128-", "aes-192-", "aes-256-", "aes128-", "aes192-", "aes256-", "aes-"] {
        if let Some(r) = rest.strip_prefix(prefix) {
            rest = r;
            break;
        }
    }
    Suite::ALL.into_iter().find(|s| s.name() == rest)
}

/// Whether to colour output, as chosen on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    /// Always colour (overrides `NO_COLOR`).
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Resolves the choice for an output that is (or is not) a terminal,
    /// honouring `NO_COLOR` (<https://no-color.org>) in `auto`.
    pub fn enabled(self, is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }
}

/// The terminal output goes to, as the command line chose it: colour, and
/// the width in columns that every line fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    /// `--color`.
    pub color: ColorChoice,
    /// `--width`, when given.
    pub width: Option<usize>,
}

impl Term {
    /// Whether to colour an output that is (or is not) a terminal.
    pub fn color(self, is_terminal: bool) -> bool {
        self.color.enabled(is_terminal)
    }

    /// The columns output fits in: `--width`, else `COLUMNS` (as a shell
    /// sets it), else the width of the terminal on stdout or stderr (so
    /// `cryptolab tour | less` still fits), else [`WIDE`].
    pub fn columns(self) -> usize {
        let from_env = || std::env::var("COLUMNS").ok()?.trim().parse::<usize>().ok().filter(|&n| n > 0);
        let from_tty = || {
            let (w, _) = if std::io::stdout().is_terminal() {
                terminal_size::terminal_size_of(std::io::stdout())?
            } else {
                terminal_size::terminal_size_of(std::io::stderr())?
            };
            Some(usize::from(w.0))
        };
        self.width.or_else(from_env).or_else(from_tty).unwrap_or(WIDE).max(NARROWEST)
    }

    /// How text on stdout looks: colour, width, and progress bars (drawn on
    /// stderr, and only when it is a terminal).
    pub fn look(self) -> Look {
        Look { color: self.color(std::io::stdout().is_terminal()), columns: self.columns(), progress: true }
    }
}

/// Parses `--width`: a number of columns, at least [`NARROWEST`].
pub(super) fn parse_width(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (NARROWEST..=1000).contains(&n) => Ok(n),
        Ok(n) => Err(format!("{n} columns is outside {NARROWEST} to 1000")),
        Err(_) => Err(format!("'{s}' is not a number of columns (e.g. 80)")),
    }
}

/// The longest timeout a flag takes: 30 days. Longer ones are refused as
/// bad input, never added to a clock where they would overflow.
pub(super) const MAX_TIMEOUT_SECS: u64 = 30 * 24 * 3600;

/// Parses a timeout flag (`--idle-timeout`, `--frame-timeout`, `--timeout`):
/// whole seconds, 1 to [`MAX_TIMEOUT_SECS`].
pub(super) fn parse_timeout(s: &str) -> Result<Duration, String> {
    match s.parse::<u64>() {
        Ok(n) if (1..=MAX_TIMEOUT_SECS).contains(&n) => Ok(Duration::from_secs(n)),
        Ok(n) => Err(format!("{n} s is outside 1 s to {MAX_TIMEOUT_SECS} s (30 days)")),
        Err(_) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            Err(format!("{s} s is outside 1 s to {MAX_TIMEOUT_SECS} s (30 days)"))
        }
        Err(_) => Err(format!("'{s}' is not a whole number of seconds (e.g. 10)")),
    }
}

/// Parses `HOST:PORT` (`proxy --upstream`): a host (a name, an IPv4
/// address, or an IPv6 one in brackets) and a port from 1 to 65535, checked
/// when the command starts rather than when the first client connects.
pub(super) fn parse_host_port(s: &str) -> Result<String, String> {
    let Some((host, port)) = s.rsplit_once(':') else {
        return Err(format!("'{s}' has no port: give HOST:PORT (e.g. 127.0.0.1:5550)"));
    };
    if host.is_empty() {
        return Err(format!("'{s}' has no host: give HOST:PORT (e.g. 127.0.0.1:5550)"));
    }
    match port.parse::<u16>() {
        Ok(p) if p > 0 => Ok(s.to_string()),
        Ok(_) | Err(_) => Err(format!("'{port}' is not a port (1 to 65535)")),
    }
}

/// Parses `bench --seconds`: a time per measurement, 0.1 to 600 s.
pub(super) fn parse_bench_seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if (0.1..=600.0).contains(&x) => Ok(x),
        Ok(_) => Err(format!("{s} s is outside 0.1 s to 600 s")),
        Err(_) => Err(format!("'{s}' is not a number of seconds (e.g. 2 or 0.5)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_suite_and_wire_parses_by_its_table_name() {
        for s in Suite::ALL {
            assert_eq!(Suite::from_str(s.name(), false), Ok(s));
        }
        for w in Wire::ALL {
            assert_eq!(Wire::from_str(w.name(), false), Ok(w));
        }
    }

    #[test]
    fn timeouts_seconds_and_addresses_are_checked_as_they_are_parsed() {
        assert_eq!(parse_timeout("10"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_timeout("2592000"), Ok(Duration::from_secs(MAX_TIMEOUT_SECS)));
        for bad in ["0", "2592001", "18446744073709551615", "99999999999999999999", "-1", "1.5", ""] {
            assert!(parse_timeout(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_bench_seconds("0.5"), Ok(0.5));
        assert_eq!(parse_host_port("[::1]:5550").as_deref(), Ok("[::1]:5550"));
        assert_eq!(parse_host_port("lab.example:80").as_deref(), Ok("lab.example:80"));
        for bad in ["nonsense", ":5550", "127.0.0.1:99999", "127.0.0.1:0", "127.0.0.1:"] {
            assert!(parse_host_port(bad).is_err(), "{bad}");
        }
        for bad in ["nan", "inf", "-1", "0", "1e300", "601"] {
            assert!(parse_bench_seconds(bad).is_err(), "{bad}");
        }
    }
}
