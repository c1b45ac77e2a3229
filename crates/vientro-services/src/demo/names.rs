//! Invented names, home countries and sectors for the illustrative organisations and items of the demo.
//!
//! Every name made here says "(minh họa)" so that nobody mistakes it for a real organisation; the themes and
//! sectors follow the priority lists of the seed articles (FACTS C9, N4, L4, Q10, B7), mapped to the national
//! sector list (`vn:…`) or to OECD-DAC codes. Only the demo loader may use this module.

/// What an invented organisation works on: its English and Vietnamese name stems, the title stem of its aid
/// items, and two sectors (main first).
pub(super) struct Theme {
    /// English name stem.
    pub(super) en: &'static str,
    /// Vietnamese name stem.
    pub(super) vi: &'static str,
    /// Vietnamese title stem of its items.
    pub(super) title: &'static str,
    /// Main and second sector codes.
    pub(super) sectors: [&'static str; 2],
}

const THEMES: [Theme; 16] = [
    Theme {
        en: "Community Health Foundation",
        vi: "Quỹ Y tế Cộng đồng",
        title: "Nâng cao chất lượng chăm sóc sức khỏe ban đầu",
        sectors: ["vn:health", "12220"],
    },
    Theme {
        en: "Friends of Highland Children",
        vi: "Hội Bạn Trẻ em Vùng cao",
        title: "Bảo vệ và chăm sóc trẻ em vùng cao",
        sectors: ["vn:social_issues", "11220"],
    },
    Theme {
        en: "Rural Livelihoods Trust",
        vi: "Quỹ Sinh kế Nông thôn",
        title: "Phát triển sinh kế bền vững cho hộ nghèo",
        sectors: ["vn:agriculture_rural_development", "31163"],
    },
    Theme {
        en: "Clean Water Partnership",
        vi: "Tổ chức Đối tác Nước sạch",
        title: "Cấp nước sạch và vệ sinh môi trường nông thôn",
        sectors: ["14030", "vn:health"],
    },
    Theme {
        en: "Education Bridge",
        vi: "Tổ chức Nhịp cầu Giáo dục",
        title: "Xây dựng lớp học và cơ sở vật chất trường học vùng dân tộc thiểu số",
        sectors: ["vn:education_training", "11120"],
    },
    Theme {
        en: "Green Forest Alliance",
        vi: "Liên minh Rừng xanh",
        title: "Bảo vệ rừng và đa dạng sinh học",
        sectors: ["vn:environment", "31220"],
    },
    Theme {
        en: "Women's Development Network",
        vi: "Mạng lưới Phát triển Phụ nữ",
        title: "Nâng cao năng lực và bình đẳng giới cho phụ nữ dân tộc thiểu số",
        sectors: ["15170", "vn:social_issues"],
    },
    Theme {
        en: "Disability Inclusion Fund",
        vi: "Quỹ Hòa nhập Người khuyết tật",
        title: "Hỗ trợ người khuyết tật hòa nhập cộng đồng",
        sectors: ["16010", "vn:health"],
    },
    Theme {
        en: "Disaster Resilience Action",
        vi: "Tổ chức Hành động Chống chịu Thiên tai",
        title: "Phòng, chống và giảm nhẹ rủi ro thiên tai dựa vào cộng đồng",
        sectors: ["vn:disaster_emergency", "43060"],
    },
    Theme {
        en: "Vocational Skills Foundation",
        vi: "Quỹ Kỹ năng Nghề",
        title: "Đào tạo nghề và tạo việc làm cho thanh niên nông thôn",
        sectors: ["vn:vocational_training", "16020"],
    },
    Theme {
        en: "Safe Childhood Initiative",
        vi: "Sáng kiến Tuổi thơ An toàn",
        title: "Giáo dục hòa nhập và phòng chống xâm hại trẻ em",
        sectors: ["vn:education_training", "vn:social_issues"],
    },
    Theme {
        en: "HIV Care Partnership",
        vi: "Tổ chức Đối tác Chăm sóc HIV",
        title: "Chăm sóc, hỗ trợ người sống chung với HIV",
        sectors: ["13040", "vn:social_issues"],
    },
    Theme {
        en: "Infectious Disease Research Trust",
        vi: "Quỹ Nghiên cứu Bệnh truyền nhiễm",
        title: "Nghiên cứu và phòng chống bệnh truyền nhiễm",
        sectors: ["12250", "vn:health"],
    },
    Theme {
        en: "Recovery and Hope Society",
        vi: "Hội Phục hồi và Hy vọng",
        title: "Hỗ trợ cai nghiện và tái hòa nhập cộng đồng",
        sectors: ["16063", "vn:social_issues"],
    },
    Theme {
        en: "Anti-Trafficking Coalition",
        vi: "Liên minh Phòng chống Mua bán người",
        title: "Phòng, chống mua bán người và bạo lực giới",
        sectors: ["15180", "vn:social_issues"],
    },
    Theme {
        en: "Environment Care Association",
        vi: "Hiệp hội Bảo vệ Môi trường",
        title: "Quản lý chất thải và bảo vệ môi trường",
        sectors: ["vn:environment", "41010"],
    },
];

// Mostly the United States and Western Europe, as the articles say of the NGOs in the provinces (FACTS Q10).
const COUNTRIES: [&str; 20] = [
    "US", "GB", "DE", "FR", "US", "NL", "BE", "CH", "US", "SE", "DK", "NO", "US", "IE", "AU", "JP", "GB", "CA", "KR",
    "FI",
];

/// The theme of organisation number `n`.
pub(super) fn theme(n: usize) -> &'static Theme {
    &THEMES[n % THEMES.len()]
}

