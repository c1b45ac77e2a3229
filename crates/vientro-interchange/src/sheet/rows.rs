//! Row parsing: each data row of a mapped sheet becomes either an aid item ready for the services layer to
//! store, or the list of everything wrong with it, each problem named by line and column.
//!
//! This module owns the sheet's conventions (Vietnamese numbers and dates, labels for kinds, statuses and
//! levels, where a flow's date comes from) and checks every row with the domain's own parsers, so that a row
//! called good is one the domain accepts. It must not look anything up in storage: donors are resolved, and
//! created when new, by the services layer.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use vientro_domain::ValidationError;
use vientro_domain::aid_item::{AidItemInput, AidStatus, ApprovalLevel, DonorInput, LocationInput, SectorInput};
use vientro_domain::country::CountryCode;
use vientro_domain::flow::{FlowInput, FlowKind};
use vientro_domain::ids::OrganisationId;
use vientro_domain::money::CurrencyCode;
use vientro_domain::organisation::OrganisationKind;
use vientro_domain::text;

use super::RawSheet;
use super::mapping::{Field, Mapping, MappingError};
use super::number::{amount_unit_in_header, excel_number, fit_to_currency, normalise_currency, parse_amount_vi};

/// The organisation id rows are checked with before their donor is known; never stored.
const PLACEHOLDER_DONOR: i64 = 1;

/// The marker that starts the note of a template's example row (compared folded: `[ví dụ]`, `[example]`).
pub const EXAMPLE_MARKERS: [&str; 2] = ["[vi du]", "[example]"];

/// Values used when a row leaves a field empty (or the sheet has no column for it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowDefaults {
    /// Aid kind (`project`, `dự án`, …).
    pub kind: Option<String>,
    /// Status; without it a row with an approval decision is `approved`, one without is `draft`.
    pub status: Option<String>,
    /// Currency of the amounts.
    pub currency: Option<String>,
    /// Kind of a donor that has to be created (the services default to foreign NGO).
    pub donor_kind: Option<String>,
    /// Province (code or name), for a sheet about one province.
    pub province: Option<String>,
    /// Approval level, for a row that has a decision number but no level.
    pub approval_level: Option<String>,
}

/// One problem of one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// The row number as the officer sees it (Excel row, CSV line).
    pub line: usize,
    /// The column header as written, or the field code when the sheet has no such column.
    pub column: String,
    /// The sheet field (`committed`, `decision_date`, …).
    pub field: &'static str,
    /// Stable code of the problem (the domain's, e.g. `error-date-format`).
    pub code: &'static str,
    /// What is wrong, in a sentence.
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}, column \"{}\": {}", self.line, self.column, self.reason)
    }
}

/// A row left out on purpose (the template's example row, a total row, a row of column numbers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedRow {
    /// The row number.
    pub line: usize,
    /// Why it was left out.
    pub reason: String,
}

/// The donor of a row as written, resolved (or created) by the services layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SheetDonor {
    /// Name.
    pub name: String,
    /// Home country as written (code or name), if given.
    pub country: Option<String>,
    /// Organisation kind code (a donor kind), if given.
    pub kind: Option<String>,
}

/// An amount of a row, as exact plain decimal text with its currency and value date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SheetAmount {
    /// Plain decimal (`1441700`, `1441700.5`), as `FlowInput::amount` takes it.
    pub amount: String,
    /// ISO currency code.
    pub currency: String,
    /// Value date as written (`15/10/2010` or `2010-10-15`).
    pub date: String,
}

impl SheetAmount {
    /// The actual flow of this amount.
    pub fn flow_input(&self, kind: FlowKind) -> FlowInput {
        FlowInput {
            kind: kind.as_str().to_owned(),
            stage: None,
            date: self.date.clone(),
            amount: self.amount.clone(),
            currency: self.currency.clone(),
            note: None,
        }
    }
}

/// A good row: the aid item as the domain takes it (without its donor), its donor, and its amounts.
#[derive(Debug, Clone)]
pub struct SheetItem {
    /// The row number.
    pub line: usize,
    /// The item; `donors` is empty until the donor is resolved (see [`SheetItem::aid_item_input`]).
    pub item: AidItemInput,
    /// The donor.
    pub donor: SheetDonor,
    /// The committed amount, recorded as an actual commitment.
    pub committed: Option<SheetAmount>,
    /// The disbursed amount, recorded as an actual disbursement.
    pub disbursed: Option<SheetAmount>,
}

