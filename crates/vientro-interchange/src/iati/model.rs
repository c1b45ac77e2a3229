//! The plain data the reader hands out: an activity as the file states it, plus the problems met on the way.

use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// A text in one language, as in `<narrative xml:lang="fr">…</narrative>` (or the direct text of a 1.0x element).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Narrative {
    /// The narrative's own `xml:lang`; `None` means the activity's language ([`IatiActivity::lang`]).
    pub lang: Option<String>,
    /// The text, trimmed at both ends.
    pub text: String,
}

/// An organisation as a file names it: `reporting-org`, `provider-org`, `receiver-org` or inside
/// `participating-org`. Matching it to a known organisation is the importer's job.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgRef {
    /// `@ref`, the organisation identifier (e.g. `GB-GOV-10`), when given.
    pub reference: Option<String>,
    /// `@type`, an OrganisationType code (e.g. `21` international NGO).
    pub org_type: Option<String>,
    /// `@provider-activity-id`, `@receiver-activity-id` or `@activity-id`: the activity on the other side.
    pub activity_id: Option<String>,
    /// The names, all languages kept.
    pub narratives: Vec<Narrative>,
}

/// A `participating-org`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipatingOrg {
    /// Who the organisation is.
    pub org: OrgRef,
    /// OrganisationRole code `1` funding, `2` accountable, `3` extending, `4` implementing (1.0x role names such
    /// as `Funding` are mapped to these); `None` when absent or not understood.
    pub role: Option<String>,
}

/// A `sector` of an activity or a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectorRef {
    /// `@code`; `None` only for 1.0x free-text sectors such as `<sector>Health</sector>` (the text is in
    /// `narratives`).
    pub code: Option<String>,
    /// `@vocabulary`, `1` (DAC 5-digit) when absent; 1.0x `DAC`, `DAC-3` and `RO` become `1`, `2` and `99`.
    pub vocabulary: String,
    /// `@percentage`, when given.
    pub percentage: Option<Decimal>,
    /// Names given in the file, all languages kept.
    pub narratives: Vec<Narrative>,
}

/// A latitude and longitude in WGS 84, from `<point><pos>lat lon</pos></point>` (or 1.0x `coordinates`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Point {
    /// Degrees north, −90 to 90.
    pub latitude: Decimal,
    /// Degrees east, −180 to 180.
    pub longitude: Decimal,
}

/// An `administrative` code of a location, e.g. a GeoNames id (vocabulary `G1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdministrativeCode {
    /// `@vocabulary`, a GeographicVocabulary code (`G1` GeoNames, `A4` ISO 3166-2, …).
    pub vocabulary: Option<String>,
    /// `@level`, the administrative level (1 province, 2 district, … in the publisher's view).
    pub level: Option<u8>,
    /// `@code`.
    pub code: String,
}

/// A `location-id` of a location: a gazetteer entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocationId {
    /// `@vocabulary`, a GeographicVocabulary code.
    pub vocabulary: Option<String>,
    /// `@code`.
    pub code: String,
}

/// A `location` of an activity. Mapping it to a Vietnamese province or commune is the product's job.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    /// `@ref`, the publisher's own reference.
    pub reference: Option<String>,
    /// `name` narratives, all languages kept.
    pub names: Vec<Narrative>,
    /// The point, when given and readable.
    pub point: Option<Point>,
    /// `administrative` codes.
    pub administratives: Vec<AdministrativeCode>,
    /// `location-id` gazetteer codes.
    pub location_ids: Vec<LocationId>,
}

/// An amount of money as written in a `value` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    /// The amount, exactly as written (negative amounts are kept: IATI uses them for reversals).
    pub amount: Decimal,
    /// The `@currency` attribute, else `None` (the activity's default currency applies: see
    /// [`Value::currency_or`]). Kept as text: codelist validation is the importer's.
    pub currency: Option<String>,
    /// `@value-date`, the date for the exchange rate.
    pub value_date: Option<NaiveDate>,
}

impl Value {
    /// The value's own currency, else `default` (pass [`IatiActivity::default_currency`]).
    pub fn currency_or<'a>(&'a self, default: Option<&'a str>) -> Option<&'a str> {
        self.currency.as_deref().or(default)
    }
}

/// A `budget` of an activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    /// `@type`, BudgetType code (`1` original, `2` revised); `None` when absent (IATI's default is `1`).
    pub budget_type: Option<String>,
    /// `@status`, BudgetStatus code (`1` indicative, `2` committed); `None` when absent (default `1`).
    pub status: Option<String>,
    /// `period-start/@iso-date`.
    pub period_start: NaiveDate,
    /// `period-end/@iso-date`.
    pub period_end: NaiveDate,
    /// The budgeted amount, never negative.
    pub value: Value,
}

/// A `planned-disbursement` of an activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedDisbursement {
    /// `@type`, BudgetType code.
    pub disbursement_type: Option<String>,
    /// `period-start/@iso-date`.
    pub period_start: NaiveDate,
    /// `period-end/@iso-date`, optional in the standard.
    pub period_end: Option<NaiveDate>,
    /// The planned amount, never negative.
    pub value: Value,
    /// Who will pay.
    pub provider_org: Option<OrgRef>,
    /// Who will receive.
    pub receiver_org: Option<OrgRef>,
}