/// The home country of organisation number `n`.
pub(super) fn country(n: usize) -> &'static str {
    COUNTRIES[(n * 7 + n / COUNTRIES.len()) % COUNTRIES.len()]
}

/// English and Vietnamese names of invented foreign NGO number `n` (unique per `n`).
pub(super) fn ngo(n: usize) -> (String, String) {
    let t = theme(n);
    (format!("Illustrative {} {n:03} (minh họa)", t.en), format!("{} Minh Hoạ {n:03} (minh họa)", t.vi))
}

/// English and Vietnamese names of invented individual donor number `n`.
pub(super) fn individual(n: usize) -> (String, String) {
    (format!("Illustrative Private Donor {n:02} (minh họa)"), format!("Nhà tài trợ cá nhân Minh Hoạ {n:02} (minh họa)"))
}

/// English and Vietnamese names of invented embassy number `n`.
pub(super) fn embassy(n: usize) -> (String, String) {
    (format!("Illustrative Embassy {n:02} (minh họa)"), format!("Đại sứ quán Minh Hoạ {n:02} (minh họa)"))
}

/// English and Vietnamese names of invented international organisation number `n`.
pub(super) fn international(n: usize) -> (String, String) {
    (
        format!("Illustrative International Relief Organisation {n:02} (minh họa)"),
        format!("Tổ chức Cứu trợ Quốc tế Minh Hoạ {n:02} (minh họa)"),
    )
}

const NON_PROJECT_TITLES: [(&str, &str); 8] = [
    ("Trao tặng trang thiết bị y tế cho trạm y tế xã", "vn:health"),
    ("Hỗ trợ sách vở, đồ dùng học tập cho học sinh nghèo", "vn:education_training"),
    ("Trao tặng áo ấm, chăn màn cho trẻ em vùng cao", "vn:social_issues"),
    ("Hỗ trợ khắc phục hậu quả mưa lũ", "vn:disaster_emergency"),
    ("Trao tặng xe lăn, dụng cụ trợ giúp cho người khuyết tật", "vn:social_issues"),
    ("Xây dựng nhà vệ sinh và bể nước cho điểm trường", "vn:education_training"),
    ("Hỗ trợ giống cây trồng, vật nuôi cho hộ nghèo", "vn:agriculture_rural_development"),
    ("Trao tặng học bổng cho học sinh dân tộc thiểu số", "vn:education_training"),
];

/// The title and sector of non-project item number `n` (one-off goods, cash or experts).
pub(super) fn non_project(n: usize) -> (&'static str, &'static str) {
    NON_PROJECT_TITLES[n % NON_PROJECT_TITLES.len()]
}

/// An approval decision number: the provincial People's Committee's, or a central ministry's chosen by the
/// item's main sector.
pub(super) fn decision_number(n: usize, level: &str, main_sector: &str) -> String {
    if level == "province" {
        return format!("{n}/QĐ-UBND");
    }
    let ministry = match main_sector {
        "vn:health" | "12220" | "12250" | "13040" => "BYT",
        "vn:education_training" | "11120" | "11220" => "BGDĐT",
        "vn:agriculture_rural_development" | "vn:environment" | "31163" | "31220" | "14030" => "BNNPTNT",
        _ => "BLĐTBXH",
    };
    format!("{n}/QĐ-{ministry}")
}
