//! Byte sizes as people write and read them.

/// Parses `32MiB`, `512k`, `1GB`, `100` (bytes). Binary and decimal suffixes are both
/// accepted and both mean powers of 1024, which is what a body limit means in practice.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (digits, suffix) = trimmed.split_at(split);
    let number: u64 = digits
        .parse()
        .map_err(|_| format!("{text:?} is not a size; write e.g. 32MiB, 512KiB or 1048576"))?;
    let multiplier: u64 = match suffix.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        other => {
            return Err(format!(
                "unknown size unit {other:?}; use B, KiB, MiB or GiB"
            ));
        }
    };
    number
        .checked_mul(multiplier)
        .ok_or_else(|| format!("{text:?} is too large"))
}

/// `850 µs`, `3.2 ms`, `41 ms`, `1.4 s`, `2m 05s`: how long a request took.
pub fn format_duration(duration: std::time::Duration) -> String {
    let micros = duration.as_micros();
    match micros {
        0..1_000 => format!("{micros} µs"),
        1_000..10_000 => format!("{:.1} ms", micros as f64 / 1e3),
        10_000..1_000_000 => format!("{} ms", micros / 1_000),
        1_000_000..60_000_000 => format!("{:.1} s", micros as f64 / 1e6),
        _ => {
            let seconds = duration.as_secs();
            format!("{}m {:02}s", seconds / 60, seconds % 60)
        }
    }
}

/// `45 s`, `5 min`, `1 min 30 s`, `2 h 13 min`, `3 d 4 h`: the two largest units.
pub fn format_seconds(seconds: u64) -> String {
    const UNITS: [(u64, &str); 4] = [(86_400, "d"), (3_600, "h"), (60, "min"), (1, "s")];
    let Some(first) = UNITS.iter().position(|(size, _)| seconds >= *size) else {
        return "0 s".to_owned();
    };
    let (size, unit) = UNITS[first];
    let mut text = format!("{} {unit}", seconds / size);
    if let Some(&(next, next_unit)) = UNITS.get(first + 1) {
        let rest = seconds % size / next;
        if rest > 0 {
            text.push_str(&format!(" {rest} {next_unit}"));
        }
    }
    text
}

/// `812 B`, `1.1 KiB`, `3.0 KiB`, `12 KiB`, `1.0 MiB`: one decimal below 10 of a unit and
/// none from 10 up, so a size has exactly one spelling (never `3 KiB` beside `3.0 KiB`). At
/// most three digits before the unit (1000 KiB is `1.0 MiB`), so sizes fit a narrow column.
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while unit < UNITS.len() - 1 && round_for_display(value) >= 1000.0 {
        value /= 1024.0;
        unit += 1;
    }
    let value = round_for_display(value);
    if unit > 0 && value < 10.0 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{} {}", group_digits(value as u64), UNITS[unit])
    }
}

/// `value` rounded as `format_bytes` writes it: to a tenth below 10, to a whole number above.
/// Rounding first decides the unit, so 999.7 KiB is `1.0 MiB`, not `1000 KiB`.
fn round_for_display(value: f64) -> f64 {
    let tenths = (value * 10.0).round() / 10.0;
    if tenths < 10.0 { tenths } else { value.round() }
}

/// `1234567` → `1,234,567`: how counts and sizes are written everywhere.
pub fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1 error`, `3 errors`, `1,204 lines`.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{} {noun}s", group_digits(n as u64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sizes() {
        assert_eq!(parse_size("32MiB"), Ok(32 << 20));
        assert_eq!(parse_size("512 k"), Ok(512 << 10));
        assert_eq!(parse_size("1GB"), Ok(1 << 30));
        assert_eq!(parse_size("100"), Ok(100));
        assert!(parse_size("MiB").is_err());
        assert!(parse_size("3 parsecs").is_err());
        assert!(parse_size("99999999999999999999GiB").is_err());
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(format_seconds(0), "0 s");
        assert_eq!(format_seconds(45), "45 s");
        assert_eq!(format_seconds(300), "5 min");
        assert_eq!(format_seconds(90), "1 min 30 s");
        assert_eq!(format_seconds(2 * 3600 + 13 * 60 + 7), "2 h 13 min");
        assert_eq!(format_seconds(3 * 86_400 + 4 * 3600), "3 d 4 h");
    }

    #[test]
    fn formats_sizes() {
        assert_eq!(format_bytes(0), "0 B");
        assert_eq!(format_bytes(812), "812 B");
        assert_eq!(format_bytes(999), "999 B");
        assert_eq!(format_bytes(1536), "1.5 KiB");
        assert_eq!(format_bytes(32 << 20), "32 MiB");
        assert_eq!(format_bytes(5000 << 40), "5,000 TiB");
    }

    #[test]
    fn a_size_has_one_spelling() {
        // The same rounded size was written `3.0 KiB` (3,058 B) and `3 KiB` (3,100 B), and
        // `1 KiB` (1,030 B) beside `1.1 KiB` (1,100 B).
        assert_eq!(format_bytes(3_058), "3.0 KiB");
        assert_eq!(format_bytes(3_072), "3.0 KiB");
        assert_eq!(format_bytes(3_100), "3.0 KiB");
        assert_eq!(format_bytes(1_024), "1.0 KiB");
        assert_eq!(format_bytes(1_030), "1.0 KiB");
        assert_eq!(format_bytes(1_100), "1.1 KiB");
        assert_eq!(format_bytes(4_070), "4.0 KiB");
        // Rounding never writes `10.0`, `1000 KiB` or `1,023 B`.
        assert_eq!(format_bytes(1_023), "1.0 KiB");
        assert_eq!(format_bytes(10_200), "10 KiB");
        assert_eq!(format_bytes(1000 << 10), "1.0 MiB");
        assert_eq!(format_bytes(10_220), "10 KiB");
        assert_eq!(format_bytes(1_048_000), "1.0 MiB");
        assert_eq!(format_bytes(1_048_575), "1.0 MiB");
        assert_eq!(format_bytes(58_600), "57 KiB");
        assert_eq!(format_bytes(60_001), "59 KiB");
    }

    #[test]
    fn counts_group_digits() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1_234_567), "1,234,567");
        assert_eq!(plural(1, "line"), "1 line");
        assert_eq!(plural(0, "line"), "0 lines");
        assert_eq!(plural(20_001, "line"), "20,001 lines");
    }

    #[test]
    fn formats_durations() {
        use std::time::Duration;
        assert_eq!(format_duration(Duration::from_micros(850)), "850 µs");
        assert_eq!(format_duration(Duration::from_micros(3_240)), "3.2 ms");
        assert_eq!(format_duration(Duration::from_millis(41)), "41 ms");
        assert_eq!(format_duration(Duration::from_millis(1_400)), "1.4 s");
        assert_eq!(format_duration(Duration::from_secs(125)), "2m 05s");
    }
}
