//! The records of people-to-people diplomacy (đối ngoại nhân dân) as officers enter them: friendship
//! associations with their members and member counts, twinning pairs with their activities, delegations in and
//! out with their members, scholarships, support given abroad, and trainings and other events with their
//! participants.
//!
//! Each kind of record is described once, as a list of typed fields ([`PeopleKind::fields`]) and the lists it
//! owns ([`PeopleKind::parts`]); the same description parses a form, names the columns the store writes and lays
//! out the page. This module parses and checks; it must not store, authorise or word anything for a reader.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::admin_units::{AdminUnits, ProvinceCode};
use crate::country::CountryCode;
use crate::date::parse_date;
use crate::error::{ValidationError, ValidationErrors};

/// What a field holds, which decides how it is parsed, stored and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// One line of text.
    Text,
    /// Several lines of text.
    LongText,
    /// A calendar date (`2021-06-30` or `30/06/2021`).
    Date,
    /// A whole number of people or things, zero or more (`1.200` accepted).
    Count,
    /// An amount in đồng, zero or more (`1.441.700` accepted).
    AmountVnd,
    /// A year, 1945 to 2100.
    Year,
    /// A country, ISO 3166-1 alpha-2.
    Country,
    /// A province of today's map, by code or name.
    Province,
    /// One of a fixed list of codes; `labels` is the prefix of their translated names.
    Choice {
        /// The codes allowed.
        values: &'static [&'static str],
        /// Message prefix of their names (`people-level` → `people-level-village`).
        labels: &'static str,
    },
}

/// One field of a record: its column name (also the form field's name), what it holds and whether it is needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// Column and form field name.
    pub name: &'static str,
    /// What it holds.
    pub ty: FieldType,
    /// Whether a record cannot stand without it.
    pub required: bool,
}

const fn field(name: &'static str, ty: FieldType, required: bool) -> Field {
    Field { name, ty, required }
}

/// A list a record owns (an association's members, a twinning pair's activities): its rows are added one at a
/// time and kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    /// Its name in addresses and messages (`members`).
    pub name: &'static str,
    /// The table its rows live in.
    pub table: &'static str,
    /// The column naming the record that owns a row.
    pub parent_column: &'static str,
    /// Its fields.
    pub fields: &'static [Field],
    /// The order its rows are listed in (column names).
    pub order_by: &'static str,
    /// The column that tells its rows apart within one record (`id`; a member count: its day).
    pub key: &'static str,
}

const PROVINCE: Field = field("province_code", FieldType::Province, true);
const LEVEL_LOCAL: FieldType = FieldType::Choice { values: &["village", "commune"], labels: "people-level" };
const LEVEL_PARTNER: FieldType =
    FieldType::Choice { values: &["village", "township", "commune"], labels: "people-level" };
const MEMBER_KIND: FieldType = FieldType::Choice { values: &["person", "organisation"], labels: "people-member-kind" };

const ASSOCIATION_FIELDS: &[Field] = &[
    field("province_code", FieldType::Province, false),
    field("name", FieldType::Text, true),
    field("partner_country", FieldType::Country, true),
    field("founded_on", FieldType::Date, false),
    field("term", FieldType::Text, false),
    field("leaders", FieldType::LongText, false),
];
const ASSOCIATION_PARTS: &[Part] = &[
    Part {
        name: "members",
        table: "association_membership",
        parent_column: "association_id",
        fields: &[
            field("member_kind", MEMBER_KIND, true),
            field("name", FieldType::Text, true),
            field("role", FieldType::Text, false),
            field("joined_on", FieldType::Date, false),
            field("left_on", FieldType::Date, false),
        ],
        order_by: "member_kind, name",
        key: "id",
    },
    Part {
        name: "counts",
        table: "association_members",
        parent_column: "association_id",
        fields: &[field("as_of", FieldType::Date, true), field("members", FieldType::Count, true)],
        order_by: "as_of",
        key: "as_of",
    },
];

const TWINNING_FIELDS: &[Field] = &[
    PROVINCE,
    field("local_name", FieldType::Text, true),
    field("local_level", LEVEL_LOCAL, true),
    field("partner_country", FieldType::Country, true),
    field("partner_name", FieldType::Text, true),
    field("partner_level", LEVEL_PARTNER, true),
    field("signed_on", FieldType::Date, true),
    field("agreed_points", FieldType::LongText, false),
];
const TWINNING_PARTS: &[Part] = &[Part {
    name: "activities",
    table: "twinning_activity",
    parent_column: "twinning_id",
    fields: &[
        field("held_on", FieldType::Date, true),
        field("title", FieldType::Text, true),
        field("description", FieldType::LongText, false),
    ],
    order_by: "held_on, id",
    key: "id",
}];