impl SheetItem {
    /// The item with its one donor (100 %).
    pub fn aid_item_input(&self, donor: OrganisationId) -> AidItemInput {
        AidItemInput { donors: vec![DonorInput { organisation: donor.0, percent: None }], ..self.item.clone() }
    }
}

/// Which part of a row a domain error is about, to name the right column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowPart {
    /// The aid item.
    Item,
    /// The donor organisation.
    Donor,
    /// The committed amount's flow.
    Committed,
    /// The disbursed amount's flow.
    Disbursed,
}

/// What a sheet would import: the good rows, every problem of the bad ones, and the rows left out.
#[derive(Debug, Clone)]
pub struct Preview {
    /// The sheet's headers as written.
    pub headers: Vec<String>,
    /// The field each column fills.
    pub columns: Vec<Option<Field>>,
    /// Data rows read (blank rows not counted).
    pub rows_read: usize,
    /// Rows the domain accepts.
    pub good: Vec<SheetItem>,
    /// Every problem of every bad row, by line then column.
    pub bad: Vec<RowError>,
    /// Rows left out on purpose.
    pub skipped: Vec<SkippedRow>,
}

impl Preview {
    /// The distinct lines of the bad rows, in order.
    pub fn bad_lines(&self) -> Vec<usize> {
        let mut lines: Vec<usize> = self.bad.iter().map(|e| e.line).collect();
        lines.dedup();
        lines
    }

    /// The header of the column that fills `field`, or the field code when there is none.
    pub fn column_of(&self, field: Field) -> String {
        column_of(&self.headers, &self.columns, field)
    }

    /// A domain error about one part of a row, named by line and column.
    pub fn row_error(&self, line: usize, part: RowPart, error: &ValidationError) -> RowError {
        let field = field_for(part, &error.field);
        RowError {
            line,
            column: self.column_of(field),
            field: field.as_str(),
            code: error.code,
            reason: error.message.clone(),
        }
    }
}

fn column_of(headers: &[String], columns: &[Option<Field>], field: Field) -> String {
    columns
        .iter()
        .position(|c| *c == Some(field))
        .and_then(|i| headers.get(i))
        .cloned()
        .unwrap_or_else(|| field.as_str().to_owned())
}

/// The sheet field a domain error field belongs to.
fn field_for(part: RowPart, domain_field: &str) -> Field {
    let root = domain_field.split(['.', '[']).next().unwrap_or(domain_field);
    match part {
        RowPart::Item => match root {
            "locations" if domain_field.contains("district") => Field::District,
            "locations" if domain_field.contains("commune") => Field::Commune,
            "locations" | "unit_set" => Field::Province,
            "sectors" => Field::Sector,
            "donors" => Field::Donor,
            "code" => Field::Code,
            "title_en" => Field::TitleEn,
            "kind" | "supplements" => Field::Kind,
            "status" => Field::Status,
            "decision_number" => Field::DecisionNumber,
            "decision_date" | "legal_basis" => Field::DecisionDate,
            "approval_level" => Field::ApprovalLevel,
            "start_date" => Field::StartDate,
            "end_date" => Field::EndDate,
            "description" => Field::Note,
            _ => Field::Title,
        },
        RowPart::Donor => match root {
            "country" => Field::DonorCountry,
            "kind" => Field::DonorKind,
            _ => Field::Donor,
        },
        RowPart::Committed | RowPart::Disbursed => {
            let (amount, date) = if part == RowPart::Committed {
                (Field::Committed, Field::CommittedDate)
            } else {
                (Field::Disbursed, Field::DisbursedDate)
            };
            match root {
                "date" => date,
                "currency" => Field::Currency,
                _ => amount,
            }
        }
    }
}

/// An aid status code from its code, Vietnamese label or English words; other text unchanged.
pub fn normalise_status(s: &str) -> String {
    let key = text::fold(s).replace(['_', '-'], " ");
    AidStatus::ALL
        .into_iter()
        .find(|st| key == st.as_str().replace('_', " ") || key == text::fold(st.name_vi()))
        .map_or_else(|| s.trim().to_owned(), |st| st.as_str().to_owned())
}

/// An approval level code from its code, Vietnamese label or common names; other text unchanged.
pub fn normalise_approval_level(s: &str) -> String {
    let key = text::fold(s).replace(['_', '-'], " ");
    let level = match key.as_str() {
        "ubnd tinh" | "chu tich ubnd tinh" | "tinh" | "province" | "provincial" => Some(ApprovalLevel::Province),
        "trung uong" | "bo" | "bo nganh" | "co quan trung uong" | "central" | "central ministry" => {
            Some(ApprovalLevel::CentralMinistry)
        }
        "thu tuong" | "thu tuong chinh phu" | "ttcp" | "prime minister" | "pm" => Some(ApprovalLevel::PrimeMinister),
        _ => None,
    };
    level.map_or_else(|| s.trim().to_owned(), |l| l.as_str().to_owned())
}

