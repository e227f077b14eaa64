//! A lab's parameter list: what the page turns into controls, what the URL
//! fragment may set, and what a [`crate::share::LabConfig`] is checked against.

use serde::{Deserialize, Serialize};

/// The value of one parameter: a number or one of a fixed set of choices.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    Num(f64),
    Choice(String),
}

impl ParamValue {
    /// The value as it appears in a URL fragment.
    pub fn to_fragment_text(&self) -> String {
        match self {
            // Both forms print the shortest text that parses back to the same
            // bits; very small or large numbers read better as 1e-8.
            ParamValue::Num(x) if *x != 0.0 && (x.abs() < 1e-4 || x.abs() >= 1e15) => {
                format!("{x:e}")
            }
            ParamValue::Num(x) => format!("{x}"),
            ParamValue::Choice(s) => s.clone(),
        }
    }
}

/// What values a parameter may take.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ParamKind {
    /// A number in [min, max]. `integer` numbers are rounded; `log` asks the
    /// page for a logarithmic slider.
    Number {
        min: f64,
        max: f64,
        default: f64,
        #[serde(default)]
        integer: bool,
        #[serde(default)]
        log: bool,
    },
    /// One of `options` (by key); `labels` are what the page shows.
    Choice {
        options: Vec<String>,
        labels: Vec<String>,
        default: String,
    },
    /// Any non-empty subset of `options`, written as a comma-separated list
    /// in option order (`rules=bp,fa,dfa`); the page shows checkboxes.
    Multi {
        options: Vec<String>,
        labels: Vec<String>,
        default: String,
    },
    /// Free text of at most `max_len` characters from a safe alphabet
    /// (letters, digits and `. , ; : - + _ e`), read by the lab itself: for
    /// example hand-drawn points, `points=0.1,0.9;0.4,0.2`. The lab reports
    /// what it cannot read as a note.
    Text { default: String, max_len: usize },
}

/// One parameter of a lab, with everything the page needs to make a control.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParamSpec {
    /// The key in the URL fragment and in `LabConfig::params`.
    pub key: String,
    /// A short label for the control.
    pub label: String,
    /// The unit, or "" for dimensionless.
    pub unit: String,
    /// One line of help.
    pub help: String,
    /// A group heading for the control panel ("Regime", "Network", ...).
    pub group: String,
    #[serde(flatten)]
    pub kind: ParamKind,
}

impl ParamSpec {
    /// A real-valued parameter on a linear scale.
    pub fn number(key: &str, label: &str, min: f64, max: f64, default: f64) -> Self {
        ParamSpec {
            key: key.into(),
            label: label.into(),
            unit: String::new(),
            help: String::new(),
            group: String::new(),
            kind: ParamKind::Number {
                min,
                max,
                default,
                integer: false,
                log: false,
            },
        }
    }

    /// A real-valued parameter on a logarithmic scale (min > 0).
    pub fn log_number(key: &str, label: &str, min: f64, max: f64, default: f64) -> Self {
        let mut p = Self::number(key, label, min, max, default);
        if let ParamKind::Number { log, .. } = &mut p.kind {
            *log = true;
        }
        p
    }

    /// An integer parameter.
    pub fn integer(key: &str, label: &str, min: i64, max: i64, default: i64) -> Self {
        let mut p = Self::number(key, label, min as f64, max as f64, default as f64);
        if let ParamKind::Number { integer, .. } = &mut p.kind {
            *integer = true;
        }
        p
    }

    /// A choice among `(key, label)` options; the first is the default
    /// unless `default` names another.
    pub fn choice(key: &str, label: &str, options: &[(&str, &str)], default: &str) -> Self {
        ParamSpec {
            key: key.into(),
            label: label.into(),
            unit: String::new(),
            help: String::new(),
            group: String::new(),
            kind: ParamKind::Choice {
                options: options.iter().map(|(k, _)| k.to_string()).collect(),
                labels: options.iter().map(|(_, l)| l.to_string()).collect(),
                default: default.into(),
            },
        }
    }

    pub fn unit(mut self, unit: &str) -> Self {
        self.unit = unit.into();
        self
    }

    pub fn help(mut self, help: &str) -> Self {
        self.help = help.into();
        self
    }

    pub fn group(mut self, group: &str) -> Self {
        self.group = group.into();
        self
    }

    /// A subset of `(key, label)` options, as a comma-separated list;
    /// `default` is such a list.
    pub fn multi(key: &str, label: &str, options: &[(&str, &str)], default: &str) -> Self {
        let mut p = Self::choice(key, label, options, default);
        if let ParamKind::Choice {
            options, labels, ..
        } = p.kind
        {
            p.kind = ParamKind::Multi {
                options,
                labels,
                default: default.into(),
            };
        }
        p
    }

