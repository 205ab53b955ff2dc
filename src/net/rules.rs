//! Tamper rules for `cryptolab proxy`: what a man in the middle does to
//! the client's frames on their way to the server.
//!
//! Frames are numbered per connection from 1 (frame 1 is the client's hello),
//! in the order the client sent them.
//!
//! | rule | effect |
//! |---|---|
//! | `flip:FRAME:OFFSET:MASK` | XOR byte OFFSET of frame FRAME with MASK (hex) |
//! | `replay:FRAME` | forward frame FRAME, then send it again |
//! | `drop:FRAME` | do not forward frame FRAME |
//! | `swap:A:B` | hold frame A until frame B has been forwarded (A < B) |
//! | `truncate:FRAME:LEN` | forward only the first LEN bytes of frame FRAME |

use std::fmt;
use std::str::FromStr;

/// One tamper rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// XOR one byte.
    Flip {
        /// Frame number (from 1).
        frame: u64,
        /// Byte offset in the frame (header included).
        offset: usize,
        /// XOR mask.
        mask: u8,
    },
    /// Send the frame twice.
    Replay {
        /// Frame number.
        frame: u64,
    },
    /// Do not forward the frame.
    Drop {
        /// Frame number.
        frame: u64,
    },
    /// Forward frame `b` before frame `a`.
    Swap {
        /// The earlier frame, held back.
        a: u64,
        /// The later frame, sent first.
        b: u64,
    },
    /// Forward only a prefix of the frame.
    Truncate {
        /// Frame number.
        frame: u64,
        /// Bytes kept.
        len: usize,
    },
}

/// A rule that does not parse; says which part is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tamper rule `{rule}`: {what}")]
pub struct RuleError {
    /// The rule as given.
    pub rule: String,
    /// What is wrong with it.
    pub what: String,
}

impl FromStr for Rule {
    type Err = RuleError;

    fn from_str(s: &str) -> Result<Self, RuleError> {
        let err = |what: String| RuleError { rule: s.to_string(), what };
        let parts: Vec<&str> = s.split(':').collect();
        let number = |i: usize, name: &str| -> Result<u64, RuleError> {
            let p = parts.get(i).ok_or_else(|| err(format!("missing {name}")))?;
            match p.parse::<u64>() {
                Ok(n) if n >= 1 || name == "LEN" || name == "OFFSET" => Ok(n),
                Ok(_) => Err(err(format!("{name} counts from 1"))),
                Err(_) => Err(err(format!("{name} `{p}` is not a number"))),
            }
        };
        let arity = |n: usize, form: &str| {
            if parts.len() == n { Ok(()) } else { Err(err(format!("expected {form}"))) }
        };
        match parts[0] {
            "flip" => {
                arity(4, "flip:FRAME:OFFSET:MASK")?;
                let mask = u8::from_str_radix(parts[3].trim_start_matches("0x"), 16)
                    .map_err(|_| err(format!("MASK `{}` is not a hex byte (00–ff)", parts[3])))?;
                Ok(Rule::Flip { frame: number(1, "FRAME")?, offset: number(2, "OFFSET")? as usize, mask })
            }
            "replay" => {
                arity(2, "replay:FRAME")?;
                Ok(Rule::Replay { frame: number(1, "FRAME")? })
            }
            "drop" => {
                arity(2, "drop:FRAME")?;
                Ok(Rule::Drop { frame: number(1, "FRAME")? })
            }
            "swap" => {
                arity(3, "swap:A:B")?;
                let (a, b) = (number(1, "A")?, number(2, "B")?);
                if a >= b {
                    return Err(err(format!("A ({a}) must come before B ({b})")));
                }
                Ok(Rule::Swap { a, b })
            }
            "truncate" => {
                arity(3, "truncate:FRAME:LEN")?;
                Ok(Rule::Truncate { frame: number(1, "FRAME")?, len: number(2, "LEN")? as usize })
            }
            other => Err(err(format!("unknown action `{other}` (flip, replay, drop, swap, truncate)"))),
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Flip { frame, offset, mask } => write!(f, "flip:{frame}:{offset}:{mask:02x}"),
            Rule::Replay { frame } => write!(f, "replay:{frame}"),
            Rule::Drop { frame } => write!(f, "drop:{frame}"),
            Rule::Swap { a, b } => write!(f, "swap:{a}:{b}"),
            Rule::Truncate { frame, len } => write!(f, "truncate:{frame}:{len}"),
        }
    }
}

/// What to do with frame `n`, after applying all rules: the frames to send
/// now (possibly none, possibly several), and a log line per rule applied.
pub struct Plan {
    rules: Vec<Rule>,
    held: Option<(u64, Vec<u8>)>,
}