/// A `transaction` of an activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    /// `@ref`, the publisher's own reference.
    pub reference: Option<String>,
    /// TransactionType code `1`–`13` (`1` incoming funds, `2` outgoing commitment, `3` disbursement,
    /// `4` expenditure, `11` incoming commitment, …); 1.0x letters are mapped (`C`→2, `D`→3, `E`→4, `IF`→1,
    /// `IR`→5, `LR`→6, `R`→7, `QP`→8, `QS`→9, `CG`→10).
    pub transaction_type: String,
    /// `transaction-date/@iso-date`.
    pub date: NaiveDate,
    /// The amount (may be negative: a reversal).
    pub value: Value,
    /// `description` narratives, all languages kept.
    pub descriptions: Vec<Narrative>,
    /// Who paid.
    pub provider_org: Option<OrgRef>,
    /// Who received.
    pub receiver_org: Option<OrgRef>,
    /// Transaction-level sectors (when the activity-level ones are not used).
    pub sectors: Vec<SectorRef>,
    /// Transaction-level `recipient-country/@code`.
    pub recipient_country: Option<String>,
    /// Transaction-level `recipient-region`: code and vocabulary.
    pub recipient_region: Option<(String, Option<String>)>,
}

/// One `iati-activity` as the file states it: codes are kept as text and nothing is matched or converted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IatiActivity {
    /// `iati-identifier`, trimmed and never empty.
    pub identifier: String,
    /// The line of the `<iati-activity>` start tag, for messages that point back into the file.
    pub line: usize,
    /// `@version` of the `<iati-activities>` element the activity was read from (a fact about the file, not
    /// the activity).
    pub file_version: Option<String>,
    /// `@default-currency`, kept as text.
    pub default_currency: Option<String>,
    /// `@xml:lang` of the activity, else of `<iati-activities>`.
    pub lang: Option<String>,
    /// `reporting-org`.
    pub reporting_org: Option<OrgRef>,
    /// `participating-org`s.
    pub participating_orgs: Vec<ParticipatingOrg>,
    /// `title` narratives, all languages kept.
    pub titles: Vec<Narrative>,
    /// `description`s: `@type` (DescriptionType code, `None` when absent) and narratives.
    pub descriptions: Vec<(Option<String>, Vec<Narrative>)>,
    /// `activity-status/@code` (ActivityStatus `1`–`6`).
    pub status: Option<String>,
    /// `activity-date`s: ActivityDateType code `1`–`4` (1.0x `start-planned` … are mapped) and date.
    pub dates: Vec<(String, NaiveDate)>,
    /// `recipient-country`s: code and percentage.
    pub recipient_countries: Vec<(String, Option<Decimal>)>,
    /// `recipient-region`s: code, vocabulary and percentage.
    pub recipient_regions: Vec<(String, Option<String>, Option<Decimal>)>,
    /// Activity-level `sector`s.
    pub sectors: Vec<SectorRef>,
    /// `location`s.
    pub locations: Vec<Location>,
    /// `budget`s.
    pub budgets: Vec<Budget>,
    /// `planned-disbursement`s.
    pub planned_disbursements: Vec<PlannedDisbursement>,
    /// `transaction`s.
    pub transactions: Vec<Transaction>,
}

/// What kind of trouble a [`Problem`] is; the message says what was dropped or kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemKind {
    /// The file is not well-formed XML (truncated, mismatched tags, empty): reading stopped there.
    MalformedXml,
    /// The bytes are not UTF-8 (UTF-16, Latin-1 …): reading stopped there.
    Encoding,
    /// The file could not be opened or read.
    Io,
    /// An `iati-activity` without `iati-identifier`: the activity is skipped.
    MissingIdentifier,
    /// A required part is missing (a transaction without date, a value without amount …): that element is
    /// dropped.
    MissingValue,
    /// A value that cannot be read (not a number, not a date, a negative budget …): that element is dropped.
    BadValue,
    /// A code the reader does not know or that has the wrong shape; the message says whether it was kept as
    /// text (currencies, roles) or the element dropped (transaction types).
    UnknownCode,
    /// Something this reader does not handle (an organisation file, an unknown standard version, a declared
    /// encoding other than UTF-8).
    Unsupported,
}

impl ProblemKind {
    /// The kind as a stable snake-case word, as written in the problems CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MalformedXml => "malformed_xml",
            Self::Encoding => "encoding",
            Self::Io => "io",
            Self::MissingIdentifier => "missing_identifier",
            Self::MissingValue => "missing_value",
            Self::BadValue => "bad_value",
            Self::UnknownCode => "unknown_code",
            Self::Unsupported => "unsupported",
        }
    }
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem met while reading, with its place so an officer can find it in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The source name given to the reader (usually the file name).
    pub source: String,
    /// 1-based line of the offending element's start tag, or where reading stopped; `0` when the file could not
    /// be read at all.
    pub line: usize,
    /// The element concerned, e.g. `value` or `iati-activity`.
    pub element: String,
    /// What happened, in plain words; inside an activity it starts with the activity identifier.
    pub message: String,
    /// The kind, for sorting and counting.
    pub kind: ProblemKind,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: <{}> {} ({})", self.source, self.line, self.element, self.message, self.kind)
    }
}

/// What one reading did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadSummary {
    /// Activities handed to the callback.
    pub activities_read: usize,
    /// Activities met but not handed over (no identifier, or cut off by malformed XML).
    pub activities_skipped: usize,
    /// Every problem, in file order.
    pub problems: Vec<Problem>,
    /// `@version` of `<iati-activities>` (e.g. `2.03`, `1.03`), when given.
    pub version: Option<String>,
}