    /// Free text of at most `max_len` characters (see [`ParamKind::Text`]).
    pub fn text(key: &str, label: &str, default: &str, max_len: usize) -> Self {
        ParamSpec {
            kind: ParamKind::Text {
                default: default.into(),
                max_len,
            },
            ..Self::choice(key, label, &[], default)
        }
    }

    /// The default value.
    pub fn default_value(&self) -> ParamValue {
        match &self.kind {
            ParamKind::Number { default, .. } => ParamValue::Num(*default),
            ParamKind::Choice { default, .. }
            | ParamKind::Multi { default, .. }
            | ParamKind::Text { default, .. } => ParamValue::Choice(default.clone()),
        }
    }

    /// Check a value given as text (from a URL fragment or a form). Returns
    /// the value to use and, when the text was not acceptable as given, a
    /// warning saying what was done instead. Never panics.
    pub fn parse_text(&self, text: &str) -> (ParamValue, Option<String>) {
        match &self.kind {
            ParamKind::Number { .. } => match text.trim().parse::<f64>() {
                Ok(x) => self.check(ParamValue::Num(x)),
                Err(_) => (
                    self.default_value(),
                    Some(format!(
                        "{}: '{}' is not a number; using the default {}",
                        self.key,
                        shorten(text),
                        self.default_value().to_fragment_text()
                    )),
                ),
            },
            ParamKind::Choice { .. } | ParamKind::Multi { .. } | ParamKind::Text { .. } => {
                self.check(ParamValue::Choice(text.trim().to_string()))
            }
        }
    }

    /// Check a value: clamp numbers into range (rounding integers), and
    /// replace unknown choices by the default. The warning says what changed.
    pub fn check(&self, value: ParamValue) -> (ParamValue, Option<String>) {
        match (&self.kind, value) {
            (
                ParamKind::Number {
                    min,
                    max,
                    default,
                    integer,
                    ..
                },
                ParamValue::Num(x),
            ) => {
                if !x.is_finite() {
                    return (
                        ParamValue::Num(*default),
                        Some(format!(
                            "{}: {x} is not a finite number; using the default {default}",
                            self.key
                        )),
                    );
                }
                let mut v = if *integer { x.round() } else { x };
                let mut warning = None;
                if v < *min || v > *max {
                    v = v.clamp(*min, *max);
                    warning = Some(format!(
                        "{}: {x} is outside [{min}, {max}]; clamped to {v}",
                        self.key
                    ));
                } else if *integer && v != x {
                    warning = Some(format!(
                        "{}: {x} is not a whole number; rounded to {v}",
                        self.key
                    ));
                }
                (ParamValue::Num(v), warning)
            }
            (
                ParamKind::Choice {
                    options, default, ..
                },
                ParamValue::Choice(s),
            ) => {
                if options.contains(&s) {
                    (ParamValue::Choice(s), None)
                } else {
                    (
                        ParamValue::Choice(default.clone()),
                        Some(format!(
                            "{}: '{}' is not one of {}; using '{default}'",
                            self.key,
                            shorten(&s),
                            options.join(", ")
                        )),
                    )
                }
            }
            (
                ParamKind::Multi {
                    options, default, ..
                },
                ParamValue::Choice(s),
            ) => {
                let items: Vec<&str> = s
                    .split(',')
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .collect();
                let unknown: Vec<&str> = items
                    .iter()
                    .copied()
                    .filter(|x| !options.iter().any(|o| o == x))
                    .collect();
                // Known items, once each, in option order.
                let kept: Vec<&str> = options
                    .iter()
                    .map(String::as_str)
                    .filter(|o| items.contains(o))
                    .collect();
                if kept.is_empty() {
                    return (
                        ParamValue::Choice(default.clone()),
                        Some(format!(
                            "{}: '{}' names none of {}; using '{default}'",
                            self.key,
                            shorten(&s),
                            options.join(", ")
                        )),
                    );
                }
                let value = kept.join(",");
                let warning = if unknown.is_empty() {
                    None
                } else {
                    Some(format!(
                        "{}: '{}' is not one of {}; using '{value}'",
                        self.key,
                        shorten(&unknown.join(",")),
                        options.join(", ")
                    ))
                };
                (ParamValue::Choice(value), warning)
            }
            (ParamKind::Text { default, max_len }, ParamValue::Choice(s)) => {
                let safe = |c: char| c.is_ascii_alphanumeric() || ".,;:-+_ ".contains(c);
                if s.chars().count() > *max_len {
                    (
                        ParamValue::Choice(default.clone()),
                        Some(format!(
                            "{}: the text is longer than {max_len} characters; using the default",
                            self.key
                        )),
                    )
                } else if !s.chars().all(safe) {
                    (
                        ParamValue::Choice(default.clone()),
                        Some(format!(
                            "{}: '{}' has characters other than letters, digits and . , ; : - + _; using the default",
                            self.key,
                            shorten(&s)
                        )),
                    )
                } else {
                    (ParamValue::Choice(s), None)
                }
            }
            (ParamKind::Number { .. }, ParamValue::Choice(s)) => self.parse_text(&s),
            (
                ParamKind::Multi { default, .. } | ParamKind::Text { default, .. },
                ParamValue::Num(x),
            ) => (
                ParamValue::Choice(default.clone()),
                Some(format!(
                    "{}: expected text, got the number {x}; using '{default}'",
                    self.key
                )),
            ),
            (ParamKind::Choice { default, .. }, ParamValue::Num(x)) => (
                ParamValue::Choice(default.clone()),
                Some(format!(
                    "{}: expected a choice, got the number {x}; using '{default}'",
                    self.key
                )),
            ),
        }
    }
}

