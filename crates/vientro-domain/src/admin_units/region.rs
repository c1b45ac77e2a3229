//! The six socio-economic regions (vùng kinh tế – xã hội) used by GSO statistics.

use serde::{Deserialize, Serialize};

use super::codes::ProvinceCode;

/// One of the six socio-economic regions, in the GSO order (north to south).
///
/// Serialized as its stable [`Region::code`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    /// Trung du và miền núi phía Bắc.
    NorthernMidlandsMountains,
    /// Đồng bằng sông Hồng.
    RedRiverDelta,
    /// Bắc Trung Bộ và duyên hải miền Trung.
    NorthCentralCentralCoast,
    /// Tây Nguyên.
    CentralHighlands,
    /// Đông Nam Bộ.
    Southeast,
    /// Đồng bằng sông Cửu Long.
    MekongDelta,
}

impl Region {
    /// Every region, in GSO order.
    pub const ALL: [Region; 6] = [
        Region::NorthernMidlandsMountains,
        Region::RedRiverDelta,
        Region::NorthCentralCentralCoast,
        Region::CentralHighlands,
        Region::Southeast,
        Region::MekongDelta,
    ];

    /// Stable snake_case key, e.g. `northern_midlands_mountains`; equal to the serde form.
    pub fn code(self) -> &'static str {
        match self {
            Region::NorthernMidlandsMountains => "northern_midlands_mountains",
            Region::RedRiverDelta => "red_river_delta",
            Region::NorthCentralCentralCoast => "north_central_central_coast",
            Region::CentralHighlands => "central_highlands",
            Region::Southeast => "southeast",
            Region::MekongDelta => "mekong_delta",
        }
    }

    /// The Vietnamese name, e.g. "Đồng bằng sông Hồng".
    pub fn name_vi(self) -> &'static str {
        match self {
            Region::NorthernMidlandsMountains => "Trung du và miền núi phía Bắc",
            Region::RedRiverDelta => "Đồng bằng sông Hồng",
            Region::NorthCentralCentralCoast => "Bắc Trung Bộ và duyên hải miền Trung",
            Region::CentralHighlands => "Tây Nguyên",
            Region::Southeast => "Đông Nam Bộ",
            Region::MekongDelta => "Đồng bằng sông Cửu Long",
        }
    }

    /// The English name, e.g. "Red River Delta".
    pub fn name_en(self) -> &'static str {
        match self {
            Region::NorthernMidlandsMountains => "Northern Midlands and Mountains",
            Region::RedRiverDelta => "Red River Delta",
            Region::NorthCentralCentralCoast => "North Central and Central Coast",
            Region::CentralHighlands => "Central Highlands",
            Region::Southeast => "Southeast",
            Region::MekongDelta => "Mekong River Delta",
        }
    }

    /// The region with this [`Region::code`], if any.
    pub fn from_code(code: &str) -> Option<Region> {
        Region::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The GSO region of a pre-2025 province, by its code; `None` for a code that was not one of
    /// the 63.
    pub fn of_old_province(code: &ProvinceCode) -> Option<Region> {
        OLD_PROVINCE_REGIONS
            .iter()
            .find(|(region_codes, _)| region_codes.contains(&code.as_str()))
            .map(|(_, region)| *region)
    }
}

/// The standard GSO grouping of the 63 pre-2025 provinces, keyed by province code (names in the
/// comments are from old_provinces_pre2025.csv).
const OLD_PROVINCE_REGIONS: [(&[&str], Region); 6] = [
    (
        // Hà Giang, Cao Bằng, Bắc Kạn, Tuyên Quang, Lào Cai, Điện Biên, Lai Châu, Sơn La, Yên Bái,
        // Hoà Bình, Thái Nguyên, Lạng Sơn, Bắc Giang, Phú Thọ
        &["02", "04", "06", "08", "10", "11", "12", "14", "15", "17", "19", "20", "24", "25"],
        Region::NorthernMidlandsMountains,
    ),
    (
        // Hà Nội, Quảng Ninh, Vĩnh Phúc, Bắc Ninh, Hải Dương, Hải Phòng, Hưng Yên, Thái Bình,
        // Hà Nam, Nam Định, Ninh Bình
        &["01", "22", "26", "27", "30", "31", "33", "34", "35", "36", "37"],
        Region::RedRiverDelta,
    ),
    (
        // Thanh Hóa, Nghệ An, Hà Tĩnh, Quảng Bình, Quảng Trị, Huế (Thừa Thiên Huế), Đà Nẵng,
        // Quảng Nam, Quảng Ngãi, Bình Định, Phú Yên, Khánh Hòa, Ninh Thuận, Bình Thuận
        &["38", "40", "42", "44", "45", "46", "48", "49", "51", "52", "54", "56", "58", "60"],
        Region::NorthCentralCentralCoast,
    ),
    (
        // Kon Tum, Gia Lai, Đắk Lắk, Đắk Nông, Lâm Đồng
        &["62", "64", "66", "67", "68"],
        Region::CentralHighlands,
    ),
    (
        // Bình Phước, Tây Ninh, Bình Dương, Đồng Nai, Bà Rịa - Vũng Tàu, Hồ Chí Minh
        &["70", "72", "74", "75", "77", "79"],
        Region::Southeast,
    ),
    (
        // Long An, Tiền Giang, Bến Tre, Trà Vinh, Vĩnh Long, Đồng Tháp, An Giang, Kiên Giang,
        // Cần Thơ, Hậu Giang, Sóc Trăng, Bạc Liêu, Cà Mau
        &["80", "82", "83", "84", "86", "87", "89", "91", "92", "93", "94", "95", "96"],
        Region::MekongDelta,
    ),
];

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn region_codes_round_trip_and_are_distinct() {
        for region in Region::ALL {
            assert_eq!(Region::from_code(region.code()), Some(region));
        }
        assert_eq!(Region::from_code("atlantis"), None);
    }

    #[test]
    fn the_gso_table_lists_sixty_three_distinct_provinces() {
        let mut codes: Vec<&str> = OLD_PROVINCE_REGIONS.iter().flat_map(|(codes, _)| codes.iter().copied()).collect();
        assert_eq!(codes.len(), 63);
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 63, "a province is listed in two regions");
    }

    #[test]
    fn bac_kan_is_in_the_northern_midlands_and_long_an_in_the_mekong_delta() {
        let region = |c: &str| Region::of_old_province(&ProvinceCode::parse(c).unwrap());
        assert_eq!(region("06"), Some(Region::NorthernMidlandsMountains));
        assert_eq!(region("80"), Some(Region::MekongDelta));
        assert_eq!(region("03"), None);
    }
}
