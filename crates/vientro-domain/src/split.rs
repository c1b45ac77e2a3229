//! Percentage splits: how an aid item's value is shared among donors, sectors and locations.
//!
//! A share is kept in basis points (1 % = 100) so that "33,33 %" is exact, and every split must sum to
//! exactly 100 %. Allocating an amount over a split uses the largest-remainder method, so the parts always
//! add up to the whole: a total never changes with the grouping. This module knows nothing of what is split.

use crate::error::{ValidationError, ValidationErrors};

/// Basis points in 100 %.
pub const FULL: u32 = 10_000;

/// A share of a whole, in basis points (0 to 10 000).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Share(u32);

impl Share {
    /// The whole (100 %).
    pub const WHOLE: Share = Share(FULL);

    /// A share from basis points; more than 10 000 is an error.
    pub fn from_basis_points(bp: u32) -> Result<Self, ValidationError> {
        if bp > FULL {
            return Err(ValidationError::new(
                "percent",
                "error-percent-range",
                format!("a share cannot exceed 100 % (got {},{:02} %)", bp / 100, bp % 100),
            ));
        }
        Ok(Share(bp))
    }

    /// Parses a percentage such as "40", "33.33" or "33,33" (at most two decimals, 0 to 100).
    pub fn parse_percent(text: &str) -> Result<Self, ValidationError> {
        let bad = || {
            ValidationError::new(
                "percent",
                "error-percent-format",
                format!("'{text}' is not a percentage between 0 and 100 with at most two decimals"),
            )
        };
        let t = text.trim().trim_end_matches('%').trim().replace(',', ".");
        let (whole, frac) = t.split_once('.').unwrap_or((t.as_str(), ""));
        if whole.is_empty() || frac.len() > 2 || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let whole: u32 = whole.parse().map_err(|_| bad())?;
        let frac: u32 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
        let bp = whole.checked_mul(100).and_then(|w| w.checked_add(frac)).ok_or_else(bad)?;
        Self::from_basis_points(bp).map_err(|_| bad())
    }

    /// The share in basis points.
    pub fn basis_points(self) -> u32 {
        self.0
    }

    /// The share as a percentage with two decimals, Vietnamese style ("33,33").
    pub fn to_percent_vi(self) -> String {
        if self.0.is_multiple_of(100) {
            format!("{}", self.0 / 100)
        } else {
            format!("{},{:02}", self.0 / 100, self.0 % 100)
        }
    }
}

/// Checks that the shares of one split sum to exactly 100 %; `field` names the split (e.g. `sectors`).
pub fn check_sums_to_whole(field: &str, shares: &[Share]) -> Result<(), ValidationError> {
    if shares.is_empty() {
        return Ok(());
    }
    let total: u64 = shares.iter().map(|s| u64::from(s.0)).sum();
    if total != u64::from(FULL) {
        return Err(ValidationError::new(
            field,
            "error-split-not-whole",
            format!("the percentages of {field} add up to {},{:02} %, not 100 %", total / 100, total % 100),
        ));
    }
    Ok(())
}

/// Parses a list of percentages for `field` and checks they sum to 100 %, naming each bad entry.
pub fn parse_split(field: &str, percents: &[&str]) -> Result<Vec<Share>, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let mut shares = Vec::with_capacity(percents.len());
    for (i, p) in percents.iter().enumerate() {
        if let Some(s) = errors.collect(Share::parse_percent(p).map_err(|e| e.under(&format!("{field}[{i}]")))) {
            shares.push(s);
        }
    }
    if errors.is_empty() {
        errors.collect(check_sums_to_whole(field, &shares));
    }
    errors.into_result(shares)
}

/// Divides `total` over `shares` (which sum to 100 %) so that the parts add up to `total` exactly.
///
/// Each part is floor(total × share); the units left over go to the largest remainders, earliest first.
/// Negative totals are divided symmetrically.
pub fn allocate(total: i64, shares: &[Share]) -> Vec<i64> {
    if shares.is_empty() {
        return Vec::new();
    }
    let negative = total < 0;
    let magnitude = i128::from(total).abs();
    let full = i128::from(FULL);
    let mut parts: Vec<i128> = Vec::with_capacity(shares.len());
    let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(shares.len());
    for (i, s) in shares.iter().enumerate() {
        let exact = magnitude * i128::from(s.0);
        parts.push(exact / full);
        remainders.push((exact % full, i));
    }
    let allocated: i128 = parts.iter().sum();
    let share_total: i128 = shares.iter().map(|s| i128::from(s.0)).sum();
    // When the shares are not a whole split, allocate proportionally without forcing the sum.
    let mut leftover = if share_total == full { magnitude - allocated } else { 0 };
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in remainders {
        if leftover <= 0 {
            break;
        }
        parts[i] += 1;
        leftover -= 1;
    }
    parts
        .into_iter()
        .map(|p| {
            let p = i64::try_from(p).unwrap_or(i64::MAX);
            if negative { -p } else { p }
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn percentages_accept_comma_and_point_decimals() {
        assert_eq!(Share::parse_percent("33,33").unwrap().basis_points(), 3333);
        assert_eq!(Share::parse_percent("33.3").unwrap().basis_points(), 3330);
        assert_eq!(Share::parse_percent("100 %").unwrap(), Share::WHOLE);
        assert_eq!(Share::parse_percent("101").unwrap_err().code, "error-percent-format");
        assert_eq!(Share::parse_percent("1.234").unwrap_err().code, "error-percent-format");
        assert_eq!(Share::parse_percent("-5").unwrap_err().code, "error-percent-format");
    }

    #[test]
    fn a_split_that_does_not_sum_to_100_names_its_field() {
        let err = parse_split("sectors", &["60", "30"]).unwrap_err();
        assert_eq!(err.0[0].field, "sectors");
        assert_eq!(err.0[0].code, "error-split-not-whole");
        assert!(err.0[0].message.contains("90,00 %"), "{}", err.0[0].message);
    }

    #[test]
    fn a_bad_entry_in_a_split_is_named_by_position() {
        let err = parse_split("locations", &["50", "abc"]).unwrap_err();
        assert_eq!(err.0[0].field, "locations[1].percent");
    }

    #[test]
    fn allocation_of_100_over_three_thirds_gives_34_33_33() {
        let s = [Share(3334), Share(3333), Share(3333)];
        assert_eq!(allocate(100, &s), vec![34, 33, 33]);
    }

    proptest! {
        #[test]
        fn allocated_parts_always_add_up_to_the_total(total in -1_000_000_000_000i64..1_000_000_000_000i64,
                                                       cuts in proptest::collection::vec(0u32..=FULL, 0..6)) {
            // Build a whole split from arbitrary cut points.
            let mut points = cuts.clone();
            points.push(0);
            points.push(FULL);
            points.sort_unstable();
            let shares: Vec<Share> = points.windows(2).map(|w| Share(w[1] - w[0])).collect();
            let parts = allocate(total, &shares);
            prop_assert_eq!(parts.iter().sum::<i64>(), total);
            for (part, share) in parts.iter().zip(&shares) {
                let exact = i128::from(total) * i128::from(share.0) / i128::from(FULL);
                prop_assert!((i128::from(*part) - exact).abs() <= 1);
            }
        }
    }
}
