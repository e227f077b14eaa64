//! What a lab is (its [`LabSpec`]: parameters and presets) and what a run of
//! it asks for (its [`LabConfig`]: lab, seed, parameter values). Plain data on
//! the bottom floor: the labs read it, the link parser (`share.rs`) writes it,
//! and neither of those is imported here.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::params::{grouped_warning, ParamSpec, ParamValue};

/// The seed used when a link gives none.
pub const DEFAULT_SEED: u64 = 1;

/// What a lab is, for the lab picker and the control panel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabSpec {
    /// The key in URLs (`lab=...`).
    pub name: String,
    /// The title on the page.
    pub title: String,
    /// One paragraph: what the lab shows and from which paper.
    pub summary: String,
    /// The parameters, in control-panel order. `steps` is always one.
    pub params: Vec<ParamSpec>,
    /// One-click links that reproduce the papers' results.
    pub presets: Vec<Preset>,
    /// The metrics a sweep draws on its headline chart (by key).
    pub sweep_metrics: Vec<String>,
    /// What one of the lab's steps is: the page's counter says
    /// "<name> 12 / 300" and explains it with `help`.
    #[serde(default)]
    pub step_unit: StepUnit,
    /// The papers the lab implements and the data it ships, for "How to
    /// cite" on the page. Each is also in CITATION.cff and the README's
    /// "How to cite" (a test checks both).
    #[serde(default)]
    pub references: Vec<Reference>,
}

/// What one step of a lab is (a training step, a unit of analysis), for the
/// step counter on the page and `neurogeom labs`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepUnit {
    /// The counter's word for one step, singular ("step", "unit").
    pub name: String,
    /// One or two sentences: what a step does, and how the `steps`
    /// parameter relates to the count.
    pub help: String,
}

impl StepUnit {
    pub fn new(name: &str, help: &str) -> StepUnit {
        StepUnit {
            name: name.into(),
            help: help.into(),
        }
    }
}

impl Default for StepUnit {
    /// A training step.
    fn default() -> StepUnit {
        StepUnit::new("step", "One training step.")
    }
}

/// A paper (or data set) a lab implements or uses.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    /// "Chung, S., Lee, D. D. & Sompolinsky, H."
    pub authors: String,
    pub year: u16,
    pub title: String,
    /// Journal and volume, or proceedings: "Physical Review X 8, 031003".
    pub venue: String,
    /// The DOI without a resolver ("10.1103/PhysRevX.8.031003"), or "".
    #[serde(default)]
    pub doi: String,
    /// Where to find it when it has no DOI (a data set's page), or "".
    #[serde(default)]
    pub url: String,
}

impl Reference {
    /// A reference with a DOI (or "" for none).
    pub fn paper(authors: &str, year: u16, title: &str, venue: &str, doi: &str) -> Self {
        Reference {
            authors: authors.into(),
            year,
            title: title.into(),
            venue: venue.into(),
            doi: doi.into(),
            url: String::new(),
        }
    }

    /// A data set, found at `url`.
    pub fn data(authors: &str, year: u16, title: &str, venue: &str, url: &str) -> Self {
        Reference {
            url: url.into(),
            ..Reference::paper(authors, year, title, venue, "")
        }
    }

    /// One line, as a reference list prints it: "Authors (year). Title.
    /// Venue. https://doi.org/…".
    pub fn text(&self) -> String {
        let link = if !self.doi.is_empty() {
            format!(" https://doi.org/{}", self.doi)
        } else if !self.url.is_empty() {
            format!(" {}", self.url)
        } else {
            String::new()
        };
        format!(
            "{} ({}). {}. {}.{link}",
            self.authors, self.year, self.title, self.venue
        )
    }
}

impl LabSpec {
    /// A parameter by key.
    pub fn param(&self, key: &str) -> Option<&ParamSpec> {
        self.params.iter().find(|p| p.key == key)
    }
}

/// A named link: the gallery on the page, and a regression test each.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Preset {
    pub title: String,
    /// What to look for, in one or two sentences.
    pub description: String,
    /// The URL fragment, without '#'.
    pub fragment: String,
}

impl Preset {
    pub fn new(title: &str, description: &str, fragment: &str) -> Self {
        Preset {
            title: title.into(),
            description: description.into(),
            fragment: fragment.into(),
        }
    }
}

/// Which lab to run, its seed, and its parameters by key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabConfig {
    pub lab: String,
    pub seed: u64,
    #[serde(default)]
    pub params: BTreeMap<String, ParamValue>,
}

impl LabConfig {
    /// The default configuration of a lab.
    pub fn defaults(spec: &LabSpec) -> Self {
        LabConfig {
            lab: spec.name.to_string(),
            seed: DEFAULT_SEED,
            params: spec
                .params
                .iter()
                .map(|p| (p.key.clone(), p.default_value()))
                .collect(),
        }
    }

    /// Check every parameter against `spec` (the spec of `self.lab`): fill
    /// in defaults, clamp out-of-range numbers, replace unknown choices and
    /// drop unknown keys. Returns the checked configuration and one warning
    /// per change. (`labs::check` finds the spec by name.)
    pub fn checked_against(&self, spec: &LabSpec) -> (LabConfig, Vec<String>) {
        let mut warnings = Vec::new();
        let mut params = BTreeMap::new();
        for p in &spec.params {
            let value = match self.params.get(&p.key) {
                Some(v) => {
                    let (v, w) = p.check(v.clone());
                    warnings.extend(w);
                    v
                }
                None => p.default_value(),
            };
            params.insert(p.key.clone(), value);
        }
        let unknown: Vec<String> = self
            .params
            .keys()
            .filter(|key| spec.param(key).is_none())
            .cloned()
            .collect();
        warnings.extend(grouped_warning(
            &unknown,
            &format!("is not a parameter of {}", spec.name),
            &format!("keys are not parameters of {}", spec.name),
        ));
        (
            LabConfig {
                lab: spec.name.to_string(),
                seed: self.seed,
                params,
            },
            warnings,
        )
    }

    /// A number parameter. Labs read checked configurations, in which every
    /// parameter is present; an absent or non-numeric value reads as NaN.
    pub fn num(&self, key: &str) -> f64 {
        match self.params.get(key) {
            Some(ParamValue::Num(x)) => *x,
            _ => f64::NAN,
        }
    }

    /// An integer parameter, as usize (0 if absent, negative or not finite).
    pub fn int(&self, key: &str) -> usize {
        let x = self.num(key);
        if x.is_finite() && x > 0.0 {
            x.round() as usize
        } else {
            0
        }
    }

    /// A choice or text parameter ("" if absent).
    pub fn choice(&self, key: &str) -> String {
        match self.params.get(key) {
            Some(ParamValue::Choice(s)) => s.clone(),
            Some(ParamValue::Num(x)) => format!("{x}"),
            None => String::new(),
        }
    }

    /// A list parameter (`rules=bp,fa`): the comma-separated items.
    pub fn list(&self, key: &str) -> Vec<String> {
        self.choice(key)
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// Set a parameter (no checking; check the configuration after).
    pub fn set(&mut self, key: &str, value: ParamValue) {
        self.params.insert(key.to_string(), value);
    }
}