/// An organisation kind code from its code, Vietnamese or English label; other text unchanged.
pub fn normalise_organisation_kind(s: &str) -> String {
    let key = text::fold(s).replace(['_', '-'], " ");
    OrganisationKind::ALL
        .into_iter()
        .find(|k| {
            key == k.as_str().replace('_', " ") || key == text::fold(k.name_vi()) || key == text::fold(k.name_en())
        })
        .map_or_else(|| s.trim().to_owned(), |k| k.as_str().to_owned())
}

/// A date cell's text with a time of day (`2010-10-15 00:00:00`) cut off.
fn date_text(s: &str) -> String {
    let t = s.trim();
    match t.split_once([' ', 'T']) {
        Some((date, _)) if date.len() == 10 && date.as_bytes().get(4) == Some(&b'-') => date.to_owned(),
        _ => t.to_owned(),
    }
}

/// Parses every data row of `sheet` with `mapping`, filling empty fields from `defaults`.
///
/// Errors only when the mapping does not fit the sheet (a required column missing, a field twice); a bad
/// row never stops the others.
pub fn parse_rows(sheet: &RawSheet, mapping: &Mapping, defaults: &RowDefaults) -> Result<Preview, MappingError> {
    let columns = mapping.apply(&sheet.headers)?;
    let index: BTreeMap<Field, usize> = columns.iter().enumerate().filter_map(|(i, f)| f.map(|f| (f, i))).collect();
    let mut preview = Preview {
        headers: sheet.headers.clone(),
        columns,
        rows_read: 0,
        good: Vec::new(),
        bad: Vec::new(),
        skipped: Vec::new(),
    };
    for row in &sheet.rows {
        if row.cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        preview.rows_read += 1;
        let cell = |f: Field| index.get(&f).map_or("", |&i| row.cell(i).trim());
        if let Some(reason) = skip_reason(&row.cells, cell(Field::Note)) {
            preview.skipped.push(SkippedRow { line: row.line, reason: reason.to_owned() });
            continue;
        }
        let number = |f: Field| index.get(&f).and_then(|&i| row.number(i));
        let mut parser = RowParser { preview: &preview, line: row.line, errors: Vec::new() };
        let item = parser.parse(&cell, &number, defaults, &index, &sheet.headers);
        let errors = parser.errors;
        match item {
            Some(item) if errors.is_empty() => preview.good.push(item),
            _ => {
                let mut errors = errors;
                let order = |e: &RowError| sheet.headers.iter().position(|h| *h == e.column).unwrap_or(usize::MAX);
                errors.sort_by_key(order);
                errors.dedup();
                preview.bad.extend(errors);
            }
        }
    }
    Ok(preview)
}

/// Why a row is left out, if it is: the template's example, a total row, a row of column numbers.
fn skip_reason(cells: &[String], note: &str) -> Option<&'static str> {
    let folded_note = text::fold(note);
    if EXAMPLE_MARKERS.iter().any(|m| folded_note.starts_with(m)) {
        return Some("the template's example row");
    }
    let filled: Vec<&str> = cells.iter().map(|c| c.trim()).filter(|c| !c.is_empty()).collect();
    let first = filled.first().map(|c| text::fold(c)).unwrap_or_default();
    if matches!(first.trim_end_matches(':'), "tong cong" | "tong" | "cong" | "tong so" | "total" | "grand total") {
        return Some("a total row");
    }
    let numbering = |c: &&str| {
        let inner = c.trim_start_matches(['(', '[']).trim_end_matches([')', ']']);
        !inner.is_empty() && inner.len() <= 2 && inner.bytes().all(|b| b.is_ascii_digit())
    };
    if filled.len() >= 3 && filled.iter().all(numbering) {
        return Some("a row of column numbers");
    }
    None
}

struct RowParser<'a> {
    preview: &'a Preview,
    line: usize,
    errors: Vec<RowError>,
}

