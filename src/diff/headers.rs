//! Headers compared by name, case-insensitively, and by occurrence: the 2nd `X-A` of one
//! request is compared with the 2nd `X-A` of the other. Order and name case are reported too,
//! since senders that sign headers care about both.

use std::collections::HashMap;

use serde::Serialize;

use crate::capture::Header;
use crate::escape::visible_line;

/// One header difference. `occurrence` counts headers of the same name from 1 (the 2nd
/// `X-A`); positions count every header from 1, in wire order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HeaderChange {
    /// Only in `b`.
    Added {
        name: String,
        occurrence: usize,
        value: String,
    },
    /// Only in `a`.
    Removed {
        name: String,
        occurrence: usize,
        value: String,
    },
    Changed {
        name: String,
        occurrence: usize,
        a: String,
        b: String,
    },
    /// The same header with its name in another case (`content-type`, `Content-Type`).
    NameCase {
        occurrence: usize,
        a: String,
        b: String,
    },
    /// In both, but placed differently relative to the other headers both have.
    Moved {
        name: String,
        occurrence: usize,
        a_position: usize,
        b_position: usize,
    },
}

pub(super) fn compare(a: &[Header], b: &[Header]) -> Vec<HeaderChange> {
    let a_keys = keys(a);
    let b_keys = keys(b);
    let b_by_key: HashMap<(&str, usize), usize> = b_keys
        .iter()
        .enumerate()
        .map(|(index, (name, occurrence))| ((name.as_str(), *occurrence), index))
        .collect();
    let partner: Vec<Option<usize>> = a_keys
        .iter()
        .map(|(name, occurrence)| b_by_key.get(&(name.as_str(), *occurrence)).copied())
        .collect();
    let shared: Vec<usize> = partner.iter().flatten().copied().collect();
    let mut kept_order = longest_increasing(&shared).into_iter();

    let mut changes = Vec::new();
    let mut b_taken = vec![false; b.len()];
    for (index, header) in a.iter().enumerate() {
        let occurrence = a_keys[index].1;
        let Some(other_index) = partner[index] else {
            changes.push(HeaderChange::Removed {
                name: header.name.clone(),
                occurrence,
                value: shown(&header.value),
            });
            continue;
        };
        b_taken[other_index] = true;
        let other = &b[other_index];
        if header.name != other.name {
            changes.push(HeaderChange::NameCase {
                occurrence,
                a: header.name.clone(),
                b: other.name.clone(),
            });
        }
        if header.value != other.value {
            changes.push(HeaderChange::Changed {
                name: header.name.clone(),
                occurrence,
                a: shown(&header.value),
                b: shown(&other.value),
            });
        }
        if kept_order.next() == Some(false) {
            changes.push(HeaderChange::Moved {
                name: header.name.clone(),
                occurrence,
                a_position: index + 1,
                b_position: other_index + 1,
            });
        }
    }
    for (index, header) in b.iter().enumerate().filter(|(i, _)| !b_taken[*i]) {
        changes.push(HeaderChange::Added {
            name: header.name.clone(),
            occurrence: b_keys[index].1,
            value: shown(&header.value),
        });
    }
    changes
}

/// Each header's lower-cased name and its occurrence among headers of that name (from 1).
fn keys(headers: &[Header]) -> Vec<(String, usize)> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    headers
        .iter()
        .map(|header| {
            let name = header.name.to_ascii_lowercase();
            let count = seen.entry(name.clone()).or_default();
            *count += 1;
            (name, *count)
        })
        .collect()
}

/// Marks the members of one longest increasing subsequence of `positions` (distinct values):
/// the largest set of shared headers whose relative order is unchanged. The rest moved.
fn longest_increasing(positions: &[usize]) -> Vec<bool> {
    // `tails[k]`: where the smallest possible end of an increasing run of length k+1 is.
    let mut tails: Vec<usize> = Vec::new();
    let mut previous: Vec<Option<usize>> = vec![None; positions.len()];
    for (at, &value) in positions.iter().enumerate() {
        let length = tails.partition_point(|&t| positions[t] < value);
        if length > 0 {
            previous[at] = Some(tails[length - 1]);
        }
        if length == tails.len() {
            tails.push(at);
        } else {
            tails[length] = at;
        }
    }
    let mut kept = vec![false; positions.len()];
    let mut next = tails.last().copied();
    while let Some(at) = next {
        kept[at] = true;
        next = previous[at];
    }
    kept
}