/// Cut hostile or long text before it goes into a message.
/// Names listed in one grouped warning, at most.
pub const LISTED_NAMES: usize = 8;

/// One warning for many ignored names (unknown keys, pieces without a
/// value), so that a link with hundreds of them gives one line, not
/// hundreds: `"'a' is not a parameter of lazy-rich; ignored"` for one, and
/// `"420 keys are not parameters of lazy-rich; ignored: 'a', 'b', …, 'h' (and
/// 412 more)"` for many. `one` and `many` finish the sentence after the
/// name(s) ("is not a parameter of lazy-rich" / "keys are not parameters
/// of lazy-rich"). None when `names` is empty.
pub fn grouped_warning(names: &[String], one: &str, many: &str) -> Option<String> {
    match names {
        [] => None,
        [name] => Some(format!("'{}' {one}; ignored", shorten(name))),
        _ => {
            let listed: Vec<String> = names
                .iter()
                .take(LISTED_NAMES)
                .map(|n| format!("'{}'", shorten(n)))
                .collect();
            let more = names.len().saturating_sub(LISTED_NAMES);
            let tail = if more > 0 {
                format!(" (and {more} more)")
            } else {
                String::new()
            };
            Some(format!(
                "{} {many}; ignored: {}{tail}",
                names.len(),
                listed.join(", ")
            ))
        }
    }
}

pub fn shorten(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if clean.chars().count() > 40 {
        let head: String = clean.chars().take(40).collect();
        format!("{head}…")
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_clamped_and_rounded() {
        let p = ParamSpec::integer("width", "Width", 2, 1024, 128);
        assert_eq!(p.parse_text("64").0, ParamValue::Num(64.0));
        let (v, w) = p.parse_text("5000");
        assert_eq!(v, ParamValue::Num(1024.0));
        assert!(w.unwrap().contains("outside"));
        let (v, w) = p.parse_text("3.6");
        assert_eq!(v, ParamValue::Num(4.0));
        assert!(w.is_some());
        let (v, w) = p.parse_text("abc");
        assert_eq!(v, ParamValue::Num(128.0));
        assert!(w.unwrap().contains("not a number"));
        let (v, w) = p.parse_text("NaN");
        assert_eq!(v, ParamValue::Num(128.0));
        assert!(w.is_some());
    }

    #[test]
    fn choices_fall_back_to_default() {
        let p = ParamSpec::choice(
            "act",
            "Activation",
            &[("relu", "ReLU"), ("tanh", "tanh")],
            "relu",
        );
        assert_eq!(p.parse_text("tanh").0, ParamValue::Choice("tanh".into()));
        let (v, w) = p.parse_text("sigmoid");
        assert_eq!(v, ParamValue::Choice("relu".into()));
        assert!(w.is_some());
    }

    #[test]
    fn multi_keeps_known_items_in_option_order() {
        let p = ParamSpec::multi(
            "rules",
            "Rules",
            &[("bp", "BP"), ("fa", "FA"), ("dfa", "DFA")],
            "bp,fa",
        );
        assert_eq!(
            p.parse_text("dfa,bp").0,
            ParamValue::Choice("bp,dfa".into())
        );
        let (v, w) = p.parse_text("fa,xx");
        assert_eq!(v, ParamValue::Choice("fa".into()));
        assert!(w.unwrap().contains("xx"));
        let (v, w) = p.parse_text("zz");
        assert_eq!(v, ParamValue::Choice("bp,fa".into()));
        assert!(w.is_some());
    }

    #[test]
    fn text_is_length_and_alphabet_checked() {
        let p = ParamSpec::text("points", "Points", "", 20);
        assert_eq!(
            p.parse_text("0.1,0.2;0.3,-1e-2").0,
            ParamValue::Choice("0.1,0.2;0.3,-1e-2".into())
        );
        assert!(p.parse_text("<script>").1.is_some());
        assert!(p.parse_text(&"1".repeat(21)).1.is_some());
    }
}
