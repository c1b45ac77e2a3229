//! The streaming state machine: one frame per element the reader understands, everything else skipped by depth.

use std::io::BufRead;

use chrono::NaiveDate;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesRef, BytesStart, Event};
use rust_decimal::Decimal;

use super::lines::{LineCounter, count_newlines};
use super::model::{
    AdministrativeCode, Budget, IatiActivity, Location, LocationId, Narrative, OrgRef, ParticipatingOrg,
    PlannedDisbursement, Point, Problem, ProblemKind, ReadSummary, SectorRef, Transaction, Value,
};
use super::values::{
    activity_date_type, activity_status_from_name, is_currency_shaped, organisation_role, parse_date, parse_decimal,
    sector_vocabulary, transaction_type,
};

/// The elements the reader understands, each in the one place the standard puts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Root,
    Activity,
    Identifier,
    Narrative,
    ReportingOrg,
    ParticipatingOrg,
    ProviderOrg,
    ReceiverOrg,
    Title,
    Description,
    TxDescription,
    Status,
    ActivityDate,
    RecipientCountry,
    RecipientRegion,
    Sector,
    Location,
    LocationName,
    Point,
    Pos,
    Coordinates,
    Administrative,
    LocationId,
    Budget,
    PlannedDisbursement,
    PeriodStart,
    PeriodEnd,
    Value,
    Transaction,
    TransactionType,
    TransactionDate,
}