/// A header value as text: as sent when it is UTF-8 (JSON output escapes what needs it),
/// with `\xNN` escapes otherwise.
fn shown(value: &[u8]) -> String {
    match std::str::from_utf8(value) {
        Ok(text) => text.to_owned(),
        Err(_) => visible_line(value).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> Vec<Header> {
        pairs.iter().map(|(n, v)| Header::new(*n, *v)).collect()
    }

    #[test]
    fn identical_headers_have_no_changes() {
        let a = headers(&[("A", "1"), ("B", "2")]);
        assert!(compare(&a, &a).is_empty());
    }

    #[test]
    fn added_removed_and_changed_values() {
        let a = headers(&[("Host", "x"), ("X-Old", "1"), ("X-Sig", "abc")]);
        let b = headers(&[("Host", "x"), ("x-sig", "def"), ("X-Retry", "2")]);
        let changes = compare(&a, &b);
        assert_eq!(
            changes,
            [
                HeaderChange::Removed {
                    name: "X-Old".into(),
                    occurrence: 1,
                    value: "1".into()
                },
                HeaderChange::NameCase {
                    occurrence: 1,
                    a: "X-Sig".into(),
                    b: "x-sig".into()
                },
                HeaderChange::Changed {
                    name: "X-Sig".into(),
                    occurrence: 1,
                    a: "abc".into(),
                    b: "def".into()
                },
                HeaderChange::Added {
                    name: "X-Retry".into(),
                    occurrence: 1,
                    value: "2".into()
                },
            ]
        );
    }

    #[test]
    fn a_header_placed_elsewhere_is_moved_and_the_others_are_not() {
        let a = headers(&[("A", "1"), ("B", "2"), ("C", "3"), ("D", "4")]);
        let b = headers(&[("B", "2"), ("C", "3"), ("A", "1"), ("D", "4")]);
        assert_eq!(
            compare(&a, &b),
            [HeaderChange::Moved {
                name: "A".into(),
                occurrence: 1,
                a_position: 1,
                b_position: 3
            }]
        );
    }

    #[test]
    fn headers_added_before_others_do_not_make_them_moved() {
        let a = headers(&[("A", "1"), ("B", "2")]);
        let b = headers(&[("New", "0"), ("A", "1"), ("B", "2")]);
        let changes = compare(&a, &b);
        assert_eq!(changes.len(), 1);
        assert!(matches!(changes[0], HeaderChange::Added { .. }));
    }

    #[test]
    fn duplicates_compare_by_occurrence() {
        let a = headers(&[("X-A", "1"), ("X-A", "2")]);
        let b = headers(&[("X-A", "1"), ("X-A", "3"), ("X-A", "4")]);
        assert_eq!(
            compare(&a, &b),
            [
                HeaderChange::Changed {
                    name: "X-A".into(),
                    occurrence: 2,
                    a: "2".into(),
                    b: "3".into()
                },
                HeaderChange::Added {
                    name: "X-A".into(),
                    occurrence: 3,
                    value: "4".into()
                },
            ]
        );
    }

    #[test]
    fn values_that_are_not_utf8_are_escaped() {
        let a = vec![Header::new("X", b"\xff".to_vec())];
        let b = vec![Header::new("X", b"ok".to_vec())];
        let changes = compare(&a, &b);
        assert!(
            matches!(&changes[0], HeaderChange::Changed { a, .. } if a == "\\xff"),
            "{changes:?}"
        );
    }

    #[test]
    fn longest_increasing_keeps_the_largest_ordered_set() {
        assert_eq!(longest_increasing(&[2, 0, 1, 3]), [false, true, true, true]);
        assert_eq!(longest_increasing(&[]), Vec::<bool>::new());
    }
}
