//! Who sent a webhook and what it says. One folder per vendor: `decode.rs` recognises the
//! payload and pulls out what a person wants to see, `checks.rs` holds the validation rules a
//! JSON Schema cannot state.

pub mod bitdrift;
pub mod bugsplat;
pub mod firefly;
pub mod octopus;
mod text;

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The vendors hookscope knows. Anything else is shown generically.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Vendor {
    Bitdrift,
    Octopus,
    Bugsplat,
    Firefly,
}

impl Vendor {
    pub const ALL: [Vendor; 4] = [
        Vendor::Bitdrift,
        Vendor::Octopus,
        Vendor::Bugsplat,
        Vendor::Firefly,
    ];

    /// The stable lower-case id used on the command line, in JSON and in the store.
    pub fn id(self) -> &'static str {
        match self {
            Vendor::Bitdrift => "bitdrift",
            Vendor::Octopus => "octopus",
            Vendor::Bugsplat => "bugsplat",
            Vendor::Firefly => "firefly",
        }
    }

    /// The name as the vendor writes it, for people.
    pub fn display_name(self) -> &'static str {
        match self {
            Vendor::Bitdrift => "bitdrift",
            Vendor::Octopus => "Octopus Deploy",
            Vendor::Bugsplat => "BugSplat",
            Vendor::Firefly => "Firefly",
        }
    }

    pub fn from_id(id: &str) -> Option<Vendor> {
        Vendor::ALL.into_iter().find(|v| v.id() == id)
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// What a vendor payload says, ready for the summary view and the list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Decoded {
    /// The event kind, e.g. `alert`, `DeploymentSucceeded`, `report`, `integration-test`;
    /// `unknown` when the payload carries no discriminator.
    pub kind: String,
    /// One line for a list, e.g. `alert · Checkout errors > 2% · workflow Checkout`.
    pub headline: String,
    /// Key facts in display order, e.g. ("Application", "Northwind POS").
    pub fields: Vec<Field>,
    /// Links found in the payload, labelled.
    pub links: Vec<Link>,
    /// Repeated data as rows, e.g. Firefly drifts or Octopus related documents.
    pub tables: Vec<Table>,
    /// A key that identifies the event across deliveries (Octopus `Event.Id`), so a capture
    /// that repeats an earlier one can be flagged.
    pub dedupe_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub label: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Recognises the vendor from the body's shape. `None` means "show it generically": a payload
/// is never forced into a vendor on a guess.
pub fn detect(value: &Value) -> Option<Vendor> {
    // The shapes are disjoint (PascalCase envelope, snake/camel oneof, Firefly's samples,
    // BugSplat's flat crash record), so order only matters for pathological bodies.
    [
        (Vendor::Octopus, octopus::detect as fn(&Value) -> bool),
        (Vendor::Bitdrift, bitdrift::detect),
        (Vendor::Firefly, firefly::detect),
        (Vendor::Bugsplat, bugsplat::detect),
    ]
    .into_iter()
    .find(|(_, detect)| detect(value))
    .map(|(vendor, _)| vendor)
}

/// The event kind alone: what the store keeps, without building the whole summary.
pub fn kind(vendor: Vendor, value: &Value) -> String {
    match vendor {
        Vendor::Bitdrift => bitdrift::kind(value),
        Vendor::Octopus => octopus::kind(value),
        Vendor::Bugsplat => bugsplat::kind(value),
        Vendor::Firefly => firefly::kind(value),
    }
}

/// The key that identifies an event across deliveries, for vendors that repeat them.
pub fn dedupe_key(vendor: Vendor, value: &Value) -> Option<String> {
    match vendor {
        Vendor::Octopus => octopus::dedupe_key(value),
        _ => None,
    }
}

/// Decodes a payload as `vendor` (detected, or forced with `validate --vendor`).
pub fn decode(vendor: Vendor, value: &Value) -> Decoded {
    match vendor {
        Vendor::Bitdrift => bitdrift::decode(value),
        Vendor::Octopus => octopus::decode(value),
        Vendor::Bugsplat => bugsplat::decode(value),
        Vendor::Firefly => firefly::decode(value),
    }
}
