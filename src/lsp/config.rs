//! Settings: from `initializationOptions`, `workspace/configuration` and
//! `workspace/didChangeConfiguration`, nested (`{"dermls": {…}}`), dotted
//! (`{"dermls.defaultPayer": …}`) or flat (`{"defaultPayer": …}`).
//!
//! | key | value |
//! |---|---|
//! | `dermls.defaultPayer` | the payer where a note names none |
//! | `dermls.distinctSiteModifier` | `59` or `XS` |
//! | `dermls.conversionFactor` | dollars per RVU for the payment estimate |
//! | `dermls.disabledRules` | diagnostic codes to switch off |
//! | `dermls.cmsRvuFile`, `dermls.ncciFile`, `dermls.mueFile` | CMS files laid over the built-in table (the loaders `dermls check --cms-rvu …` uses) |
//! | `dermls.payerRulesFile` | a payer rules file (the format of `src/rules/data/payer_rules.csv`) used instead of the built-in rules; one that does not load is reported and the rules in use kept |
//!
//! A settings payload replaces the settings as a whole; a payload without
//! any `dermls` key (`null`, `{}`) changes nothing.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::analysis::Options;
use crate::codes::{self, CodeTable};
use crate::rules::PayerRules;
use crate::rules::claim::DistinctModifier;
use crate::vocab::{Payer, vocab};

/// The settings as the client wrote them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    pub default_payer: Option<String>,
    pub distinct_site_modifier: Option<String>,
    pub conversion_factor: Option<f64>,
    pub disabled_rules: Vec<String>,
    pub cms_rvu_file: Option<PathBuf>,
    pub ncci_file: Option<PathBuf>,
    pub mue_file: Option<PathBuf>,
    pub payer_rules_file: Option<PathBuf>,
}

const KEYS: &[&str] = &[
    "defaultPayer",
    "distinctSiteModifier",
    "conversionFactor",
    "disabledRules",
    "cmsRvuFile",
    "ncciFile",
    "mueFile",
    "payerRulesFile",
];

impl Settings {
    /// The settings in a payload, or `None` when it holds no dermls key.
    pub fn from_json(value: &Value) -> Option<Settings> {
        let obj = value.as_object()?;
        let mut keys: Map<String, Value> = Map::new();
        // Flat keys first, then dotted, then nested: the most specific wins.
        for k in KEYS {
            if let Some(v) = obj.get(*k) {
                keys.insert((*k).to_string(), v.clone());
            }
        }
        for k in KEYS {
            if let Some(v) = obj.get(&format!("dermls.{k}")) {
                keys.insert((*k).to_string(), v.clone());
            }
        }
        if let Some(nested) = obj.get("dermls").and_then(Value::as_object) {
            for k in KEYS {
                if let Some(v) = nested.get(*k) {
                    keys.insert((*k).to_string(), v.clone());
                }
            }
        }
        if keys.is_empty() && !obj.get("dermls").is_some_and(Value::is_object) {
            return None;
        }
        let string = |k: &str| {
            keys.get(k)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let path = |k: &str| string(k).map(PathBuf::from);
        Some(Settings {
            default_payer: string("defaultPayer"),
            distinct_site_modifier: keys.get("distinctSiteModifier").and_then(|v| match v {
                Value::Number(n) => Some(n.to_string()),
                Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
                _ => None,
            }),
            conversion_factor: keys.get("conversionFactor").and_then(|v| match v {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            }),
            disabled_rules: match keys.get("disabledRules") {
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
                Some(Value::String(s)) => s
                    .split([',', ' '])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
                _ => Vec::new(),
            },
            cms_rvu_file: path("cmsRvuFile"),
            ncci_file: path("ncciFile"),
            mue_file: path("mueFile"),
            payer_rules_file: path("payerRulesFile"),
        })
    }

    fn files(&self) -> (Option<&PathBuf>, Option<&PathBuf>, Option<&PathBuf>) {
        (
            self.cms_rvu_file.as_ref(),
            self.ncci_file.as_ref(),
            self.mue_file.as_ref(),
        )
    }
}

/// What analysis runs with: the options, the code table and the settings
/// they came from.
#[derive(Clone, Debug)]
pub struct Config {
    /// The settings as the client last sent them.
    pub requested: Settings,
    /// The settings in effect (a file that did not load keeps the previous
    /// one).
    pub settings: Settings,
    pub options: Options,
    pub table: Arc<CodeTable>,
    /// Bumped on every change, so cached analyses know they are stale.
    pub generation: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            requested: Settings::default(),
            settings: Settings::default(),
            options: Options::default(),
            table: Arc::new(CodeTable::builtin().clone()),
            generation: 0,
        }
    }
}

