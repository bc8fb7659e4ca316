mod checks;
mod decode;

pub use checks::check;
pub use decode::{decode, detect, is_probe, kind};