const DELEGATION_FIELDS: &[Field] = &[
    PROVINCE,
    field("direction", FieldType::Choice { values: &["in", "out"], labels: "people-direction" }, true),
    field("country", FieldType::Country, true),
    field("purpose", FieldType::Text, true),
    field("starts_on", FieldType::Date, true),
    field("ends_on", FieldType::Date, true),
    field("members", FieldType::Count, true),
    field("leader", FieldType::Text, false),
    field("outcomes", FieldType::LongText, false),
    field("report_on", FieldType::Date, false),
];
const DELEGATION_PARTS: &[Part] = &[Part {
    name: "members",
    table: "delegation_member",
    parent_column: "delegation_id",
    fields: &[
        field("name", FieldType::Text, true),
        field("role", FieldType::Text, false),
        field("organisation", FieldType::Text, false),
    ],
    order_by: "id",
    key: "id",
}];

const SCHOLARSHIP_FIELDS: &[Field] = &[
    PROVINCE,
    field("partner_country", FieldType::Country, true),
    field("origin", FieldType::Text, true),
    field("year", FieldType::Year, true),
    field("students", FieldType::Count, true),
    field("amount_vnd", FieldType::AmountVnd, true),
];

const SUPPORT_FIELDS: &[Field] = &[
    PROVINCE,
    field("partner_country", FieldType::Country, true),
    field("recipient", FieldType::Text, true),
    field("purpose", FieldType::Text, true),
    field("given_on", FieldType::Date, true),
    field("amount_vnd", FieldType::AmountVnd, true),
];

/// The kinds of event a friendship union holds besides aid-promotion conferences.
pub const EVENT_KINDS: &[&str] = &["training", "exchange", "culture", "conference", "other"];

const EVENT_FIELDS: &[Field] = &[
    PROVINCE,
    field("kind", FieldType::Choice { values: EVENT_KINDS, labels: "people-event-kind" }, true),
    field("title", FieldType::Text, true),
    field("starts_on", FieldType::Date, true),
    field("ends_on", FieldType::Date, false),
    field("place", FieldType::Text, false),
    field("partner_country", FieldType::Country, false),
    field("organisers", FieldType::Text, false),
    field("outcomes", FieldType::LongText, false),
];
const EVENT_PARTS: &[Part] = &[Part {
    name: "participants",
    table: "people_event_participant",
    parent_column: "event_id",
    fields: &[
        field("participant_kind", MEMBER_KIND, true),
        field("name", FieldType::Text, true),
        field("country", FieldType::Country, false),
        field("role", FieldType::Text, false),
    ],
    order_by: "participant_kind, name",
    key: "id",
}];

/// A kind of people-to-people record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeopleKind {
    /// A friendship association (hội hữu nghị).
    Association,
    /// A twinning pair of border villages or communes (kết nghĩa).
    Twinning,
    /// A delegation in or out (đoàn vào, đoàn ra).
    Delegation,
    /// A year's scholarships for students from one place abroad (học bổng).
    Scholarship,
    /// Support given abroad from the province's budget.
    Support,
    /// A training or other event, with its participants (tập huấn, giao lưu).
    Event,
}

impl PeopleKind {
    /// Every kind, in the order pages list them.
    pub const ALL: [PeopleKind; 6] = [
        PeopleKind::Association,
        PeopleKind::Twinning,
        PeopleKind::Delegation,
        PeopleKind::Scholarship,
        PeopleKind::Support,
        PeopleKind::Event,
    ];

    /// Parses its name in addresses (`associations`, `twinnings`, …).
    pub fn parse(text: &str) -> Result<PeopleKind, ValidationError> {
        PeopleKind::ALL.into_iter().find(|k| k.as_str() == text).ok_or_else(|| {
            ValidationError::new(
                "kind",
                "error-unknown-table",
                format!("'{text}' is not a kind of record: associations, twinnings, delegations, scholarships, support or events"),
            )
        })
    }

