//! The live inspector (written next).
