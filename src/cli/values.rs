//! How the library's enums appear on the command line: the `clap` side of
//! [`Suite`], [`Wire`] and the colour choice, kept here so that no module
//! outside `src/cli/` knows clap exists.
//!
//! Each value's name and help come from the library's own tables
//! ([`Suite::spec`], [`crate::profiles::Format::spec`]), so `--help` says
//! what the code does.

use clap::ValueEnum;
use clap::builder::PossibleValue;

use crate::profiles::Wire;
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
}