impl Kind {
    /// What an element named `name` is inside `parent`; `None` means "skip it and all it contains".
    fn of_child(parent: Option<Kind>, name: &str) -> Option<Kind> {
        use Kind::*;
        Some(match (parent, name) {
            (None, "iati-activities") => Root,
            (None | Some(Root), "iati-activity") => Activity,
            (Some(Activity), name) => match name {
                "iati-identifier" => Identifier,
                "reporting-org" => ReportingOrg,
                "participating-org" => ParticipatingOrg,
                "title" => Title,
                "description" => Description,
                "activity-status" => Status,
                "activity-date" => ActivityDate,
                "recipient-country" => RecipientCountry,
                "recipient-region" => RecipientRegion,
                "sector" => Sector,
                "location" => Location,
                "budget" => Budget,
                "planned-disbursement" => PlannedDisbursement,
                "transaction" => Transaction,
                _ => return None,
            },
            (
                Some(
                    ReportingOrg | ParticipatingOrg | ProviderOrg | ReceiverOrg | Title | Description | TxDescription
                    | LocationName | Sector,
                ),
                "narrative",
            ) => Narrative,
            (Some(Location), "name") => LocationName,
            (Some(Location), "point") => Point,
            (Some(Location), "coordinates") => Coordinates,
            (Some(Location), "administrative") => Administrative,
            (Some(Location), "location-id") => LocationId,
            (Some(Point), "pos") => Pos,
            (Some(Budget | PlannedDisbursement), "period-start") => PeriodStart,
            (Some(Budget | PlannedDisbursement), "period-end") => PeriodEnd,
            (Some(Budget | PlannedDisbursement | Transaction), "value") => Value,
            (Some(PlannedDisbursement | Transaction), "provider-org") => ProviderOrg,
            (Some(PlannedDisbursement | Transaction), "receiver-org") => ReceiverOrg,
            (Some(Transaction), "transaction-type") => TransactionType,
            (Some(Transaction), "transaction-date") => TransactionDate,
            (Some(Transaction), "description") => TxDescription,
            (Some(Transaction), "sector") => Sector,
            (Some(Transaction), "recipient-country") => RecipientCountry,
            (Some(Transaction), "recipient-region") => RecipientRegion,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        use Kind::*;
        match self {
            Root => "iati-activities",
            Activity => "iati-activity",
            Identifier => "iati-identifier",
            Narrative => "narrative",
            ReportingOrg => "reporting-org",
            ParticipatingOrg => "participating-org",
            ProviderOrg => "provider-org",
            ReceiverOrg => "receiver-org",
            Title => "title",
            Description | TxDescription => "description",
            Status => "activity-status",
            ActivityDate => "activity-date",
            RecipientCountry => "recipient-country",
            RecipientRegion => "recipient-region",
            Sector => "sector",
            Location => "location",
            LocationName => "name",
            Point => "point",
            Pos => "pos",
            Coordinates => "coordinates",
            Administrative => "administrative",
            LocationId => "location-id",
            Budget => "budget",
            PlannedDisbursement => "planned-disbursement",
            PeriodStart => "period-start",
            PeriodEnd => "period-end",
            Value => "value",
            Transaction => "transaction",
            TransactionType => "transaction-type",
            TransactionDate => "transaction-date",
        }
    }

    /// Whether the element's own text matters (leaves, and 1.0x elements that carry their name as text).
    fn wants_text(self) -> bool {
        use Kind::*;
        matches!(
            self,
            Identifier
                | Narrative
                | Value
                | Pos
                | Status
                | ReportingOrg
                | ParticipatingOrg
                | ProviderOrg
                | ReceiverOrg
                | Title
                | Description
                | TxDescription
                | LocationName
                | Sector
                | ActivityDate
                | TransactionDate
                | PeriodStart
                | PeriodEnd
        )
    }
}

#[derive(Default)]
struct MoneyDraft {
    period_start: Option<NaiveDate>,
    period_end: Option<NaiveDate>,
    value: Option<Value>,
    provider_org: Option<OrgRef>,
    receiver_org: Option<OrgRef>,
    /// A part was bad and already reported: the whole element is dropped.
    spoiled: bool,
}

#[derive(Default)]
struct TransactionDraft {
    transaction_type: Option<String>,
    date: Option<NaiveDate>,
    value: Option<Value>,
    descriptions: Vec<Narrative>,
    provider_org: Option<OrgRef>,
    receiver_org: Option<OrgRef>,
    sectors: Vec<SectorRef>,
    recipient_country: Option<String>,
    recipient_region: Option<(String, Option<String>)>,
    spoiled: bool,
}

enum Draft {
    Plain,
    Activity(Box<IatiActivity>),
    Location(Location),
    Point(Option<Point>),
    Money(Box<MoneyDraft>),
    Transaction(Box<TransactionDraft>),
}

struct Frame {
    kind: Kind,
    line: usize,
    attrs: Vec<(String, String)>,
    text: String,
    narratives: Vec<Narrative>,
    draft: Draft,
}

impl Frame {
    /// An attribute's value, trimmed; `None` when absent or blank.
    fn attr(&self, key: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
    }

    fn attr_owned(&self, key: &str) -> Option<String> {
        self.attr(key).map(str::to_owned)
    }

    /// The `narrative` children, preceded by the element's own text when a 1.0x file put the name there.
    fn take_narratives(&mut self) -> Vec<Narrative> {
        let mut narratives = std::mem::take(&mut self.narratives);
        let direct = self.text.trim();
        if !direct.is_empty() {
            narratives.insert(0, Narrative { lang: self.attr_owned("xml:lang"), text: direct.to_owned() });
        }
        narratives
    }

    fn org(&mut self) -> OrgRef {
        let activity_id = self
            .attr_owned("provider-activity-id")
            .or_else(|| self.attr_owned("receiver-activity-id"))
            .or_else(|| self.attr_owned("activity-id"));
        OrgRef {
            reference: self.attr_owned("ref"),
            org_type: self.attr_owned("type"),
            activity_id,
            narratives: self.take_narratives(),
        }
    }

    /// The `iso-date` attribute, else (some 1.0x files) the element text.
    fn date_text(&self) -> Option<&str> {
        self.attr("iso-date").or_else(|| Some(self.text.trim()).filter(|t| !t.is_empty()))
    }
}

/// What a finished child element contributes to its parent.
enum Piece {
    Nothing,
    /// A part of a transaction or budget was bad (already reported): drop the parent.
    Spoil,
    Identifier(String),
    Narrative(Narrative),
    Narratives(Vec<Narrative>),
    Description(Option<String>, Vec<Narrative>),
    Org(OrgRef),
    Participating(ParticipatingOrg),
    Status(String),
    Date(String, NaiveDate),
    Country(String, Option<Decimal>),
    Region(String, Option<String>, Option<Decimal>),
    Sector(SectorRef),
    Location(Location),
    Point(Point),
    Administrative(Vec<AdministrativeCode>),
    LocationId(LocationId),
    Budget(Budget),
    Planned(PlannedDisbursement),
    Transaction(Transaction),
    Day(NaiveDate),
    Value(Value),
    TransactionType(String),
}

/// Reading stops: malformed XML, wrong encoding, or a file that is not an activity file.
struct Stop;

struct Parser<'s, F> {
    source: &'s str,
    on_activity: F,
    summary: ReadSummary,
    stack: Vec<Frame>,
    /// Depth inside an element that is being skipped (0: not skipping).
    skip_depth: usize,
    root_lang: Option<String>,
    seen_root: bool,
    /// Problems of the activity being read, flushed with its identifier once it is known.
    pending: Vec<Problem>,
}

pub(super) fn read<R: BufRead>(source: &str, reader: R, on_activity: impl FnMut(IatiActivity)) -> ReadSummary {
    let mut parser = Parser {
        source,
        on_activity,
        summary: ReadSummary::default(),
        stack: Vec::new(),
        skip_depth: 0,
        root_lang: None,
        seen_root: false,
        pending: Vec::new(),
    };
    let mut counter = LineCounter::new(reader);
    let head = counter.fill_buf().map(looks_like_utf16);
    match head {
        Err(e) => {
            parser.problem(0, "iati-activities", ProblemKind::Io, format!("the file cannot be read: {e}"));
            return parser.summary;
        }
        Ok(true) => {
            parser.problem(
                1,
                "iati-activities",
                ProblemKind::Encoding,
                "the file is UTF-16; only UTF-8 is read: convert it to UTF-8 and import again".to_owned(),
            );
            return parser.summary;
        }
        Ok(false) => {}
    }
    let mut xml = quick_xml::Reader::from_reader(counter);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let event = xml.read_event_into(&mut buf);
        let line = xml.get_ref().line();
        let flow = match event {
            Ok(Event::Start(e)) => parser.start(&e, line - count_newlines(e.as_bytes())),
            Ok(Event::Empty(e)) => {
                let flow = parser.start(&e, line - count_newlines(e.as_bytes()));
                parser.end();
                flow
            }
            Ok(Event::End(_)) => {
                parser.end();
                Ok(())
            }
            Ok(Event::Text(t)) => {
                parser.text(&t.xml10_content());
                Ok(())
            }
            Ok(Event::CData(c)) => {
                parser.text(&c.xml10_content());
                Ok(())
            }
            Ok(Event::GeneralRef(r)) => {
                parser.general_ref(&r, line);
                Ok(())
            }
            Ok(Event::Decl(d)) => {
                if let Some(Ok(encoding)) = d.encoding() {
                    parser.declared_encoding(&encoding, line);
                }
                Ok(())
            }
            Ok(Event::Eof) => {
                parser.eof(line);
                Err(Stop)
            }
            Ok(Event::Comment(_) | Event::PI(_) | Event::DocType(_)) => Ok(()),
            Err(e) => {
                let kind = match e {
                    quick_xml::Error::Encoding(_) => ProblemKind::Encoding,
                    quick_xml::Error::Io(_) => ProblemKind::Io,
                    _ => ProblemKind::MalformedXml,
                };
                let message = match kind {
                    ProblemKind::Encoding => format!("the bytes are not UTF-8 ({e}); reading stopped here"),
                    _ => format!("{e}; reading stopped here"),
                };
                parser.stop(line, kind, message);
                Err(Stop)
            }
        };
        if flow.is_err() {
            break;
        }
    }
    parser.summary
}

