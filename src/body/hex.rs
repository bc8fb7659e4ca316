//! Showing a body that is not text.

use std::fmt::Write as _;

/// A classic hex dump: offset, 16 bytes in hex, and the printable ASCII beside them.
pub fn hex_dump(bytes: &[u8]) -> String {
    hex_dump_rows(bytes, 16)
}

/// Columns a hex dump row of `per_row` bytes takes.
pub fn hex_row_width(per_row: usize) -> usize {
    // offset, two spaces, "xx " per byte, the gap in the middle, " |", the ASCII, "|".
    8 + 2 + per_row * 3 + usize::from(per_row > 8) + 2 + per_row + 1
}

/// A hex dump with `per_row` bytes to a row (a gap after the eighth when there are more).
pub fn hex_dump_rows(bytes: &[u8], per_row: usize) -> String {
    let per_row = per_row.max(1);
    let mut out = String::with_capacity(bytes.len() * 4 + 16);
    for (row, chunk) in bytes.chunks(per_row).enumerate() {
        let _ = write!(out, "{:08x}  ", row * per_row);
        for column in 0..per_row {
            match chunk.get(column) {
                Some(byte) => {
                    let _ = write!(out, "{byte:02x} ");
                }
                None => out.push_str("   "),
            }
            if column == 7 && per_row > 8 {
                out.push(' ');
            }
        }
        out.push_str(" |");
        out.extend(chunk.iter().map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            }
        }));
        out.push_str("|\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dumps_offsets_hex_and_ascii() {
        let dump = hex_dump(b"hi\x1b[31m\x00\xff0123456789abcdef");
        let lines: Vec<&str> = dump.lines().collect();
        assert_eq!(
            lines[0],
            "00000000  68 69 1b 5b 33 31 6d 00  ff 30 31 32 33 34 35 36  |hi.[31m..0123456|"
        );
        assert!(lines[1].starts_with("00000010  37 38 39 61 62 63 64 65  "));
        assert!(lines[1].ends_with("|789abcdef|"));
        assert!(lines.iter().all(|l| l.len() <= hex_row_width(16)));
        assert_eq!(lines[0].len(), hex_row_width(16));
    }

    #[test]
    fn narrow_dumps_have_fewer_bytes_to_a_row() {
        let dump = hex_dump_rows(b"hi\x1b[31m\x00\xff01234", 8);
        let lines: Vec<&str> = dump.lines().collect();
        assert_eq!(lines[0], "00000000  68 69 1b 5b 33 31 6d 00  |hi.[31m.|");
        assert_eq!(lines[0].len(), hex_row_width(8));
        assert!(lines[1].starts_with("00000008  ff 30 31 32 33 34"));
    }
}
