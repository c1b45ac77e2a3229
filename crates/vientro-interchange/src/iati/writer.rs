//! Writing [`IatiActivity`] records as IATI 2.03 activity XML, one activity at a time.
//!
//! This module owns the element order and the attributes the 2.03 schema requires, so that whatever the
//! reader could read is written back in a file that validates against `iati-activities-schema.xsd`. It
//! streams through `quick_xml`'s `Writer` and never builds a document in memory. It must not touch a
//! database or decide what to export: the services layer picks the activities and rebuilds them from
//! storage. Where the schema requires something the record lacks, the writer writes the neutral form the
//! reader reads back as "absent" (an empty `narrative`, an empty `@role`), so a round trip is stable.

use std::io::Write;

use chrono::NaiveDate;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::model::{IatiActivity, Narrative, OrgRef, SectorRef, Value};

/// The IATI standard version written in `iati-activities/@version`.
pub const VERSION: &str = "2.03";

/// The coordinate reference system of every `point` (WGS 84), as IATI requires in `@srsName`.
const WGS84: &str = "http://www.opengis.net/def/crs/EPSG/0/4326";

/// Why writing stopped: the output could not be written to.
#[derive(Debug, thiserror::Error)]
#[error("the IATI file cannot be written: {0}")]
pub struct WriteError(#[from] std::io::Error);

/// A streaming writer of an `iati-activities` document: [`ActivityWriter::start`], then
/// [`ActivityWriter::write`] per activity, then [`ActivityWriter::finish`].
pub struct ActivityWriter<W: Write> {
    xml: Writer<W>,
    written: usize,
}

impl<W: Write> ActivityWriter<W> {
    /// Writes the XML declaration and the opening `<iati-activities version="2.03">`, with
    /// `@generated-datetime` when given (an `xsd:dateTime` such as `2026-11-26T10:00:00Z`).
    pub fn start(out: W, generated_datetime: Option<&str>) -> Result<Self, WriteError> {
        let mut xml = Writer::new_with_indent(out, b' ', 2);
        xml.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        let mut root = BytesStart::new("iati-activities");
        root.push_attribute(("version", VERSION));
        if let Some(when) = generated_datetime {
            root.push_attribute(("generated-datetime", when));
        }
        xml.write_event(Event::Start(root))?;
        Ok(Self { xml, written: 0 })
    }

    /// How many activities were written so far.
    pub fn written(&self) -> usize {
        self.written
    }

    /// Closes the document and hands back the output.
    pub fn finish(mut self) -> Result<W, WriteError> {
        self.xml.write_event(Event::End(BytesEnd::new("iati-activities")))?;
        let mut out = self.xml.into_inner();
        out.write_all(b"\n")?;
        out.flush()?;
        Ok(out)
    }

    /// Writes one `iati-activity` in the 2.03 element order.
    pub fn write(&mut self, a: &IatiActivity) -> Result<(), WriteError> {
        let mut start = BytesStart::new("iati-activity");
        if let Some(lang) = &a.lang {
            start.push_attribute(("xml:lang", lang.as_str()));
        }
        if let Some(currency) = &a.default_currency {
            start.push_attribute(("default-currency", currency.as_str()));
        }
        self.open(start)?;
        self.text_element("iati-identifier", &a.identifier)?;

        // reporting-org: @ref, @type and one narrative are required.
        let reporting = a.reporting_org.clone().unwrap_or_default();
        let mut start = BytesStart::new("reporting-org");
        start.push_attribute(("ref", reporting.reference.as_deref().unwrap_or("")));
        start.push_attribute(("type", reporting.org_type.as_deref().unwrap_or("")));
        self.open(start)?;
        self.narratives(&reporting.narratives, true)?;
        self.close("reporting-org")?;

        self.open(BytesStart::new("title"))?;
        self.narratives(&a.titles, true)?;
        self.close("title")?;

        if a.descriptions.is_empty() {
            self.open(BytesStart::new("description"))?;
            self.narratives(&[], true)?;
            self.close("description")?;
        }
        for (kind, narratives) in &a.descriptions {
            let mut start = BytesStart::new("description");
            if let Some(kind) = kind {
                start.push_attribute(("type", kind.as_str()));
            }
            self.open(start)?;
            self.narratives(narratives, true)?;
            self.close("description")?;
        }

        for p in &a.participating_orgs {
            let mut start = BytesStart::new("participating-org");
            push_opt(&mut start, "ref", &p.org.reference);
            push_opt(&mut start, "type", &p.org.org_type);
            start.push_attribute(("role", p.role.as_deref().unwrap_or("")));
            push_opt(&mut start, "activity-id", &p.org.activity_id);
            self.element_with_narratives(start, "participating-org", &p.org.narratives)?;
        }

        if let Some(status) = &a.status {
            let mut start = BytesStart::new("activity-status");
            start.push_attribute(("code", status.as_str()));
            self.empty(start)?;
        }
        for (kind, date) in &a.dates {
            let mut start = BytesStart::new("activity-date");
            start.push_attribute(("type", kind.as_str()));
            start.push_attribute(("iso-date", iso(*date).as_str()));
            self.empty(start)?;
        }

        for (code, percentage) in &a.recipient_countries {
            let mut start = BytesStart::new("recipient-country");
            start.push_attribute(("code", code.as_str()));
            if let Some(p) = percentage {
                start.push_attribute(("percentage", p.to_string().as_str()));
            }
            self.empty(start)?;
        }
        for (code, vocabulary, percentage) in &a.recipient_regions {
            let mut start = BytesStart::new("recipient-region");
            start.push_attribute(("code", code.as_str()));
            push_opt(&mut start, "vocabulary", vocabulary);
            if let Some(p) = percentage {
                start.push_attribute(("percentage", p.to_string().as_str()));
            }
            self.empty(start)?;
        }

        for l in &a.locations {
            let mut start = BytesStart::new("location");
            push_opt(&mut start, "ref", &l.reference);
            self.open(start)?;
            for id in &l.location_ids {
                let mut start = BytesStart::new("location-id");
                start.push_attribute(("vocabulary", id.vocabulary.as_deref().unwrap_or("")));
                start.push_attribute(("code", id.code.as_str()));
                self.empty(start)?;
            }
            if !l.names.is_empty() {
                self.open(BytesStart::new("name"))?;
                self.narratives(&l.names, true)?;
                self.close("name")?;
            }
            for adm in &l.administratives {
                let mut start = BytesStart::new("administrative");
                start.push_attribute(("vocabulary", adm.vocabulary.as_deref().unwrap_or("")));
                if let Some(level) = adm.level {
                    start.push_attribute(("level", level.to_string().as_str()));
                }
                start.push_attribute(("code", adm.code.as_str()));
                self.empty(start)?;
            }
            if let Some(point) = l.point {
                let mut start = BytesStart::new("point");
                start.push_attribute(("srsName", WGS84));
                self.open(start)?;
                self.text_element("pos", &format!("{} {}", point.latitude, point.longitude))?;
                self.close("point")?;
            }
            self.close("location")?;
        }

        for s in &a.sectors {
            self.sector(s, true)?;
        }

        for b in &a.budgets {
            let mut start = BytesStart::new("budget");
            push_opt(&mut start, "type", &b.budget_type);
            push_opt(&mut start, "status", &b.status);
            self.open(start)?;
            self.dated("period-start", b.period_start)?;
            self.dated("period-end", b.period_end)?;
            self.value(&b.value, b.period_start)?;
            self.close("budget")?;
        }

        for p in &a.planned_disbursements {
            let mut start = BytesStart::new("planned-disbursement");
            push_opt(&mut start, "type", &p.disbursement_type);
            self.open(start)?;
            self.dated("period-start", p.period_start)?;
            if let Some(end) = p.period_end {
                self.dated("period-end", end)?;
            }
            self.value(&p.value, p.period_start)?;
            if let Some(org) = &p.provider_org {
                self.org("provider-org", "provider-activity-id", org)?;
            }
            if let Some(org) = &p.receiver_org {
                self.org("receiver-org", "receiver-activity-id", org)?;
            }
            self.close("planned-disbursement")?;
        }

        for t in &a.transactions {
            let mut start = BytesStart::new("transaction");
            push_opt(&mut start, "ref", &t.reference);
            self.open(start)?;
            let mut kind = BytesStart::new("transaction-type");
            kind.push_attribute(("code", t.transaction_type.as_str()));
            self.empty(kind)?;
            self.dated("transaction-date", t.date)?;
            self.value(&t.value, t.date)?;
            if !t.descriptions.is_empty() {
                self.open(BytesStart::new("description"))?;
                self.narratives(&t.descriptions, true)?;
                self.close("description")?;
            }
            if let Some(org) = &t.provider_org {
                self.org("provider-org", "provider-activity-id", org)?;
            }
            if let Some(org) = &t.receiver_org {
                self.org("receiver-org", "receiver-activity-id", org)?;
            }
            for s in &t.sectors {
                self.sector(s, false)?;
            }
            if let Some(code) = &t.recipient_country {
                let mut start = BytesStart::new("recipient-country");
                start.push_attribute(("code", code.as_str()));
                self.empty(start)?;
            }
            if let Some((code, vocabulary)) = &t.recipient_region {
                let mut start = BytesStart::new("recipient-region");
                start.push_attribute(("code", code.as_str()));
                push_opt(&mut start, "vocabulary", vocabulary);
                self.empty(start)?;
            }
            self.close("transaction")?;
        }

        self.close("iati-activity")?;
        self.written += 1;
        Ok(())
    }

    fn open(&mut self, start: BytesStart<'_>) -> Result<(), WriteError> {
        Ok(self.xml.write_event(Event::Start(start))?)
    }

    fn close(&mut self, name: &str) -> Result<(), WriteError> {
        Ok(self.xml.write_event(Event::End(BytesEnd::new(name)))?)
    }

    fn empty(&mut self, start: BytesStart<'_>) -> Result<(), WriteError> {
        Ok(self.xml.write_event(Event::Empty(start))?)
    }

    fn text_element(&mut self, name: &str, text: &str) -> Result<(), WriteError> {
        self.xml.create_element(name).write_text_content(BytesText::new(text))?;
        Ok(())
    }

    /// The narratives; when `required` and there are none, one empty narrative (which reads back as none).
    fn narratives(&mut self, narratives: &[Narrative], required: bool) -> Result<(), WriteError> {
        if narratives.is_empty() && required {
            self.empty(BytesStart::new("narrative"))?;
        }
        for n in narratives {
            let mut start = BytesStart::new("narrative");
            if let Some(lang) = &n.lang {
                start.push_attribute(("xml:lang", lang.as_str()));
            }
            self.open(start)?;
            self.xml.write_event(Event::Text(BytesText::new(&n.text)))?;
            self.close("narrative")?;
        }
        Ok(())
    }

    fn element_with_narratives(
        &mut self,
        start: BytesStart<'_>,
        name: &str,
        narratives: &[Narrative],
    ) -> Result<(), WriteError> {
        if narratives.is_empty() {
            return self.empty(start);
        }
        self.open(start)?;
        self.narratives(narratives, false)?;
        self.close(name)
    }

    fn dated(&mut self, name: &str, date: NaiveDate) -> Result<(), WriteError> {
        let mut start = BytesStart::new(name);
        start.push_attribute(("iso-date", iso(date).as_str()));
        self.empty(start)
    }

    /// A `value`; `@value-date` is required, so a value without one is dated `fallback` (the transaction or
    /// period date), which is also the date the importer converts it on.
    fn value(&mut self, value: &Value, fallback: NaiveDate) -> Result<(), WriteError> {
        let mut start = BytesStart::new("value");
        if let Some(currency) = &value.currency {
            start.push_attribute(("currency", currency.as_str()));
        }
        start.push_attribute(("value-date", iso(value.value_date.unwrap_or(fallback)).as_str()));
        self.xml.write_event(Event::Start(start))?;
        self.xml.write_event(Event::Text(BytesText::new(&value.amount.to_string())))?;
        self.close("value")
    }

    fn org(&mut self, name: &str, activity_attr: &str, org: &OrgRef) -> Result<(), WriteError> {
        let mut start = BytesStart::new(name);
        push_opt(&mut start, "ref", &org.reference);
        push_opt(&mut start, activity_attr, &org.activity_id);
        push_opt(&mut start, "type", &org.org_type);
        self.element_with_narratives(start, name, &org.narratives)
    }

    /// A `sector`; transaction sectors carry no percentage in 2.03.
    fn sector(&mut self, s: &SectorRef, with_percentage: bool) -> Result<(), WriteError> {
        let mut start = BytesStart::new("sector");
        start.push_attribute(("vocabulary", s.vocabulary.as_str()));
        start.push_attribute(("code", s.code.as_deref().unwrap_or("")));
        if with_percentage && let Some(p) = s.percentage {
            start.push_attribute(("percentage", p.to_string().as_str()));
        }
        self.element_with_narratives(start, "sector", &s.narratives)
    }
}

fn push_opt(start: &mut BytesStart<'_>, key: &str, value: &Option<String>) {
    if let Some(v) = value {
        start.push_attribute((key, v.as_str()));
    }
}

fn iso(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}
