//! The report vocabulary: measures, dimensions, filters and periods, parsed from what a user types
//! (`--measures committed_usd --by year --where province=04 --from 2016 --to 2021`), and the table a report
//! produces. Definitions are in docs/adr/0003-report-definitions.md.
//!
//! This module only names and parses; the store computes, and the faces render. It must not compute a
//! figure.

use chrono::NaiveDate;

use crate::date::parse_date;
use crate::error::{ValidationError, ValidationErrors};

/// What a report counts or sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Distinct aid items with an actual flow in the period (or active on the date).
    Items,
    /// Distinct donors of those items.
    Organisations,
    /// Actual commitments in USD.
    CommittedUsd,
    /// Actual commitments in VND.
    CommittedVnd,
    /// Actual disbursements in USD.
    DisbursedUsd,
    /// Actual disbursements in VND.
    DisbursedVnd,
    /// Commitments in the recorded currency, when the group has one currency.
    CommittedOriginal,
    /// Disbursements in the recorded currency, when the group has one currency.
    DisbursedOriginal,
    /// disbursed_usd / committed_usd, in %.
    DisbursementRate,
    /// Distinct items approved in the period.
    ItemsApproved,
    /// Distinct organisations registered to operate in a province in a year.
    RegisteredOrganisations,
    /// Distinct foreign NGOs holding a valid certificate.
    CertifiedNgos,
}

/// Which fact a measure is computed from; one query uses one family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MeasureFamily {
    /// Flow shares (and items/organisations through them).
    Flows,
    /// Item approvals.
    Approvals,
    /// Province registrations.
    Registrations,
    /// Certificates.
    Certificates,
}

impl Measure {
    /// Every measure.
    pub const ALL: [Measure; 12] = [
        Self::Items,
        Self::Organisations,
        Self::CommittedUsd,
        Self::CommittedVnd,
        Self::DisbursedUsd,
        Self::DisbursedVnd,
        Self::CommittedOriginal,
        Self::DisbursedOriginal,
        Self::DisbursementRate,
        Self::ItemsApproved,
        Self::RegisteredOrganisations,
        Self::CertifiedNgos,
    ];

    /// The name used in queries and as the JSON key.
    pub fn name(self) -> &'static str {
        match self {
            Self::Items => "items",
            Self::Organisations => "organisations",
            Self::CommittedUsd => "committed_usd",
            Self::CommittedVnd => "committed_vnd",
            Self::DisbursedUsd => "disbursed_usd",
            Self::DisbursedVnd => "disbursed_vnd",
            Self::CommittedOriginal => "committed_original",
            Self::DisbursedOriginal => "disbursed_original",
            Self::DisbursementRate => "disbursement_rate",
            Self::ItemsApproved => "items_approved",
            Self::RegisteredOrganisations => "registered_organisations",
            Self::CertifiedNgos => "certified_ngos",
        }
    }

    /// Parses a measure name.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let t = s.trim();
        Self::ALL.into_iter().find(|m| m.name() == t).ok_or_else(|| {
            ValidationError::new(
                "measures",
                "error-measure-unknown",
                format!("'{t}' is not a measure; use one of {}", Self::ALL.map(Self::name).join(", ")),
            )
        })
    }

    /// The fact this measure is computed from.
    pub fn family(self) -> MeasureFamily {
        match self {
            Self::ItemsApproved => MeasureFamily::Approvals,
            Self::RegisteredOrganisations => MeasureFamily::Registrations,
            Self::CertifiedNgos => MeasureFamily::Certificates,
            _ => MeasureFamily::Flows,
        }
    }

    /// Column heading in Vietnamese.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Items => "Số chương trình, dự án, phi dự án",
            Self::Organisations => "Số nhà tài trợ",
            Self::CommittedUsd => "Giá trị cam kết (USD)",
            Self::CommittedVnd => "Giá trị cam kết (VND)",
            Self::DisbursedUsd => "Giá trị giải ngân (USD)",
            Self::DisbursedVnd => "Giá trị giải ngân (VND)",
            Self::CommittedOriginal => "Giá trị cam kết (nguyên tệ)",
            Self::DisbursedOriginal => "Giá trị giải ngân (nguyên tệ)",
            Self::DisbursementRate => "Tỷ lệ giải ngân (%)",
            Self::ItemsApproved => "Số khoản viện trợ được phê duyệt",
            Self::RegisteredOrganisations => "Số tổ chức đăng ký hoạt động",
            Self::CertifiedNgos => "Số tổ chức PCPNN có giấy đăng ký",
        }
    }

    /// Column heading in English.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Items => "Programmes, projects and non-project items",
            Self::Organisations => "Donors",
            Self::CommittedUsd => "Committed (USD)",
            Self::CommittedVnd => "Committed (VND)",
            Self::DisbursedUsd => "Disbursed (USD)",
            Self::DisbursedVnd => "Disbursed (VND)",
            Self::CommittedOriginal => "Committed (recorded currency)",
            Self::DisbursedOriginal => "Disbursed (recorded currency)",
            Self::DisbursementRate => "Disbursement rate (%)",
            Self::ItemsApproved => "Items approved",
            Self::RegisteredOrganisations => "Organisations registered",
            Self::CertifiedNgos => "Foreign NGOs with a certificate",
        }
    }
}