    /// Its name in addresses.
    pub fn as_str(self) -> &'static str {
        match self {
            PeopleKind::Association => "associations",
            PeopleKind::Twinning => "twinnings",
            PeopleKind::Delegation => "delegations",
            PeopleKind::Scholarship => "scholarships",
            PeopleKind::Support => "support",
            PeopleKind::Event => "events",
        }
    }

    /// The table its records live in (also the audit log's entity name).
    pub fn table(self) -> &'static str {
        match self {
            PeopleKind::Association => "friendship_association",
            PeopleKind::Twinning => "twinning_pair",
            PeopleKind::Delegation => "delegation",
            PeopleKind::Scholarship => "scholarship_grant",
            PeopleKind::Support => "outbound_support",
            PeopleKind::Event => "people_event",
        }
    }

    /// Its fields, in the order a form shows them.
    pub fn fields(self) -> &'static [Field] {
        match self {
            PeopleKind::Association => ASSOCIATION_FIELDS,
            PeopleKind::Twinning => TWINNING_FIELDS,
            PeopleKind::Delegation => DELEGATION_FIELDS,
            PeopleKind::Scholarship => SCHOLARSHIP_FIELDS,
            PeopleKind::Support => SUPPORT_FIELDS,
            PeopleKind::Event => EVENT_FIELDS,
        }
    }

    /// The lists its records own.
    pub fn parts(self) -> &'static [Part] {
        match self {
            PeopleKind::Association => ASSOCIATION_PARTS,
            PeopleKind::Twinning => TWINNING_PARTS,
            PeopleKind::Delegation => DELEGATION_PARTS,
            PeopleKind::Event => EVENT_PARTS,
            PeopleKind::Scholarship | PeopleKind::Support => &[],
        }
    }

    /// One of its parts by name.
    pub fn part(self, name: &str) -> Result<&'static Part, ValidationError> {
        self.parts().iter().find(|p| p.name == name).ok_or_else(|| {
            ValidationError::new(
                "part",
                "error-unknown-table",
                format!("a {} record has no list '{name}'", self.as_str()),
            )
        })
    }
}

/// A field's value once parsed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum FieldValue {
    /// Text, a code or a name.
    Text(String),
    /// A whole number.
    Int(i64),
    /// A date.
    Date(NaiveDate),
    /// Left empty.
    Empty,
}

impl FieldValue {
    /// The value as a form field holds it: dates as `YYYY-MM-DD`, numbers without separators.
    pub fn form_text(&self) -> String {
        match self {
            FieldValue::Text(t) => t.clone(),
            FieldValue::Int(n) => n.to_string(),
            FieldValue::Date(d) => d.format("%Y-%m-%d").to_string(),
            FieldValue::Empty => String::new(),
        }
    }

    /// The date, if it is one.
    pub fn date(&self) -> Option<NaiveDate> {
        match self {
            FieldValue::Date(d) => Some(*d),
            _ => None,
        }
    }
}

/// A whole number as officers write it: `1200`, `1.200` or `1 200` (groups of three after the first).
fn parse_whole(name: &str, text: &str) -> Result<i64, ValidationError> {
    let bad = || ValidationError::new(name, "error-number-format", format!("'{text}' is not a whole number"));
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let groups: Vec<&str> = compact.split('.').collect();
    let grouped_well = groups.len() == 1 || groups.iter().skip(1).all(|g| g.len() == 3);
    let digits: String = groups.concat();
    if !grouped_well || digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    digits
        .parse::<i64>()
        .map_err(|_| ValidationError::new(name, "error-amount-overflow", format!("'{text}' is too large")))
}

/// Parses one field from its form text.
pub fn parse_field(f: &Field, text: &str) -> Result<FieldValue, ValidationError> {
    let t = text.trim();
    if t.is_empty() {
        return if f.required {
            Err(ValidationError::new(f.name, "error-required", format!("{} is needed", f.name)))
        } else {
            Ok(FieldValue::Empty)
        };
    }
    Ok(match f.ty {
        FieldType::Text => {
            if t.contains(['\n', '\r']) {
                return Err(ValidationError::new(f.name, "error-one-line", format!("{} is one line", f.name)));
            }
            FieldValue::Text(t.to_owned())
        }
        FieldType::LongText => FieldValue::Text(t.replace("\r\n", "\n")),
        FieldType::Date => FieldValue::Date(parse_date(f.name, t)?),
        FieldType::Count | FieldType::AmountVnd => FieldValue::Int(parse_whole(f.name, t)?),
        FieldType::Year => {
            let year = parse_whole(f.name, t)?;
            if !(1945..=2100).contains(&year) {
                return Err(ValidationError::new(
                    f.name,
                    "error-year",
                    format!("{year} is not a year from 1945 to 2100"),
                ));
            }
            FieldValue::Int(year)
        }
        FieldType::Country => FieldValue::Text(CountryCode::parse(t).map_err(|e| e.under(f.name))?.as_str().to_owned()),
        FieldType::Province => FieldValue::Text(
            AdminUnits::embedded()
                .parse_province(t)
                .map_err(|e| ValidationError::new(f.name, e.code, e.message))?
                .as_str()
                .to_owned(),
        ),
        FieldType::Choice { values, .. } => match values.iter().find(|v| **v == t) {
            Some(v) => FieldValue::Text((*v).to_owned()),
            None => {
                return Err(ValidationError::new(
                    f.name,
                    "error-choice",
                    format!("'{t}' is not one of {}", values.join(", ")),
                ));
            }
        },
    })
}

