//! TEMPORARY STUB (replaced by the helper's module at merge).
use crate::capture::Header;
use crate::vendor::Vendor;
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct FilterError(pub String);
#[derive(Debug, Clone, Default)]
pub struct Filter {
    text: String,
}
pub struct Candidate<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub vendor: Option<Vendor>,
    pub kind: Option<&'a str>,
    pub errors: u32,
    pub warnings: u32,
    pub headers: &'a [Header],
    pub body: &'a [u8],
}
pub fn parse(input: &str) -> Result<Filter, FilterError> {
    Ok(Filter {
        text: input.trim().to_owned(),
    })
}
impl Filter {
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
    pub fn needs_content(&self) -> bool {
        true
    }
    pub fn needs_verdict(&self) -> bool {
        false
    }
    pub fn matches(&self, c: &Candidate) -> bool {
        c.path.contains(&self.text)
    }
}
