mod checks;
mod decode;

pub use checks::check;
pub use decode::{decode, dedupe_key, detect, kind};