/// Reads a field back from the text the store keeps (`YYYY-MM-DD` dates, plain numbers).
pub fn stored_field(f: &Field, text: Option<&str>) -> FieldValue {
    let Some(t) = text.filter(|t| !t.is_empty()) else { return FieldValue::Empty };
    match f.ty {
        FieldType::Date => NaiveDate::parse_from_str(&t[..t.len().min(10)], "%Y-%m-%d")
            .map_or(FieldValue::Text(t.to_owned()), FieldValue::Date),
        FieldType::Count | FieldType::AmountVnd | FieldType::Year => {
            t.parse::<i64>().map_or(FieldValue::Text(t.to_owned()), FieldValue::Int)
        }
        _ => FieldValue::Text(t.to_owned()),
    }
}

/// Parses every field of `fields` from a form, collecting every error.
pub fn parse_fields(
    fields: &'static [Field],
    form: &BTreeMap<String, String>,
) -> Result<Vec<(&'static Field, FieldValue)>, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let mut values = Vec::with_capacity(fields.len());
    for f in fields {
        match parse_field(f, form.get(f.name).map_or("", String::as_str)) {
            Ok(v) => values.push((f, v)),
            Err(e) => errors.push(e),
        }
    }
    errors.into_result(values)
}

/// A record of one kind, parsed and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct PeopleRecord {
    /// Its kind.
    pub kind: PeopleKind,
    /// Every field of the kind, in order.
    pub values: Vec<(&'static Field, FieldValue)>,
}

impl PeopleRecord {
    /// Parses a form of `kind`: each field by its type, then the rules between fields (a delegation or event
    /// ends after it starts; a trip report comes after the return; members leave after they join).
    pub fn parse(kind: PeopleKind, form: &BTreeMap<String, String>) -> Result<PeopleRecord, ValidationErrors> {
        let values = parse_fields(kind.fields(), form)?;
        let record = PeopleRecord { kind, values };
        let mut errors = ValidationErrors::new();
        let order = |first: &str, then: &str, code: &'static str, message: &str, errors: &mut ValidationErrors| {
            if let (Some(a), Some(b)) = (record.date(first), record.date(then))
                && b < a
            {
                errors.push(ValidationError::new(then, code, message));
            }
        };
        order("starts_on", "ends_on", "error-date-order", "it ends before it starts", &mut errors);
        order("ends_on", "report_on", "error-date-order", "a trip report comes after the return", &mut errors);
        errors.into_result(record)
    }

    /// The value of a field by name.
    pub fn get(&self, name: &str) -> Option<&FieldValue> {
        self.values.iter().find(|(f, _)| f.name == name).map(|(_, v)| v)
    }

    /// The date in a field, if it holds one.
    pub fn date(&self, name: &str) -> Option<NaiveDate> {
        self.get(name).and_then(FieldValue::date)
    }

    /// The province the record belongs to (none: a national association).
    pub fn province(&self) -> Option<ProvinceCode> {
        match self.get("province_code") {
            Some(FieldValue::Text(code)) => ProvinceCode::parse(code).ok(),
            _ => None,
        }
    }

    /// The fields by name, for the audit log.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Object(
            self.values.iter().map(|(f, v)| (f.name.to_owned(), serde_json::to_value(v).unwrap_or_default())).collect(),
        )
    }
}

/// A row of a part, parsed and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct PartRow {
    /// The part.
    pub part: &'static Part,
    /// Every field of the part, in order.
    pub values: Vec<(&'static Field, FieldValue)>,
}

