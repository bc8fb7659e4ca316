//! Placeholder until the sample catalogue lands.
