//! TEMPORARY STUB.
use super::{Database, StoreError};
use crate::capture::CaptureId;
use crate::filter::Filter;
#[derive(Debug, Clone)]
pub struct Scan {
    pub matched: Vec<CaptureId>,
    pub scanned_through: CaptureId,
    pub complete: bool,
}
impl Database {
    pub fn scan_matches(
        &self,
        _filter: &Filter,
        after: CaptureId,
        _limit: usize,
        _cancelled: &dyn Fn() -> bool,
    ) -> Result<Scan, StoreError> {
        Ok(Scan {
            matched: vec![],
            scanned_through: after,
            complete: true,
        })
    }
}
