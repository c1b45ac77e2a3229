//! GSO/NSO unit codes as zero-padded strings: province 2 digits, district 3, commune 5.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::ValidationError;

/// Defines one code newtype: parsing (trim, digits only, left-pad with zeros), accessors, Display,
/// FromStr and serde as a plain string.
macro_rules! unit_code {
    (
        $(#[$meta:meta])*
        $name:ident, width = $width:literal, field = $field:literal, code = $code:literal,
        what = $what:literal
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// Number of digits in the code.
            pub const WIDTH: usize = $width;

            /// Parses a code: surrounding spaces are trimmed, only ASCII digits are accepted and a
            /// shorter number is left-padded with zeros (`"4"` → `"04"` for a province).
            pub fn parse(input: &str) -> Result<Self, ValidationError> {
                let digits = input.trim();
                if digits.is_empty()
                    || digits.len() > $width
                    || !digits.bytes().all(|b| b.is_ascii_digit())
                {
                    return Err(ValidationError::new(
                        $field,
                        $code,
                        format!(
                            "{} code must be 1 to {} digits, got {:?}",
                            $what, $width, input
                        ),
                    ));
                }
                Ok(Self(format!("{digits:0>width$}", width = $width)))
            }

            /// The zero-padded code, e.g. `"06"`.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = ValidationError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(deserializer)?;
                Self::parse(&raw).map_err(|e| serde::de::Error::custom(e.message))
            }
        }
    };
}

unit_code! {
    /// A province (tỉnh / thành phố trực thuộc trung ương) code: 2 digits, e.g. `06` for Bắc Kạn.
    ///
    /// The same code can name different provinces before and after the 2025 reform (old 19 Thái
    /// Nguyên and new 19 Thái Nguyên differ in extent), so pair it with a [`super::UnitSet`].
    ProvinceCode, width = 2, field = "province", code = "error-province-code-format",
    what = "a province"
}

unit_code! {
    /// A district (huyện / quận / thị xã / thành phố thuộc tỉnh) code: 3 digits, e.g. `066`.
    /// Districts exist only before the 2025 reform.
    DistrictCode, width = 3, field = "district", code = "error-district-code-format",
    what = "a district"
}

unit_code! {
    /// A commune (xã / phường / thị trấn / đặc khu) code: 5 digits, e.g. `02176`.
    CommuneCode, width = 5, field = "commune", code = "error-commune-code-format",
    what = "a commune"
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes_are_trimmed_and_zero_padded() {
        assert_eq!(ProvinceCode::parse(" 4 ").unwrap().as_str(), "04");
        assert_eq!(ProvinceCode::parse("06").unwrap().as_str(), "06");
        assert_eq!(DistrictCode::parse("66").unwrap().as_str(), "066");
        assert_eq!(CommuneCode::parse("2176").unwrap().as_str(), "02176");
        assert_eq!(CommuneCode::parse("02176").unwrap().to_string(), "02176");
    }

    #[test]
    fn malformed_codes_name_their_field_and_format_error() {
        let e = ProvinceCode::parse("123").unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("province", "error-province-code-format"));
        let e = DistrictCode::parse("6a").unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("district", "error-district-code-format"));
        let e = CommuneCode::parse("").unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("commune", "error-commune-code-format"));
        assert!(CommuneCode::parse("-2176").is_err());
        assert!(CommuneCode::parse("２１７６").is_err(), "full-width digits are not accepted");
    }

    #[test]
    fn codes_serialize_as_strings_and_deserialize_through_parse() {
        // serde_json is not a dependency of this crate; the csv crate is a serde format too.
        let code = ProvinceCode::parse("6").unwrap();
        let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
        writer.serialize(&code).unwrap();
        let written = String::from_utf8(writer.into_inner().unwrap()).unwrap();
        assert_eq!(written, "06\n");

        let read = |text: &str| -> Result<ProvinceCode, csv::Error> {
            let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
            reader.deserialize().next().unwrap()
        };
        assert_eq!(read("06\n").unwrap(), code);
        assert_eq!(read("6\n").unwrap(), code, "deserializing goes through parse and pads");
        assert!(read("x6\n").is_err());
    }

    proptest! {
        #[test]
        fn any_short_digit_string_parses_to_a_fixed_width_code(n in 0u32..100_000) {
            let code = CommuneCode::parse(&n.to_string()).unwrap();
            prop_assert_eq!(code.as_str().len(), 5);
            prop_assert_eq!(code.as_str().parse::<u32>().unwrap(), n);
        }
    }
}
