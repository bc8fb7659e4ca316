//! Syntax highlighting with syntect (written next).