impl PartRow {
    /// Parses a form of `part` (a member who leaves before joining is refused).
    pub fn parse(part: &'static Part, form: &BTreeMap<String, String>) -> Result<PartRow, ValidationErrors> {
        let values = parse_fields(part.fields, form)?;
        let date = |name: &str| values.iter().find(|(f, _)| f.name == name).and_then(|(_, v)| v.date());
        if let (Some(joined), Some(left)) = (date("joined_on"), date("left_on"))
            && left < joined
        {
            return Err(ValidationError::new("left_on", "error-date-order", "a member leaves after joining").into());
        }
        Ok(PartRow { part, values })
    }

    /// The fields by name, for the audit log.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Object(
            self.values.iter().map(|(f, v)| (f.name.to_owned(), serde_json::to_value(v).unwrap_or_default())).collect(),
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn a_delegation_form_parses_names_codes_dates_and_counts() {
        let r = PeopleRecord::parse(
            PeopleKind::Delegation,
            &form(&[
                ("province_code", "Quảng Ninh"),
                ("direction", "out"),
                ("country", "cn"),
                ("purpose", "Giao lưu hữu nghị"),
                ("starts_on", "01/11/2026"),
                ("ends_on", "2026-11-05"),
                ("members", "1.200"),
            ]),
        )
        .unwrap();
        assert_eq!(r.province().unwrap().as_str(), "22");
        assert_eq!(r.get("country"), Some(&FieldValue::Text("CN".into())));
        assert_eq!(r.get("members"), Some(&FieldValue::Int(1200)));
        assert_eq!(r.date("starts_on"), NaiveDate::from_ymd_opt(2026, 11, 1));
        assert_eq!(r.get("leader"), Some(&FieldValue::Empty));
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let e = PeopleRecord::parse(
            PeopleKind::Delegation,
            &form(&[
                ("province_code", "Atlantis"),
                ("direction", "sideways"),
                ("members", "12,5"),
                ("starts_on", "hôm qua"),
            ]),
        )
        .unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|v| v.field.as_str()).collect();
        for wanted in ["province_code", "direction", "country", "purpose", "starts_on", "ends_on", "members"] {
            assert!(fields.contains(&wanted), "{wanted} missing from {fields:?}");
        }
    }

    #[test]
    fn an_event_that_ends_before_it_starts_is_refused_on_its_end() {
        let e = PeopleRecord::parse(
            PeopleKind::Event,
            &form(&[
                ("province_code", "04"),
                ("kind", "training"),
                ("title", "Tập huấn"),
                ("starts_on", "2026-05-02"),
                ("ends_on", "2026-05-01"),
            ]),
        )
        .unwrap_err();
        assert_eq!(e.0[0].field, "ends_on");
    }

    #[test]
    fn a_national_association_has_no_province() {
        let r = PeopleRecord::parse(
            PeopleKind::Association,
            &form(&[("name", "Hội hữu nghị Việt – Lào"), ("partner_country", "LA")]),
        )
        .unwrap();
        assert_eq!(r.province(), None);
    }

    #[test]
    fn whole_numbers_accept_thousands_groups_only_in_threes() {
        assert_eq!(parse_whole("n", "1.441.700").unwrap(), 1_441_700);
        assert_eq!(parse_whole("n", "1 441 700").unwrap(), 1_441_700);
        assert!(parse_whole("n", "1.44").is_err());
        assert!(parse_whole("n", "-3").is_err());
        assert!(parse_whole("n", "99999999999999999999").is_err());
    }

    #[test]
    fn a_member_who_leaves_before_joining_is_refused() {
        let part = PeopleKind::Association.part("members").unwrap();
        let e = PartRow::parse(
            part,
            &form(&[
                ("member_kind", "person"),
                ("name", "Nguyễn Văn A"),
                ("joined_on", "2020-01-01"),
                ("left_on", "2019-01-01"),
            ]),
        )
        .unwrap_err();
        assert_eq!(e.0[0].field, "left_on");
    }

    #[test]
    fn stored_text_reads_back_as_the_value_it_was() {
        let f = field("on", FieldType::Date, true);
        assert_eq!(
            stored_field(&f, Some("2021-06-30")),
            FieldValue::Date(NaiveDate::from_ymd_opt(2021, 6, 30).unwrap())
        );
        assert_eq!(stored_field(&f, None), FieldValue::Empty);
        let n = field("n", FieldType::Count, true);
        assert_eq!(stored_field(&n, Some("12")), FieldValue::Int(12));
    }
}