/// The outcome of applying settings: the new configuration and what to
/// tell the user.
pub struct Applied {
    pub config: Config,
    /// Problems for a `window/showMessage` error (a file that did not load,
    /// a value out of range); the previous value is kept for each.
    pub errors: Vec<String>,
    /// Notes for a `window/logMessage`.
    pub notes: Vec<String>,
}

impl Config {
    /// Applies settings over this configuration. CMS files are read only
    /// when their paths changed; a file that fails to load keeps the
    /// previous table.
    pub fn apply(&self, requested: Settings) -> Applied {
        let mut settings = requested.clone();
        let mut errors = Vec::new();
        let mut notes = Vec::new();
        let mut options = Options::default();
        if let Some(p) = &settings.default_payer {
            match vocab().payer(p) {
                Payer::Unknown => errors.push(format!(
                    "dermls.defaultPayer {p:?}: expected Medicare, UHC, Aetna, BCBS, Medicaid, Commercial or Self-pay"
                )),
                payer => options.claim.default_payer = Some(payer),
            }
        }
        if let Some(m) = &settings.distinct_site_modifier {
            match DistinctModifier::parse(m) {
                Some(m) => options.claim.distinct_modifier = m,
                None => errors.push(format!(
                    "dermls.distinctSiteModifier {m:?}: expected 59 or XS"
                )),
            }
        }
        if let Some(cf) = settings.conversion_factor {
            if cf.is_finite() && cf > 0.0 {
                options.conversion_factor = cf;
            } else {
                errors.push(format!(
                    "dermls.conversionFactor {cf}: expected a positive number of dollars per RVU"
                ));
            }
        }
        options.disabled_rules = settings.disabled_rules.clone();
        let mut table = self.table.clone();
        if settings.files() != self.settings.files() {
            match load_table(&settings) {
                Ok(t) => table = Arc::new(t),
                Err(e) => {
                    errors.push(format!("{e}; keeping the code table in use"));
                    // Remember the files actually in use, so the same paths
                    // are tried again on the next change.
                    settings.cms_rvu_file = self.settings.cms_rvu_file.clone();
                    settings.ncci_file = self.settings.ncci_file.clone();
                    settings.mue_file = self.settings.mue_file.clone();
                }
            }
        }
        if settings.payer_rules_file == self.settings.payer_rules_file {
            options.payer_rules = self.options.payer_rules.clone();
        } else if let Some(p) = &settings.payer_rules_file {
            match read(p)
                .and_then(|text| PayerRules::parse(&name(p), &text).map_err(|e| e.to_string()))
            {
                Ok(rules) => {
                    notes.push(format!(
                        "dermls.payerRulesFile {}: {} payer rules in use",
                        p.display(),
                        rules.len()
                    ));
                    options.payer_rules = Some(rules);
                }
                Err(e) => {
                    errors.push(format!("{e}; keeping the payer rules in use"));
                    options.payer_rules = self.options.payer_rules.clone();
                    settings.payer_rules_file = self.settings.payer_rules_file.clone();
                }
            }
        }
        Applied {
            config: Config {
                requested,
                settings,
                options,
                table,
                generation: self.generation + 1,
            },
            errors,
            notes,
        }
    }
}

/// The built-in table with the CMS files the settings name laid over it,
/// read with the loaders the command line uses.
pub fn load_table(settings: &Settings) -> Result<CodeTable, String> {
    let builtin = CodeTable::builtin();
    let (rvu, ncci, mue) = settings.files();
    if rvu.is_none() && ncci.is_none() && mue.is_none() {
        return Ok(builtin.clone());
    }
    let rvu = match rvu {
        Some(p) => Some(codes::parse_cms_rvu(&name(p), &read(p)?).map_err(|e| e.to_string())?),
        None => None,
    };
    let ncci = match ncci {
        Some(p) => Some(codes::parse_ncci_ptp(&name(p), &read(p)?).map_err(|e| e.to_string())?),
        None => None,
    };
    let mue = match mue {
        Some(p) => Some(codes::parse_mue(&name(p), &read(p)?).map_err(|e| e.to_string())?),
        None => None,
    };
    Ok(builtin.with_cms(rvu.as_ref(), ncci.as_deref(), mue.as_deref()))
}

