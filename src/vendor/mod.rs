//! Who sent a webhook and what it says. One folder per built-in vendor: `decode.rs`
//! recognises the payload and pulls out what a person wants to see, `checks.rs` holds the
//! validation rules a JSON Schema cannot state. `user/` reads the vendors people define
//! themselves, in TOML files with a JSON Schema beside them.

pub mod bitdrift;
pub mod bugsplat;
pub mod firefly;
pub mod octopus;
mod text;
pub mod user;

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::capture::Header;
use user::UserVendorId;

/// The vendors hookscope knows: the four built in, and those the user defined (loaded at
/// start). Anything else is shown generically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Vendor {
    Bitdrift,
    Octopus,
    Bugsplat,
    Firefly,
    /// A vendor from the user's `vendors/` folder.
    User(UserVendorId),
}

/// What detection and decoding may look at besides the JSON body.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub headers: &'a [Header],
    /// The request path, when known (a capture; not a file given to `validate`).
    pub path: Option<&'a str>,
}

impl Request<'_> {
    pub const NONE: Request<'static> = Request {
        headers: &[],
        path: None,
    };
}

impl Vendor {
    /// The built-in vendors (the ones with samples and bundled schemas).
    pub const ALL: [Vendor; 4] = [
        Vendor::Bitdrift,
        Vendor::Octopus,
        Vendor::Bugsplat,
        Vendor::Firefly,
    ];

    /// Every vendor known now: the built-in ones, then the user's.
    pub fn known() -> Vec<Vendor> {
        let mut all = Vendor::ALL.to_vec();
        all.extend(user::registered().map(|(id, _)| Vendor::User(id)));
        all
    }

    /// The stable lower-case id used on the command line, in JSON and in the store.
    pub fn id(self) -> &'static str {
        match self {
            Vendor::Bitdrift => "bitdrift",
            Vendor::Octopus => "octopus",
            Vendor::Bugsplat => "bugsplat",
            Vendor::Firefly => "firefly",
            Vendor::User(id) => user::get(id).id(),
        }
    }

    /// The name as the vendor writes it, for people.
    pub fn display_name(self) -> &'static str {
        match self {
            Vendor::Bitdrift => "bitdrift",
            Vendor::Octopus => "Octopus Deploy",
            Vendor::Bugsplat => "BugSplat",
            Vendor::Firefly => "Firefly",
            Vendor::User(id) => user::get(id).name(),
        }
    }

    /// Read for every row the store hands out, so it does not gather the known vendors.
    pub fn from_id(id: &str) -> Option<Vendor> {
        Vendor::ALL
            .into_iter()
            .find(|v| v.id() == id)
            .or_else(|| user::find(id))
    }

    pub fn is_built_in(self) -> bool {
        !matches!(self, Vendor::User(_))
    }
}

impl Serialize for Vendor {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

impl<'de> Deserialize<'de> for Vendor {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let id = String::deserialize(deserializer)?;
        Vendor::from_id(&id)
            .ok_or_else(|| serde::de::Error::custom(format!("`{id}` is not a vendor known here")))
    }
}

/// For records from elsewhere (archives): a vendor not defined here reads as none, and the
/// analysis that import runs again decides.
pub fn lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Vendor>, D::Error> {
    let id = Option::<String>::deserialize(deserializer)?;
    Ok(id.as_deref().and_then(Vendor::from_id))
}

/// The built-in vendors on the command line (`send`, which has samples only for them).
impl clap::ValueEnum for Vendor {
    fn value_variants<'a>() -> &'a [Self] {
        &Vendor::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        self.is_built_in()
            .then(|| clap::builder::PossibleValue::new(self.id()))
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

/// Recognises the vendor from the body's shape (and, for user vendors, the request's
/// headers and path). `None` means "show it generically": a payload is never forced into a
/// vendor on a guess. The built-in vendors are asked first, except for user vendors that
/// say they go before them.
pub fn detect(value: &Value, request: Request<'_>) -> Option<Vendor> {
    let users: Vec<_> = user::registered().collect();
    let user_match = |first: bool| {
        users
            .iter()
            .find(|(_, def)| def.before_built_in() == first && def.matches(value, request))
            .map(|(id, _)| Vendor::User(*id))
    };
    user_match(true)
        .or_else(|| detect_built_in(value))
        .or_else(|| user_match(false))
}

fn detect_built_in(value: &Value) -> Option<Vendor> {
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
pub fn kind(vendor: Vendor, value: &Value, request: Request<'_>) -> String {
    match vendor {
        Vendor::Bitdrift => bitdrift::kind(value),
        Vendor::Octopus => octopus::kind(value),
        Vendor::Bugsplat => bugsplat::kind(value),
        Vendor::Firefly => firefly::kind(value),
        Vendor::User(id) => user::get(id).kind(value, request),
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
pub fn decode(vendor: Vendor, value: &Value, request: Request<'_>) -> Decoded {
    match vendor {
        Vendor::Bitdrift => bitdrift::decode(value),
        Vendor::Octopus => octopus::decode(value),
        Vendor::Bugsplat => bugsplat::decode(value),
        Vendor::Firefly => firefly::decode(value),
        Vendor::User(id) => user::get(id).decode(value, request),
    }
}