/// What a report groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Calendar year.
    Year,
    /// Half year, `2016-H1`.
    HalfYear,
    /// Today's province (34).
    Province,
    /// The province the record used (63 before 1 July 2025).
    ProvinceAsRecorded,
    /// Socio-economic region of today's province.
    Region,
    /// Today's commune.
    Commune,
    /// The commune the record used.
    CommuneAsRecorded,
    /// Sector (DAC 5-digit or national).
    Sector,
    /// Sector category (DAC 3-digit or national).
    SectorCategory,
    /// Donor organisation.
    Donor,
    /// Donor kind.
    DonorKind,
    /// Donor's home country.
    DonorCountry,
    /// Item kind (supplementary projects apart).
    Kind,
    /// Approval level.
    ApprovalLevel,
    /// Today's status.
    Status,
}

impl Dimension {
    /// Every dimension.
    pub const ALL: [Dimension; 15] = [
        Self::Year,
        Self::HalfYear,
        Self::Province,
        Self::ProvinceAsRecorded,
        Self::Region,
        Self::Commune,
        Self::CommuneAsRecorded,
        Self::Sector,
        Self::SectorCategory,
        Self::Donor,
        Self::DonorKind,
        Self::DonorCountry,
        Self::Kind,
        Self::ApprovalLevel,
        Self::Status,
    ];

    /// The name used in queries and as the JSON key.
    pub fn name(self) -> &'static str {
        match self {
            Self::Year => "year",
            Self::HalfYear => "half_year",
            Self::Province => "province",
            Self::ProvinceAsRecorded => "province_as_recorded",
            Self::Region => "region",
            Self::Commune => "commune",
            Self::CommuneAsRecorded => "commune_as_recorded",
            Self::Sector => "sector",
            Self::SectorCategory => "sector_category",
            Self::Donor => "donor",
            Self::DonorKind => "donor_kind",
            Self::DonorCountry => "donor_country",
            Self::Kind => "kind",
            Self::ApprovalLevel => "approval_level",
            Self::Status => "status",
        }
    }

    /// Parses a dimension name.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let t = s.trim();
        Self::ALL.into_iter().find(|d| d.name() == t).ok_or_else(|| {
            ValidationError::new(
                "by",
                "error-dimension-unknown",
                format!("'{t}' is not a dimension; use one of {}", Self::ALL.map(Self::name).join(", ")),
            )
        })
    }

    /// Column heading in Vietnamese.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Year => "Năm",
            Self::HalfYear => "Kỳ (6 tháng)",
            Self::Province => "Tỉnh, thành phố",
            Self::ProvinceAsRecorded => "Tỉnh, thành phố (theo hồ sơ)",
            Self::Region => "Vùng kinh tế - xã hội",
            Self::Commune => "Xã, phường",
            Self::CommuneAsRecorded => "Xã, phường (theo hồ sơ)",
            Self::Sector => "Lĩnh vực",
            Self::SectorCategory => "Nhóm lĩnh vực",
            Self::Donor => "Nhà tài trợ",
            Self::DonorKind => "Loại nhà tài trợ",
            Self::DonorCountry => "Quốc gia",
            Self::Kind => "Hình thức",
            Self::ApprovalLevel => "Cấp phê duyệt",
            Self::Status => "Tình trạng",
        }
    }

    /// Column heading in English.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Year => "Year",
            Self::HalfYear => "Half year",
            Self::Province => "Province",
            Self::ProvinceAsRecorded => "Province (as recorded)",
            Self::Region => "Region",
            Self::Commune => "Commune",
            Self::CommuneAsRecorded => "Commune (as recorded)",
            Self::Sector => "Sector",
            Self::SectorCategory => "Sector category",
            Self::Donor => "Donor",
            Self::DonorKind => "Donor kind",
            Self::DonorCountry => "Country",
            Self::Kind => "Kind",
            Self::ApprovalLevel => "Approval level",
            Self::Status => "Status",
        }
    }
}