impl RowParser<'_> {
    fn push(&mut self, field: Field, code: &'static str, reason: impl Into<String>) {
        self.errors.push(RowError {
            line: self.line,
            column: self.preview.column_of(field),
            field: field.as_str(),
            code,
            reason: reason.into(),
        });
    }

    fn push_domain(&mut self, part: RowPart, error: &ValidationError) {
        self.errors.push(self.preview.row_error(self.line, part, error));
    }

    fn parse<'c>(
        &mut self,
        cell: &dyn Fn(Field) -> &'c str,
        number: &dyn Fn(Field) -> Option<f64>,
        defaults: &RowDefaults,
        index: &BTreeMap<Field, usize>,
        headers: &[String],
    ) -> Option<SheetItem> {
        let text = |f: Field| Some(cell(f).to_owned()).filter(|t| !t.is_empty());
        let or_default = |f: Field, d: &Option<String>| {
            text(f).or_else(|| d.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned))
        };

        // The item, checked by the domain with a placeholder donor.
        let kind = or_default(Field::Kind, &defaults.kind);
        if kind.is_none() {
            self.push(
                Field::Kind,
                "error-required",
                "the kind is required: chương trình, dự án, phi dự án or cứu trợ khẩn cấp",
            );
        }
        let decision_number = text(Field::DecisionNumber);
        let decision_date = text(Field::DecisionDate).map(|d| date_text(&d));
        let has_decision = decision_number.is_some() || decision_date.is_some();
        let approval_level = text(Field::ApprovalLevel)
            .or_else(|| if has_decision { defaults.approval_level.clone() } else { None })
            .map(|l| normalise_approval_level(&l));
        let status = or_default(Field::Status, &defaults.status)
            .map(|s| normalise_status(&s))
            .or_else(|| has_decision.then(|| AidStatus::Approved.as_str().to_owned()));
        let province = or_default(Field::Province, &defaults.province);
        let (district, commune) = (text(Field::District), text(Field::Commune));
        if province.is_none() && (district.is_some() || commune.is_some()) {
            self.push(Field::Province, "error-required", "a district or commune needs its province");
        }
        let start_date = text(Field::StartDate).map(|d| date_text(&d));
        let item = AidItemInput {
            code: text(Field::Code),
            title: cell(Field::Title).to_owned(),
            title_en: text(Field::TitleEn),
            description: text(Field::Note),
            kind: kind.clone().unwrap_or_default(),
            status: status.clone(),
            decision_number: decision_number.clone(),
            decision_date: decision_date.clone(),
            approval_level,
            start_date: start_date.clone(),
            end_date: text(Field::EndDate).map(|d| date_text(&d)),
            sectors: text(Field::Sector).map(|s| vec![SectorInput { sector: s, percent: None }]).unwrap_or_default(),
            locations: province
                .map(|p| vec![LocationInput { province: p, district, commune, ..Default::default() }])
                .unwrap_or_default(),
            ..Default::default()
        };
        let checked = AidItemInput {
            donors: vec![DonorInput { organisation: PLACEHOLDER_DONOR, percent: None }],
            ..item.clone()
        };
        let parsed_status = match checked.parse() {
            Ok(new) => Some(new.status),
            // Still check the amounts against the status as written, so every problem is listed at once.
            Err(errors) => {
                for e in &errors.0 {
                    if !(e.field == "kind" && kind.is_none()) {
                        self.push_domain(RowPart::Item, e);
                    }
                }
                match &status {
                    Some(s) => AidStatus::parse(s).ok(),
                    None => Some(AidStatus::Draft),
                }
            }
        };

        // The donor.
        let donor_name = cell(Field::Donor).to_owned();
        if donor_name.is_empty() {
            self.push(Field::Donor, "error-required", "the donor is required");
        }
        let donor_kind = or_default(Field::DonorKind, &defaults.donor_kind).map(|k| normalise_organisation_kind(&k));
        if let Some(k) = &donor_kind {
            match OrganisationKind::parse(k) {
                Ok(k) if !k.is_donor() => self.push(
                    Field::DonorKind,
                    "error-donor-kind",
                    format!("a {} is not a donor; use a foreign NGO, individual, foreign agency or international organisation", k.name_en()),
                ),
                Ok(_) => {}
                Err(e) => self.push_domain(RowPart::Donor, &e),
            }
        }
        let donor_country = text(Field::DonorCountry);
        if let Some(c) = &donor_country
            && let Err(e) = CountryCode::parse(c)
        {
            self.push_domain(RowPart::Donor, &e);
        }

        // The amounts.
        let currency_cell = text(Field::Currency).map(|c| normalise_currency(&c));
        if let Some(c) = &currency_cell
            && let Err(e) = CurrencyCode::parse(c)
        {
            self.push(Field::Currency, e.code, e.message);
        }
        let default_currency = defaults.currency.as_deref().map(normalise_currency);
        let amount = |this: &mut Self, field: Field, date_field: Field, part: RowPart| -> Option<SheetAmount> {
            let written = cell(field);
            if written.is_empty() {
                return None;
            }
            let header_unit = index.get(&field).and_then(|&i| headers.get(i)).and_then(|h| amount_unit_in_header(h));
            let (value, currency) = match number(field) {
                Some(n) => {
                    let currency = currency_cell
                        .clone()
                        .or_else(|| header_unit.and_then(|u| u.currency).map(|c| c.as_str().to_owned()))
                        .or_else(|| default_currency.clone());
                    let Some(currency) = currency else {
                        this.push(Field::Currency, "error-required", "the currency is required (a Đơn vị tiền tệ column, or the header, e.g. \"Giá trị cam kết (USD)\")");
                        return None;
                    };
                    let code = match CurrencyCode::parse(&currency) {
                        Ok(c) => c,
                        Err(e) => {
                            this.push(Field::Currency, e.code, e.message);
                            return None;
                        }
                    };
                    let scale = header_unit.map_or(Decimal::ONE, |u| u.scale);
                    let value = excel_number(n)
                        .and_then(|v| {
                            v.checked_mul(scale).ok_or_else(|| {
                                ValidationError::new("amount", "error-amount-overflow", "the amount is too large")
                            })
                        })
                        .and_then(|v| fit_to_currency(v, code));
                    match value {
                        Ok(v) => (v, currency),
                        Err(e) => {
                            this.push(field, e.code, e.message);
                            return None;
                        }
                    }
                }
                None => {
                    let parsed = match parse_amount_vi(written) {
                        Ok(p) => p,
                        Err(e) => {
                            this.push(field, e.code, e.message);
                            return None;
                        }
                    };
                    let header_currency = header_unit.and_then(|u| u.currency).map(|c| c.as_str().to_owned());
                    let own = parsed.currency.map(|c| c.as_str().to_owned());
                    if let (Some(own), Some(other)) = (&own, currency_cell.as_ref().or(header_currency.as_ref()))
                        && own != other
                    {
                        this.push(
                            field,
                            "error-currency-conflict",
                            format!("'{written}' is in {own} but the sheet says {other}"),
                        );
                        return None;
                    }
                    let Some(currency) =
                        own.or_else(|| currency_cell.clone()).or(header_currency).or_else(|| default_currency.clone())
                    else {
                        this.push(Field::Currency, "error-required", "the currency is required (a Đơn vị tiền tệ column, a word after the amount, or the header, e.g. \"Giá trị cam kết (USD)\")");
                        return None;
                    };
                    let scale = match header_unit {
                        Some(u) if !parsed.scaled => u.scale,
                        _ => Decimal::ONE,
                    };
                    match parsed.value.checked_mul(scale) {
                        Some(v) => (v.normalize(), currency),
                        None => {
                            this.push(
                                field,
                                "error-amount-overflow",
                                format!("'{written}' is too large to be stored exactly"),
                            );
                            return None;
                        }
                    }
                }
            };
            let own_date = text(date_field).map(|d| date_text(&d));
            let fallback =
                if part == RowPart::Committed { decision_date.clone().or_else(|| start_date.clone()) } else { None };
            let Some(date) = own_date.clone().or(fallback) else {
                let reason = if part == RowPart::Committed {
                    "a committed amount needs its date (or the item's decision or start date)"
                } else {
                    "a disbursed amount needs its date"
                };
                this.push(date_field, "error-required", reason);
                return None;
            };
            let sheet_amount = SheetAmount { amount: value.to_string(), currency, date };
            let kind = if part == RowPart::Committed { FlowKind::Commitment } else { FlowKind::Disbursement };
            match sheet_amount.flow_input(kind).parse() {
                Ok(flow) => {
                    if let Some(status) = parsed_status
                        && let Err(e) = flow.check_allowed_for(status)
                    {
                        this.push(field, e.code, e.message);
                    }
                }
                Err(errors) => {
                    for e in &errors.0 {
                        // A borrowed date's own problem is already reported on its column.
                        if !(e.field == "date" && own_date.is_none()) {
                            this.push_domain(part, e);
                        }
                    }
                }
            }
            Some(sheet_amount)
        };
        let committed = amount(self, Field::Committed, Field::CommittedDate, RowPart::Committed);
        let disbursed = amount(self, Field::Disbursed, Field::DisbursedDate, RowPart::Disbursed);
        Some(SheetItem {
            line: self.line,
            item,
            donor: SheetDonor { name: donor_name, country: donor_country, kind: donor_kind },
            committed,
            disbursed,
        })
    }
}
