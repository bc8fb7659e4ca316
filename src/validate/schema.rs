//! The vendor schemas in `assets/schemas/`, compiled once and reused for every payload.

use std::sync::LazyLock;

use jsonschema::{Keyword, ValidationError, Validator};
use serde_json::{Map, Value, json};

use super::Finding;
use super::messages;
use crate::vendor::Vendor;

/// A compiled schema with its source, which the messages read descriptions from.
pub struct Schema {
    pub vendor: Vendor,
    pub source: Value,
    validator: Validator,
}

impl std::fmt::Debug for Schema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Schema")
            .field("vendor", &self.vendor)
            .finish()
    }
}

impl Schema {
    fn bundled(vendor: Vendor, source: Value) -> Schema {
        Schema::compile(vendor, source)
            .unwrap_or_else(|error| panic!("the bundled {vendor} schema does not compile: {error}"))
    }

    /// A schema (draft 2020-12, formats checked) with hookscope's own keywords.
    pub fn compile(vendor: Vendor, source: Value) -> Result<Schema, String> {
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .with_keyword("deprecated", legacy_keyword)
            .with_keyword("x-known-values", known_values_keyword)
            .build(&source)
            .map_err(|error| error.to_string())?;
        Ok(Schema {
            vendor,
            source,
            validator,
        })
    }

    /// Findings for everything the schema says about `value`.
    pub fn check(&self, value: &Value) -> Vec<Finding> {
        // Most payloads are clean: the boolean pass is much cheaper than collecting errors.
        if self.validator.is_valid(value) {
            return Vec::new();
        }
        let mut findings = Vec::new();
        for error in self.validator.iter_errors(value) {
            messages::push_findings(self, &error, &mut findings);
        }
        findings
    }
}

fn source(vendor: Vendor) -> &'static str {
    match vendor {
        Vendor::Bitdrift => include_str!("../../assets/schemas/bitdrift.json"),
        Vendor::Octopus => include_str!("../../assets/schemas/octopus.json"),
        Vendor::Bugsplat => include_str!("../../assets/schemas/bugsplat.json"),
        Vendor::Firefly => include_str!("../../assets/schemas/firefly.json"),
        Vendor::User(_) => "{}",
    }
}

fn parse(vendor: Vendor) -> Value {
    serde_json::from_str(source(vendor))
        .unwrap_or_else(|error| panic!("the bundled {vendor} schema is not JSON: {error}"))
}

static SCHEMAS: LazyLock<Vec<Schema>> = LazyLock::new(|| {
    Vendor::ALL
        .into_iter()
        .map(|vendor| Schema::bundled(vendor, parse(vendor)))
        .collect()
});

/// Firefly's set-up probe is not a notification; it has its own definition in the schema.
static FIREFLY_PROBE: LazyLock<Schema> = LazyLock::new(|| {
    let firefly = parse(Vendor::Firefly);
    let probe = json!({
        "$schema": firefly["$schema"],
        "$id": "urn:hookscope:schema:firefly-probe",
        "$ref": "#/$defs/IntegrationTestProbe",
        "$defs": firefly["$defs"],
    });
    Schema::bundled(Vendor::Firefly, probe)
});

pub(super) fn for_vendor(vendor: Vendor) -> &'static Schema {
    &SCHEMAS[Vendor::ALL.iter().position(|v| *v == vendor).unwrap_or(0)]
}

pub(super) fn firefly_probe() -> &'static Schema {
    &FIREFLY_PROBE
}

/// `"deprecated": true` marks a legacy field: present at all is worth a warning. The
/// short `x-legacy` note beside it says which versions sent it.
fn legacy_keyword<'a>(
    parent: &'a Map<String, Value>,
    value: &'a Value,
    _: jsonschema::paths::Location,
) -> Result<Box<dyn for<'i> Keyword<'i>>, ValidationError<'a>> {
    let note = parent
        .get("x-legacy")
        .and_then(Value::as_str)
        .unwrap_or("older versions of the payload sent it")
        .to_owned();
    Ok(Box::new(Legacy {
        deprecated: value.as_bool() == Some(true),
        note,
    }))
}

struct Legacy {
    deprecated: bool,
    note: String,
}

impl<'i> Keyword<'i> for Legacy {
    fn validate(&self, instance: &'i Value) -> Result<(), ValidationError<'i>> {
        if self.is_valid(instance) {
            Ok(())
        } else {
            Err(ValidationError::custom(format!(
                "legacy field: {}",
                self.note
            )))
        }
    }

    fn is_valid(&self, _: &'i Value) -> bool {
        !self.deprecated
    }
}

/// `x-known-values` lists the values seen so far of an open set (Octopus categories,
/// BugSplat crash types). Another value of the right type is allowed but worth a warning;
/// a value of the wrong type is left to `type`.
fn known_values_keyword<'a>(
    parent: &'a Map<String, Value>,
    value: &'a Value,
    _: jsonschema::paths::Location,
) -> Result<Box<dyn for<'i> Keyword<'i>>, ValidationError<'a>> {
    let known = value.as_array().cloned().unwrap_or_default();
    let types = match parent.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    Ok(Box::new(KnownValues { known, types }))
}

struct KnownValues {
    known: Vec<Value>,
    types: Vec<String>,
}

impl KnownValues {
    fn has_documented_type(&self, instance: &Value) -> bool {
        self.types.is_empty()
            || self.types.iter().any(|t| match t.as_str() {
                "string" => instance.is_string(),
                "integer" => instance.as_i64().is_some() || instance.as_u64().is_some(),
                "number" => instance.is_number(),
                "boolean" => instance.is_boolean(),
                _ => false,
            })
    }

    fn list(&self) -> String {
        let shown: Vec<String> = self.known.iter().take(5).map(Value::to_string).collect();
        let more = self.known.len().saturating_sub(shown.len());
        if more > 0 {
            format!("{} and {more} more", shown.join(", "))
        } else {
            shown.join(", ")
        }
    }
}

impl<'i> Keyword<'i> for KnownValues {
    fn validate(&self, instance: &'i Value) -> Result<(), ValidationError<'i>> {
        if self.is_valid(instance) {
            return Ok(());
        }
        Err(ValidationError::custom(format!(
            "{} is not one of the known values ({}); the list is open, so it may simply be new",
            super::json::quote_value(instance),
            self.list()
        )))
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        !self.has_documented_type(instance) || self.known.contains(instance)
    }
}
