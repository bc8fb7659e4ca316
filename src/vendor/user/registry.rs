//! The user vendors of this process, loaded once at start. `Vendor::User` holds an index
//! into it, so a vendor stays `Copy` and cheap to pass around like a built-in one.

use std::sync::RwLock;

use super::UserVendor;
use crate::validate::UserSchema;
use crate::vendor::Vendor;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserVendorId(u16);

/// Append-only: an id handed out stays valid for the life of the process.
static REGISTRY: RwLock<Vec<&'static UserVendor>> = RwLock::new(Vec::new());

/// Registers vendors (a vendor whose id is already registered keeps its first definition)
/// and compiles their schemas, now that each has its `Vendor` to name in findings.
pub fn install(vendors: Vec<UserVendor>) -> Vec<Vendor> {
    let mut registry = REGISTRY.write().unwrap_or_else(|e| e.into_inner());
    let mut installed = Vec::new();
    for mut vendor in vendors {
        if let Some(at) = registry.iter().position(|v| v.id == vendor.id) {
            installed.push(Vendor::User(UserVendorId(at as u16)));
            continue;
        }
        let Ok(index) = u16::try_from(registry.len()) else {
            break;
        };
        let id = UserVendorId(index);
        vendor.schema = vendor
            .schema_source
            .clone()
            .and_then(|source| UserSchema::compile(Vendor::User(id), source).ok());
        registry.push(Box::leak(Box::new(vendor)));
        installed.push(Vendor::User(id));
    }
    installed
}

/// Every registered vendor, in the order they were loaded (file name order).
pub fn registered() -> impl Iterator<Item = (UserVendorId, &'static UserVendor)> {
    let registry = REGISTRY.read().unwrap_or_else(|e| e.into_inner());
    let all: Vec<_> = registry
        .iter()
        .enumerate()
        .map(|(i, v)| (UserVendorId(i as u16), *v))
        .collect();
    all.into_iter()
}

/// The registered vendor with this id, if any.
pub fn find(id: &str) -> Option<Vendor> {
    let registry = REGISTRY.read().unwrap_or_else(|e| e.into_inner());
    registry
        .iter()
        .position(|v| v.id == id)
        .map(|at| Vendor::User(UserVendorId(at as u16)))
}

pub fn get(id: UserVendorId) -> &'static UserVendor {
    let registry = REGISTRY.read().unwrap_or_else(|e| e.into_inner());
    registry[usize::from(id.0)]
}

/// A hash of every registered definition (and schema, and which signing secret is set):
/// stored verdicts made under other rules, or with another secret, are worked out again.
pub fn fingerprint() -> u64 {
    // FNV-1a: stable across builds and runs, unlike the std hasher's promise.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut mix = |bytes: &[u8]| {
        for &byte in bytes.iter().chain(&[0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for (_, vendor) in registered() {
        mix(vendor.fingerprint_text.as_bytes());
        let secret = vendor
            .signature
            .as_ref()
            .and_then(|config| config.secret().ok().flatten());
        mix(&secret.map_or(0, |s| s.fingerprint()).to_le_bytes());
    }
    hash
}