/// One `--where D=V1|V2` filter.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Filter {
    /// The dimension filtered.
    pub dimension: Dimension,
    /// Accepted values, as typed (the store resolves names such as province names to codes).
    pub values: Vec<String>,
}

impl Filter {
    /// Parses `dimension=value` or `dimension=v1|v2`.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let Some((d, v)) = s.split_once('=') else {
            return Err(ValidationError::new("where", "error-filter-format", format!("'{s}' is not DIMENSION=VALUE")));
        };
        let dimension = Dimension::parse(d).map_err(|e| ValidationError { field: "where".into(), ..e })?;
        let values: Vec<String> = v.split('|').map(|x| x.trim().to_owned()).filter(|x| !x.is_empty()).collect();
        if values.is_empty() {
            return Err(ValidationError::new("where", "error-filter-format", format!("'{s}' gives no value")));
        }
        Ok(Self { dimension, values })
    }
}

/// The period a flow report covers, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Period {
    /// First day (none: from the beginning).
    pub from: Option<NaiveDate>,
    /// Last day (none: until now).
    pub to: Option<NaiveDate>,
}

/// Parses a period bound: a year (`2019`, the first or last day by `end`) or a date.
pub fn parse_period_bound(field: &str, text: &str, end: bool) -> Result<NaiveDate, ValidationError> {
    let t = text.trim();
    if t.len() == 4
        && let Ok(y) = t.parse::<i32>()
    {
        let d = if end { NaiveDate::from_ymd_opt(y, 12, 31) } else { NaiveDate::from_ymd_opt(y, 1, 1) };
        return d.ok_or_else(|| ValidationError::new(field, "error-date-format", format!("'{t}' is not a year")));
    }
    parse_date(field, t)
}

/// A whole report request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReportQuery {
    /// Measures, in the order asked.
    pub measures: Vec<Measure>,
    /// Dimensions, in the order asked.
    pub by: Vec<Dimension>,
    /// Filters (all must hold).
    pub filters: Vec<Filter>,
    /// Period for flow questions.
    pub period: Period,
    /// Date for stock questions ("active on").
    pub as_of: Option<NaiveDate>,
}

/// A report request as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ReportQueryInput {
    /// Comma-separated measures.
    pub measures: String,
    /// Comma-separated dimensions (may be empty: one total row).
    #[serde(default)]
    pub by: String,
    /// `D=V` filters.
    #[serde(default)]
    pub filters: Vec<String>,
    /// Period start (year or date).
    pub from: Option<String>,
    /// Period end (year or date).
    pub to: Option<String>,
    /// Stock date.
    pub as_of: Option<String>,
}

