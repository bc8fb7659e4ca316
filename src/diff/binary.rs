//! Binary bodies: their sizes and where they first differ, which is usually all a person can
//! use (a hex diff of two compressed or encrypted blobs says little more).

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BinaryDiff {
    pub a_size: usize,
    pub b_size: usize,
    /// The offset of the first byte that differs (or where the shorter body ends); `None`
    /// when the bytes are identical.
    pub first_difference: Option<usize>,
    /// The bytes at that offset; `None` on the side that ended there.
    pub a_byte: Option<u8>,
    pub b_byte: Option<u8>,
}

pub(super) fn compare(a: &[u8], b: &[u8]) -> BinaryDiff {
    let first_difference = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .or_else(|| (a.len() != b.len()).then(|| a.len().min(b.len())));
    BinaryDiff {
        a_size: a.len(),
        b_size: b.len(),
        first_difference,
        a_byte: first_difference.and_then(|at| a.get(at).copied()),
        b_byte: first_difference.and_then(|at| b.get(at).copied()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_bytes_have_no_difference() {
        assert_eq!(compare(b"\x00\x01", b"\x00\x01").first_difference, None);
    }

    #[test]
    fn the_first_differing_offset_and_its_bytes() {
        let found = compare(b"\x00\x01\x02\x03", b"\x00\x01\xff\x03");
        assert_eq!(found.first_difference, Some(2));
        assert_eq!((found.a_byte, found.b_byte), (Some(0x02), Some(0xff)));
    }

    #[test]
    fn a_prefix_differs_where_it_ends() {
        let found = compare(b"\x00\x01", b"\x00\x01\x02");
        assert_eq!(found.first_difference, Some(2));
        assert_eq!((found.a_byte, found.b_byte), (None, Some(0x02)));
        assert_eq!((found.a_size, found.b_size), (2, 3));
    }
}