fn name(p: &Path) -> String {
    p.display().to_string()
}

fn read(p: &Path) -> Result<String, String> {
    let bytes = std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{}: not UTF-8 text (invalid byte at offset {})",
            p.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_dotted_and_flat_keys() {
        let nested = json!({"dermls": {"defaultPayer": "UHC", "disabledRules": ["payer/unknown"]}});
        let dotted =
            json!({"dermls.defaultPayer": "UHC", "dermls.disabledRules": ["payer/unknown"]});
        let flat = json!({"defaultPayer": "UHC", "disabledRules": "payer/unknown"});
        let expected = Settings {
            default_payer: Some("UHC".into()),
            disabled_rules: vec!["payer/unknown".into()],
            ..Settings::default()
        };
        for v in [nested, dotted, flat] {
            assert_eq!(Settings::from_json(&v), Some(expected.clone()), "{v}");
        }
        assert_eq!(Settings::from_json(&Value::Null), None);
        assert_eq!(Settings::from_json(&json!({"other": 1})), None);
        assert_eq!(
            Settings::from_json(&json!({"dermls": {}})),
            Some(Settings::default())
        );
        let numbers = json!({"dermls": {"distinctSiteModifier": 59, "conversionFactor": "32.5"}});
        let s = Settings::from_json(&numbers).unwrap();
        assert_eq!(s.distinct_site_modifier.as_deref(), Some("59"));
        assert_eq!(s.conversion_factor, Some(32.5));
    }

    #[test]
    fn bad_values_are_reported_and_defaulted() {
        let applied = Config::default().apply(Settings {
            default_payer: Some("Acme".into()),
            distinct_site_modifier: Some("XE".into()),
            conversion_factor: Some(-1.0),
            payer_rules_file: Some("/nowhere/rules.csv".into()),
            ..Settings::default()
        });
        assert_eq!(applied.errors.len(), 4, "{:?}", applied.errors);
        assert!(
            applied.errors[3].contains("/nowhere/rules.csv"),
            "{:?}",
            applied.errors
        );
        assert!(applied.notes.is_empty(), "{:?}", applied.notes);
        assert_eq!(applied.config.options, Options::default());
        assert_eq!(applied.config.settings.payer_rules_file, None);
        assert_eq!(applied.config.generation, 1);
    }

    #[test]
    fn a_payer_rules_file_replaces_the_builtin_rules() {
        let dir = std::env::temp_dir().join(format!("dermls-payer-rules-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("rules.csv");
        std::fs::write(
            &file,
            "code,payer,applies_to,threshold,severity,message,source,verified\npayer/unknown,unknown,encounter,,info,Say who pays.,Practice policy,true\n",
        )
        .unwrap();
        let applied = Config::default().apply(Settings {
            payer_rules_file: Some(file.clone()),
            ..Settings::default()
        });
        assert!(applied.errors.is_empty(), "{:?}", applied.errors);
        let rules = applied
            .config
            .options
            .payer_rules
            .clone()
            .expect("rules loaded");
        assert_eq!(rules.len(), 1);
        // The same path again keeps the rules without reading the file.
        std::fs::remove_file(&file).unwrap();
        let again = applied.config.apply(Settings {
            payer_rules_file: Some(file),
            ..Settings::default()
        });
        assert!(again.errors.is_empty(), "{:?}", again.errors);
        assert_eq!(again.config.options.payer_rules, Some(rules));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_missing_file_keeps_the_table() {
        let base = Config::default();
        let applied = base.apply(Settings {
            mue_file: Some("/nowhere/mue.csv".into()),
            ..Settings::default()
        });
        assert_eq!(applied.errors.len(), 1);
        assert!(applied.errors[0].contains("/nowhere/mue.csv"));
        assert!(Arc::ptr_eq(&applied.config.table, &base.table));
    }
}