/// UTF-16 shows as a byte-order mark or as `<` next to a zero byte.
fn looks_like_utf16(head: &[u8]) -> bool {
    matches!(head, [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..] | [b'<', 0, ..] | [0, b'<', ..])
}

fn read_attrs(e: &BytesStart<'_>) -> Result<Vec<(String, String)>, String> {
    let mut attrs = Vec::new();
    for attr in e.attributes() {
        let attr = attr.map_err(|err| err.to_string())?;
        let value = attr.normalized_value(XmlVersion::Implicit1_0).map_err(|err| err.to_string())?;
        attrs.push((attr.key.0.to_owned(), value.into_owned()));
    }
    Ok(attrs)
}

impl<F: FnMut(IatiActivity)> Parser<'_, F> {
    fn in_activity(&self) -> bool {
        self.stack.iter().any(|f| f.kind == Kind::Activity)
    }

    fn problem(&mut self, line: usize, element: &str, kind: ProblemKind, message: String) {
        let problem = Problem { source: self.source.to_owned(), line, element: element.to_owned(), message, kind };
        if self.in_activity() {
            self.pending.push(problem);
        } else {
            self.summary.problems.push(problem);
        }
    }

    /// The name of the element that will receive a piece, for messages ("the transaction is dropped").
    fn parent_name(&self) -> &'static str {
        self.stack.last().map_or("iati-activities", |f| f.kind.name())
    }

    fn start(&mut self, e: &BytesStart<'_>, line: usize) -> Result<(), Stop> {
        if self.skip_depth > 0 {
            self.skip_depth += 1;
            return Ok(());
        }
        let name = e.name().0;
        let parent = self.stack.last().map(|f| f.kind);
        let Some(kind) = Kind::of_child(parent, name) else {
            if parent.is_none() {
                let what = if name == "iati-organisations" { "an IATI organisation file" } else { "not an IATI file" };
                let message = format!("the root element is <{name}>, not <iati-activities>: {what}; nothing read");
                self.problem(line, name, ProblemKind::Unsupported, message);
                return Err(Stop);
            }
            self.skip_depth = 1;
            return Ok(());
        };
        let attrs = match read_attrs(e) {
            Ok(attrs) => attrs,
            Err(why) => {
                self.stop(
                    line,
                    ProblemKind::MalformedXml,
                    format!("bad attribute in <{name}>: {why}; reading stopped"),
                );
                return Err(Stop);
            }
        };
        let mut frame = Frame { kind, line, attrs, text: String::new(), narratives: Vec::new(), draft: Draft::Plain };
        match kind {
            Kind::Root => {
                self.seen_root = true;
                self.root_lang = frame.attr_owned("xml:lang");
                if let Some(version) = frame.attr("version") {
                    if !(version.starts_with("1.") || version.starts_with("2.")) {
                        let message = format!("IATI version '{version}' is not known; read as 2.0x");
                        self.problem(line, name, ProblemKind::Unsupported, message);
                    }
                    self.summary.version = Some(version.to_owned());
                }
            }
            Kind::Activity => {
                self.seen_root = true;
                let activity = IatiActivity {
                    line,
                    file_version: self.summary.version.clone(),
                    default_currency: frame.attr_owned("default-currency"),
                    lang: frame.attr_owned("xml:lang").or_else(|| self.root_lang.clone()),
                    ..IatiActivity::default()
                };
                let bad_currency = activity.default_currency.clone().filter(|c| !is_currency_shaped(c));
                frame.draft = Draft::Activity(Box::new(activity));
                self.stack.push(frame);
                if let Some(code) = bad_currency {
                    let message = format!("default-currency '{code}' is not an ISO 4217 code; kept as written");
                    self.problem(line, name, ProblemKind::UnknownCode, message);
                }
                return Ok(());
            }
            Kind::Location => {
                frame.draft = Draft::Location(Location { reference: frame.attr_owned("ref"), ..Location::default() });
            }
            Kind::Point => frame.draft = Draft::Point(None),
            Kind::Budget | Kind::PlannedDisbursement => frame.draft = Draft::Money(Box::default()),
            Kind::Transaction => frame.draft = Draft::Transaction(Box::default()),
            _ => {}
        }
        self.stack.push(frame);
        Ok(())
    }

    fn end(&mut self) {
        if self.skip_depth > 0 {
            self.skip_depth -= 1;
            return;
        }
        let Some(frame) = self.stack.pop() else { return };
        match frame.kind {
            Kind::Root => {}
            Kind::Activity => self.finish_activity(frame),
            kind => {
                let piece = self.piece(frame);
                self.apply(kind, piece);
            }
        }
    }

    fn text(&mut self, text: &str) {
        if self.skip_depth > 0 {
            return;
        }
        if let Some(top) = self.stack.last_mut().filter(|f| f.kind.wants_text()) {
            top.text.push_str(text);
        }
    }

    fn general_ref(&mut self, reference: &BytesRef<'_>, line: usize) {
        if self.skip_depth > 0 || !self.stack.last().is_some_and(|f| f.kind.wants_text()) {
            return;
        }
        let element = self.parent_name();
        let resolved = match reference.resolve_char_ref() {
            Ok(Some(c)) => Some(c),
            Ok(None) => match &**reference {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => None,
            },
            Err(e) => {
                let message = format!("bad character reference &{}; ({e}); left out", &**reference);
                self.problem(line, element, ProblemKind::BadValue, message);
                return;
            }
        };
        let mut buf = [0u8; 4];
        let text = match resolved {
            Some(c) => c.encode_utf8(&mut buf).to_owned(),
            None => {
                let message = format!(
                    "undefined entity &{}; (XML knows only &amp; &lt; &gt; &quot; &apos;); kept as written",
                    &**reference
                );
                self.problem(line, element, ProblemKind::MalformedXml, message);
                format!("&{};", &**reference)
            }
        };
        if let Some(top) = self.stack.last_mut() {
            top.text.push_str(&text);
        }
    }

    fn declared_encoding(&mut self, encoding: &str, line: usize) {
        let known = ["utf-8", "utf8", "us-ascii", "ascii"];
        if !known.iter().any(|k| encoding.trim().eq_ignore_ascii_case(k)) {
            let message = format!(
                "the file declares encoding '{encoding}'; only UTF-8 is read, so reading stops at the first byte \
                 that is not UTF-8"
            );
            self.problem(line, "xml", ProblemKind::Unsupported, message);
        }
    }

    fn eof(&mut self, line: usize) {
        if let Some(top) = self.stack.last() {
            let message =
                format!("the file ends inside <{}> opened at line {}: it is truncated", top.kind.name(), top.line);
            self.stop(line, ProblemKind::MalformedXml, message);
        } else if !self.seen_root {
            let message = "no <iati-activities> element: the file is empty or not IATI XML".to_owned();
            self.problem(line, "iati-activities", ProblemKind::MalformedXml, message);
        }
    }

    /// Records why reading stops; an activity cut off in the middle is skipped, not delivered half-read.
    fn stop(&mut self, line: usize, kind: ProblemKind, mut message: String) {
        let element = self.stack.last().map_or("iati-activities", |f| f.kind.name()).to_owned();
        if let Some(index) = self.stack.iter().position(|f| f.kind == Kind::Activity) {
            let frame = self.stack.remove(index);
            let label = activity_label(&frame);
            self.flush_pending(&label);
            self.summary.activities_skipped += 1;
            let place = if label.contains(" at line ") { label } else { format!("{label} (line {})", frame.line) };
            message.push_str(&format!("; {place} is incomplete and skipped"));
        }
        self.stack.clear();
        self.problem(line, &element, kind, message);
    }

    fn flush_pending(&mut self, label: &str) {
        for mut problem in std::mem::take(&mut self.pending) {
            problem.message = format!("{label}: {}", problem.message);
            self.summary.problems.push(problem);
        }
    }

    fn finish_activity(&mut self, frame: Frame) {
        let label = activity_label(&frame);
        self.flush_pending(&label);
        let Draft::Activity(activity) = frame.draft else { return };
        if activity.identifier.is_empty() {
            self.summary.activities_skipped += 1;
            self.problem(
                frame.line,
                "iati-activity",
                ProblemKind::MissingIdentifier,
                format!("{label} has no <iati-identifier>; skipped"),
            );
        } else {
            self.summary.activities_read += 1;
            (self.on_activity)(*activity);
        }
    }

    /// What a finished element gives its parent; reports what is wrong with it.
    fn piece(&mut self, mut frame: Frame) -> Piece {
        let line = frame.line;
        let name = frame.kind.name();
        let parent = self.parent_name();
        match frame.kind {
            Kind::Root | Kind::Activity => Piece::Nothing,
            Kind::Identifier => {
                let id = frame.text.trim();
                if id.is_empty() { Piece::Nothing } else { Piece::Identifier(id.to_owned()) }
            }
            Kind::Narrative => {
                let text = frame.text.trim();
                if text.is_empty() {
                    Piece::Nothing
                } else {
                    Piece::Narrative(Narrative { lang: frame.attr_owned("xml:lang"), text: text.to_owned() })
                }
            }
            Kind::Title | Kind::LocationName | Kind::TxDescription => Piece::Narratives(frame.take_narratives()),
            Kind::Description => {
                let narratives = frame.take_narratives();
                if narratives.is_empty() {
                    Piece::Nothing
                } else {
                    Piece::Description(frame.attr_owned("type"), narratives)
                }
            }
            Kind::ReportingOrg | Kind::ProviderOrg | Kind::ReceiverOrg => Piece::Org(frame.org()),
            Kind::ParticipatingOrg => {
                let role = match frame.attr("role") {
                    None => None,
                    Some(role) => match organisation_role(role) {
                        Some(code) => Some(code.to_owned()),
                        None => {
                            let message = format!("role '{role}' is not an OrganisationRole (1-4); kept without role");
                            self.problem(line, name, ProblemKind::UnknownCode, message);
                            None
                        }
                    },
                };
                Piece::Participating(ParticipatingOrg { org: frame.org(), role })
            }
            Kind::Status => {
                if let Some(code) = frame.attr("code") {
                    return Piece::Status(code.to_owned());
                }
                let text = frame.text.trim();
                match activity_status_from_name(text) {
                    Some(code) => Piece::Status(code.to_owned()),
                    None if text.is_empty() => {
                        self.problem(line, name, ProblemKind::MissingValue, "no @code; left out".to_owned());
                        Piece::Nothing
                    }
                    None => {
                        let message = format!("status '{text}' has no @code and is not understood; left out");
                        self.problem(line, name, ProblemKind::UnknownCode, message);
                        Piece::Nothing
                    }
                }
            }
            Kind::ActivityDate => {
                let Some(date) = self.date(&frame, "the date is left out") else { return Piece::Nothing };
                match frame.attr("type") {
                    None => {
                        self.problem(line, name, ProblemKind::MissingValue, "no @type; left out".to_owned());
                        Piece::Nothing
                    }
                    Some(t) => match activity_date_type(t) {
                        Some(code) => Piece::Date(code.to_owned(), date),
                        None => {
                            let message = format!("type '{t}' is not an ActivityDateType (1-4); left out");
                            self.problem(line, name, ProblemKind::UnknownCode, message);
                            Piece::Nothing
                        }
                    },
                }
            }
            Kind::RecipientCountry | Kind::RecipientRegion => {
                let Some(code) = frame.attr_owned("code") else {
                    self.problem(line, name, ProblemKind::MissingValue, "no @code; left out".to_owned());
                    return Piece::Nothing;
                };
                let Ok(percentage) = self.percentage(&frame) else { return Piece::Nothing };
                if frame.kind == Kind::RecipientCountry {
                    Piece::Country(code, percentage)
                } else {
                    Piece::Region(code, frame.attr_owned("vocabulary"), percentage)
                }
            }
            Kind::Sector => {
                let code = frame.attr_owned("code");
                let narratives = frame.take_narratives();
                if code.is_none() && narratives.is_empty() {
                    self.problem(line, name, ProblemKind::MissingValue, "no @code and no text; left out".to_owned());
                    return Piece::Nothing;
                }
                let Ok(percentage) = self.percentage(&frame) else { return Piece::Nothing };
                let vocabulary = sector_vocabulary(frame.attr("vocabulary"));
                Piece::Sector(SectorRef { code, vocabulary, percentage, narratives })
            }
            Kind::Location => match std::mem::replace(&mut frame.draft, Draft::Plain) {
                Draft::Location(location) => Piece::Location(location),
                _ => Piece::Nothing,
            },
            Kind::Point => match std::mem::replace(&mut frame.draft, Draft::Plain) {
                Draft::Point(Some(point)) => Piece::Point(point),
                _ => Piece::Nothing,
            },
            Kind::Pos => {
                let text = frame.text.trim();
                let mut parts = text.split_whitespace();
                let point = match (parts.next(), parts.next(), parts.next()) {
                    (Some(lat), Some(lon), None) => point(lat, lon),
                    _ => None,
                };
                self.point_or_problem(point, line, name, &format!("pos '{text}'"))
            }
            Kind::Coordinates => {
                let point = match (frame.attr("latitude"), frame.attr("longitude")) {
                    (Some(lat), Some(lon)) => point(lat, lon),
                    _ => None,
                };
                let shown = format!(
                    "latitude '{}' longitude '{}'",
                    frame.attr("latitude").unwrap_or_default(),
                    frame.attr("longitude").unwrap_or_default()
                );
                self.point_or_problem(point, line, name, &shown)
            }
            Kind::Administrative => {
                let vocabulary = frame.attr_owned("vocabulary");
                if let Some(code) = frame.attr_owned("code") {
                    let level = match frame.attr("level") {
                        None => None,
                        Some(level) => match level.parse::<u8>() {
                            Ok(level) => Some(level),
                            Err(_) => {
                                let message = format!("level '{level}' is not a small whole number; left out");
                                self.problem(line, name, ProblemKind::BadValue, message);
                                return Piece::Nothing;
                            }
                        },
                    };
                    return Piece::Administrative(vec![AdministrativeCode { vocabulary, level, code }]);
                }
                // 1.0x wrote administrative areas as @adm1 / @adm2.
                let codes: Vec<_> = [("adm1", 1), ("adm2", 2)]
                    .into_iter()
                    .filter_map(|(key, level)| {
                        frame.attr_owned(key).map(|code| AdministrativeCode {
                            vocabulary: None,
                            level: Some(level),
                            code,
                        })
                    })
                    .collect();
                if codes.is_empty() {
                    self.problem(line, name, ProblemKind::MissingValue, "no @code; left out".to_owned());
                    return Piece::Nothing;
                }
                Piece::Administrative(codes)
            }
            Kind::LocationId => match frame.attr_owned("code") {
                Some(code) => Piece::LocationId(LocationId { vocabulary: frame.attr_owned("vocabulary"), code }),
                None => {
                    self.problem(line, name, ProblemKind::MissingValue, "no @code; left out".to_owned());
                    Piece::Nothing
                }
            },
            Kind::Budget | Kind::PlannedDisbursement => {
                let Draft::Money(draft) = std::mem::replace(&mut frame.draft, Draft::Plain) else {
                    return Piece::Nothing;
                };
                if draft.spoiled {
                    return Piece::Nothing;
                }
                let is_budget = frame.kind == Kind::Budget;
                let mut missing = Vec::new();
                if draft.period_start.is_none() {
                    missing.push("<period-start>");
                }
                if is_budget && draft.period_end.is_none() {
                    missing.push("<period-end>");
                }
                if draft.value.is_none() {
                    missing.push("<value>");
                }
                let (Some(period_start), Some(value), true) = (draft.period_start, draft.value, missing.is_empty())
                else {
                    let message = format!("{name} without {}; dropped", missing.join(", "));
                    self.problem(line, name, ProblemKind::MissingValue, message);
                    return Piece::Nothing;
                };
                if value.amount.is_sign_negative() && !value.amount.is_zero() {
                    let message = format!("{name} value {} is negative; dropped", value.amount);
                    self.problem(line, name, ProblemKind::BadValue, message);
                    return Piece::Nothing;
                }
                match (is_budget, draft.period_end) {
                    (true, Some(period_end)) => Piece::Budget(Budget {
                        budget_type: frame.attr_owned("type"),
                        status: frame.attr_owned("status"),
                        period_start,
                        period_end,
                        value,
                    }),
                    _ => Piece::Planned(PlannedDisbursement {
                        disbursement_type: frame.attr_owned("type"),
                        period_start,
                        period_end: draft.period_end,
                        value,
                        provider_org: draft.provider_org,
                        receiver_org: draft.receiver_org,
                    }),
                }
            }
            Kind::PeriodStart | Kind::PeriodEnd | Kind::TransactionDate => {
                match self.date(&frame, &format!("the {parent} is dropped")) {
                    Some(date) => Piece::Day(date),
                    None => Piece::Spoil,
                }
            }
            Kind::Value => self.value(&frame, parent),
            Kind::Transaction => {
                let Draft::Transaction(draft) = std::mem::replace(&mut frame.draft, Draft::Plain) else {
                    return Piece::Nothing;
                };
                if draft.spoiled {
                    return Piece::Nothing;
                }
                let draft = *draft;
                match (draft.transaction_type, draft.date, draft.value) {
                    (Some(transaction_type), Some(date), Some(value)) => Piece::Transaction(Transaction {
                        reference: frame.attr_owned("ref"),
                        transaction_type,
                        date,
                        value,
                        descriptions: draft.descriptions,
                        provider_org: draft.provider_org,
                        receiver_org: draft.receiver_org,
                        sectors: draft.sectors,
                        recipient_country: draft.recipient_country,
                        recipient_region: draft.recipient_region,
                    }),
                    (t, d, v) => {
                        let missing: Vec<_> = [
                            (t.is_none(), "<transaction-type>"),
                            (d.is_none(), "<transaction-date>"),
                            (v.is_none(), "<value>"),
                        ]
                        .into_iter()
                        .filter_map(|(absent, what)| absent.then_some(what))
                        .collect();
                        let message = format!("transaction without {}; dropped", missing.join(", "));
                        self.problem(line, name, ProblemKind::MissingValue, message);
                        Piece::Nothing
                    }
                }
            }
            Kind::TransactionType => {
                let Some(code) = frame.attr("code") else {
                    let message = "no @code; the transaction is dropped".to_owned();
                    self.problem(line, name, ProblemKind::MissingValue, message);
                    return Piece::Spoil;
                };
                match transaction_type(code) {
                    Some(mapped) => Piece::TransactionType(mapped.to_owned()),
                    None => {
                        let message = format!("'{code}' is not a TransactionType code; the transaction is dropped");
                        self.problem(line, name, ProblemKind::UnknownCode, message);
                        Piece::Spoil
                    }
                }
            }
        }
    }

    /// A date from `@iso-date` (or the text); reports and returns `None` when missing or unreadable.
    fn date(&mut self, frame: &Frame, consequence: &str) -> Option<NaiveDate> {
        let name = frame.kind.name();
        match frame.date_text() {
            None => {
                self.problem(frame.line, name, ProblemKind::MissingValue, format!("no @iso-date; {consequence}"));
                None
            }
            Some(text) => {
                let date = parse_date(text);
                if date.is_none() {
                    let message = format!("iso-date '{text}' is not a YYYY-MM-DD date; {consequence}");
                    self.problem(frame.line, name, ProblemKind::BadValue, message);
                }
                date
            }
        }
    }

    /// `@percentage`, `Ok(None)` when absent, `Err` (reported) when unreadable.
    fn percentage(&mut self, frame: &Frame) -> Result<Option<Decimal>, ()> {
        let Some(text) = frame.attr("percentage") else { return Ok(None) };
        match parse_decimal(text) {
            Some(p) => Ok(Some(p)),
            None => {
                let message = format!("percentage '{text}' is not a number; left out");
                self.problem(frame.line, frame.kind.name(), ProblemKind::BadValue, message);
                Err(())
            }
        }
    }

    fn point_or_problem(&mut self, point: Option<Point>, line: usize, name: &str, shown: &str) -> Piece {
        match point {
            Some(point) => Piece::Point(point),
            None => {
                let message = format!("{shown} is not 'latitude longitude' in degrees; the point is left out");
                self.problem(line, name, ProblemKind::BadValue, message);
                Piece::Nothing
            }
        }
    }

    fn value(&mut self, frame: &Frame, parent: &str) -> Piece {
        let (line, name) = (frame.line, frame.kind.name());
        let text = frame.text.trim();
        if text.is_empty() {
            self.problem(line, name, ProblemKind::MissingValue, format!("empty value; the {parent} is dropped"));
            return Piece::Spoil;
        }
        let Some(amount) = parse_decimal(text) else {
            let message = format!("value '{text}' is not a number; the {parent} is dropped");
            self.problem(line, name, ProblemKind::BadValue, message);
            return Piece::Spoil;
        };
        let value_date = match frame.attr("value-date") {
            None => None,
            Some(text) => match parse_date(text) {
                Some(date) => Some(date),
                None => {
                    let message = format!("value-date '{text}' is not a YYYY-MM-DD date; the {parent} is dropped");
                    self.problem(line, name, ProblemKind::BadValue, message);
                    return Piece::Spoil;
                }
            },
        };
        let currency = frame.attr_owned("currency");
        if let Some(code) = currency.as_deref().filter(|c| !is_currency_shaped(c)) {
            let message = format!("currency '{code}' is not an ISO 4217 code; kept as written");
            self.problem(line, name, ProblemKind::UnknownCode, message);
        }
        Piece::Value(Value { amount, currency, value_date })
    }

    /// Hands a finished child's piece to the frame now on top (its parent).
    fn apply(&mut self, child: Kind, piece: Piece) {
        let Some(parent) = self.stack.last_mut() else { return };
        match (&mut parent.draft, piece) {
            (_, Piece::Nothing) => {}
            (_, Piece::Narrative(n)) => parent.narratives.push(n),
            (Draft::Activity(a), piece) => match piece {
                Piece::Identifier(id) if a.identifier.is_empty() => a.identifier = id,
                Piece::Narratives(n) => a.titles.extend(n),
                Piece::Description(kind, n) => a.descriptions.push((kind, n)),
                Piece::Org(org) if a.reporting_org.is_none() => a.reporting_org = Some(org),
                Piece::Participating(p) => a.participating_orgs.push(p),
                Piece::Status(s) => a.status = Some(s),
                Piece::Date(kind, date) => a.dates.push((kind, date)),
                Piece::Country(code, p) => a.recipient_countries.push((code, p)),
                Piece::Region(code, v, p) => a.recipient_regions.push((code, v, p)),
                Piece::Sector(s) => a.sectors.push(s),
                Piece::Location(l) => a.locations.push(l),
                Piece::Budget(b) => a.budgets.push(b),
                Piece::Planned(p) => a.planned_disbursements.push(p),
                Piece::Transaction(t) => a.transactions.push(t),
                _ => {}
            },
            (Draft::Location(l), piece) => match piece {
                Piece::Narratives(n) => l.names.extend(n),
                Piece::Point(p) => l.point = Some(p),
                Piece::Administrative(codes) => l.administratives.extend(codes),
                Piece::LocationId(id) => l.location_ids.push(id),
                _ => {}
            },
            (Draft::Point(slot), Piece::Point(p)) => *slot = Some(p),
            (Draft::Money(m), piece) => match piece {
                Piece::Spoil => m.spoiled = true,
                Piece::Day(d) if child == Kind::PeriodStart => m.period_start = Some(d),
                Piece::Day(d) => m.period_end = Some(d),
                Piece::Value(v) => m.value = Some(v),
                Piece::Org(o) if child == Kind::ProviderOrg => m.provider_org = Some(o),
                Piece::Org(o) => m.receiver_org = Some(o),
                _ => {}
            },
            (Draft::Transaction(t), piece) => match piece {
                Piece::Spoil => t.spoiled = true,
                Piece::TransactionType(code) => t.transaction_type = Some(code),
                Piece::Day(d) => t.date = Some(d),
                Piece::Value(v) => t.value = Some(v),
                Piece::Narratives(n) => t.descriptions.extend(n),
                Piece::Org(o) if child == Kind::ProviderOrg => t.provider_org = Some(o),
                Piece::Org(o) => t.receiver_org = Some(o),
                Piece::Sector(s) => t.sectors.push(s),
                Piece::Country(code, _) => t.recipient_country = Some(code),
                Piece::Region(code, v, _) => t.recipient_region = Some((code, v)),
                _ => {}
            },
            _ => {}
        }
    }
}

fn activity_label(frame: &Frame) -> String {
    match &frame.draft {
        Draft::Activity(a) if !a.identifier.is_empty() => format!("activity {}", a.identifier),
        _ => format!("activity at line {}", frame.line),
    }
}

/// A point from latitude and longitude texts, refused when out of range (often: the two swapped).
fn point(lat: &str, lon: &str) -> Option<Point> {
    let (latitude, longitude) = (parse_decimal(lat)?, parse_decimal(lon)?);
    let (ninety, one_eighty) = (Decimal::from(90), Decimal::from(180));
    (latitude.abs() <= ninety && longitude.abs() <= one_eighty).then_some(Point { latitude, longitude })
}