impl ReportQueryInput {
    /// Parses and checks the whole request.
    pub fn parse(&self) -> Result<ReportQuery, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let mut measures = Vec::new();
        for m in self.measures.split(',').map(str::trim).filter(|m| !m.is_empty()) {
            if let Some(m) = errors.collect(Measure::parse(m))
                && !measures.contains(&m)
            {
                measures.push(m);
            }
        }
        if measures.is_empty() && errors.is_empty() {
            errors.push(ValidationError::new("measures", "error-required", "ask for at least one measure"));
        }
        let mut by = Vec::new();
        for d in self.by.split(',').map(str::trim).filter(|d| !d.is_empty()) {
            if let Some(d) = errors.collect(Dimension::parse(d))
                && !by.contains(&d)
            {
                by.push(d);
            }
        }
        let filters: Vec<Filter> = self.filters.iter().filter_map(|f| errors.collect(Filter::parse(f))).collect();
        let from = self.from.as_deref().and_then(|t| errors.collect(parse_period_bound("from", t, false)));
        let to = self.to.as_deref().and_then(|t| errors.collect(parse_period_bound("to", t, true)));
        let as_of = self.as_of.as_deref().and_then(|t| errors.collect(parse_date("as_of", t)));
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            errors.push(ValidationError::new("to", "error-date-order", "the period ends before it starts"));
        }
        let families: Vec<MeasureFamily> = measures.iter().map(|m: &Measure| m.family()).collect();
        if families.windows(2).any(|w| w[0] != w[1]) {
            errors.push(ValidationError::new(
                "measures",
                "error-measure-mix",
                "these measures come from different records (flows, approvals, registrations, certificates); ask for them in separate reports",
            ));
        }
        if as_of.is_some() {
            if from.is_some() || to.is_some() {
                errors.push(ValidationError::new(
                    "as_of",
                    "error-period-and-date",
                    "--as-of asks what is active on a day; it cannot be combined with --from/--to",
                ));
            }
            if by.iter().any(|d| matches!(d, Dimension::Year | Dimension::HalfYear)) {
                errors.push(ValidationError::new(
                    "by",
                    "error-dimension-with-as-of",
                    "year and half_year have no meaning for what is active on one day",
                ));
            }
        }
        errors.into_result(ReportQuery { measures, by, filters, period: Period { from, to }, as_of })
    }
}

/// One value in a report cell.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum Cell {
    /// No value (e.g. a rate with nothing committed, an unknown province).
    Empty,
    /// A count.
    Count(i64),
    /// Money in minor units of a currency.
    Money {
        /// Minor units.
        minor: i64,
        /// ISO 4217 code.
        currency: String,
    },
    /// A percentage in hundredths of a per cent (88,33 % = 8833).
    Percent(i64),
    /// Text (a dimension value).
    Text(String),
}

/// One row of a report: the dimension values (code and label) and the measures, in the order asked.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReportRow {
    /// Dimension values: (code, human label).
    pub keys: Vec<(String, String)>,
    /// Measure values.
    pub values: Vec<Cell>,
}

/// The result of a report: what was asked, its rows and the total row.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReportResult {
    /// The request.
    pub query: ReportQuery,
    /// Rows, ordered by the dimensions.
    pub rows: Vec<ReportRow>,
    /// The total over everything the filters kept (not the sum of rows for distinct counts).
    pub total: ReportRow,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_request_becomes_a_query() {
        let q = ReportQueryInput {
            measures: "committed_usd, disbursed_usd".into(),
            by: "year".into(),
            filters: vec!["province=Cao Bằng".into()],
            from: Some("2016".into()),
            to: Some("2021".into()),
            as_of: None,
        }
        .parse()
        .unwrap();
        assert_eq!(q.measures, vec![Measure::CommittedUsd, Measure::DisbursedUsd]);
        assert_eq!(q.by, vec![Dimension::Year]);
        assert_eq!(q.filters[0].values, vec!["Cao Bằng"]);
        assert_eq!(q.period.to, NaiveDate::from_ymd_opt(2021, 12, 31));
    }

    #[test]
    fn unknown_names_and_mixed_families_are_refused_by_field() {
        let e = ReportQueryInput { measures: "money".into(), by: "colour".into(), ..Default::default() }
            .parse()
            .unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["measures", "by"]);
        let e = ReportQueryInput { measures: "items,registered_organisations".into(), ..Default::default() }
            .parse()
            .unwrap_err();
        assert_eq!(e.0[0].code, "error-measure-mix");
    }

    #[test]
    fn as_of_cannot_be_grouped_by_year() {
        let e = ReportQueryInput {
            measures: "items".into(),
            by: "year".into(),
            as_of: Some("2021-12-31".into()),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        assert_eq!(e.0[0].code, "error-dimension-with-as-of");
    }
}