impl Plan {
    /// A plan for one connection.
    pub fn new(rules: Vec<Rule>) -> Self {
        Plan { rules, held: None }
    }

    /// Applies the rules to client frame `n`; returns what to forward, in
    /// order, and what was done.
    pub fn apply(&mut self, n: u64, mut frame: Vec<u8>) -> (Vec<Vec<u8>>, Vec<String>) {
        let mut log = Vec::new();
        let mut out = Vec::new();
        let mut copies = 1;
        for rule in &self.rules {
            match *rule {
                Rule::Flip { frame: f, offset, mask } if f == n => match frame.get_mut(offset) {
                    Some(b) => {
                        log.push(format!(
                            "{rule}: byte {offset} of frame {n}: {:02x} → {:02x}",
                            *b,
                            *b ^ mask
                        ));
                        *b ^= mask;
                    }
                    None => {
                        log.push(format!("{rule}: frame {n} has only {} bytes; not applied", frame.len()))
                    }
                },
                Rule::Truncate { frame: f, len } if f == n => {
                    log.push(format!(
                        "{rule}: frame {n} cut from {} to {} bytes",
                        frame.len(),
                        len.min(frame.len())
                    ));
                    frame.truncate(len);
                }
                Rule::Drop { frame: f } if f == n => {
                    log.push(format!("{rule}: frame {n} dropped"));
                    copies = 0;
                }
                Rule::Replay { frame: f } if f == n => {
                    log.push(format!("{rule}: frame {n} sent twice"));
                    copies = 2;
                }
                Rule::Swap { a, .. } if a == n => {
                    log.push(format!("{rule}: frame {n} held back"));
                    self.held = Some((n, frame.clone()));
                    copies = 0;
                }
                // Rules for other frames leave this one alone.
                Rule::Flip { .. }
                | Rule::Truncate { .. }
                | Rule::Drop { .. }
                | Rule::Replay { .. }
                | Rule::Swap { .. } => {}
            }
        }
        for _ in 0..copies {
            out.push(frame.clone());
        }
        if let Some(Rule::Swap { a, .. }) =
            self.rules.iter().find(|r| matches!(r, Rule::Swap { b, .. } if *b == n))
            && let Some((held_n, held)) = self.held.take_if(|(h, _)| h == a)
        {
            log.push(format!("swap:{held_n}:{n}: frame {held_n} sent after frame {n}"));
            out.push(held);
        }
        (out, log)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse_and_print_back() {
        for s in ["flip:2:40:01", "replay:3", "drop:1", "swap:2:3", "truncate:2:10"] {
            assert_eq!(s.parse::<Rule>().unwrap().to_string(), s);
        }
    }

    #[test]
    fn bad_rules_name_the_wrong_part() {
        let e = |s: &str| s.parse::<Rule>().unwrap_err().to_string();
        assert_eq!(e("flip:2:40"), "tamper rule `flip:2:40`: expected flip:FRAME:OFFSET:MASK");
        assert_eq!(e("flip:x:40:01"), "tamper rule `flip:x:40:01`: FRAME `x` is not a number");
        assert_eq!(e("flip:2:40:zz"), "tamper rule `flip:2:40:zz`: MASK `zz` is not a hex byte (00–ff)");
        assert_eq!(e("swap:3:2"), "tamper rule `swap:3:2`: A (3) must come before B (2)");
        assert_eq!(e("drop:0"), "tamper rule `drop:0`: FRAME counts from 1");
        assert_eq!(
            e("burn:1"),
            "tamper rule `burn:1`: unknown action `burn` (flip, replay, drop, swap, truncate)"
        );
    }

    #[test]
    fn plan_applies_each_rule() {
        let mut p = Plan::new(vec!["flip:1:0:ff".parse().unwrap(), "drop:2".parse().unwrap()]);
        assert_eq!(p.apply(1, vec![0x0f, 1]).0, vec![vec![0xf0, 1]]);
        assert!(p.apply(2, vec![9]).0.is_empty());
        let mut p = Plan::new(vec!["swap:1:2".parse().unwrap(), "replay:3".parse().unwrap()]);
        assert!(p.apply(1, vec![1]).0.is_empty());
        assert_eq!(p.apply(2, vec![2]).0, vec![vec![2], vec![1]]);
        assert_eq!(p.apply(3, vec![3]).0, vec![vec![3], vec![3]]);
        let mut p = Plan::new(vec!["truncate:1:2".parse().unwrap()]);
        assert_eq!(p.apply(1, vec![1, 2, 3]).0, vec![vec![1, 2]]);
    }
}
