//! The interface in Vietnamese (default) and English: Fluent messages compiled into the binary, the
//! reader's language, and number and date formats for each.
//!
//! Every string a page shows comes from `i18n/vi.ftl` or `i18n/en.ftl`; a test checks that both files
//! hold the same keys. This module must not hold page logic; templates ask it for words by key.

use std::sync::Arc;

use chrono::NaiveDate;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use rust_decimal::Decimal;
use unic_langid::langid;
use vientro_domain::matching::Reason;
use vientro_domain::sector::VnSector;
use vientro_domain::watch::{Alert, AlertKind};

/// Fluent source of the Vietnamese interface.
pub const VI_FTL: &str = include_str!("../i18n/vi.ftl");
/// Fluent source of the English interface.
pub const EN_FTL: &str = include_str!("../i18n/en.ftl");

/// Today's date in Viet Nam (UTC+7 all year, no daylight saving): the default date of forms and the day the
/// appraisal clock counts to.
pub fn today_in_viet_nam() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive()
}

/// An interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Vietnamese, the default.
    #[default]
    Vi,
    /// English.
    En,
}

impl Lang {
    /// `vi` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// Parses `vi` / `en`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim() {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// Both message bundles.
pub struct Catalog {
    vi: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Catalog")
    }
}

fn bundle(source: &str, lang: unic_langid::LanguageIdentifier) -> Result<FluentBundle<FluentResource>, String> {
    let resource = FluentResource::try_new(source.to_owned())
        .map_err(|(_, errors)| format!("Fluent syntax errors in the {lang} messages: {errors:?}"))?;
    let mut bundle = FluentBundle::new_concurrent(vec![lang.clone()]);
    // Isolation marks would show up inside attributes and tables; our messages hold no mixed-direction text.
    bundle.set_use_isolating(false);
    bundle.add_resource(resource).map_err(|errors| format!("duplicate {lang} messages: {errors:?}"))?;
    Ok(bundle)
}

impl Catalog {
    /// Loads the compiled-in messages.
    pub fn load() -> Result<Catalog, String> {
        Ok(Catalog { vi: bundle(VI_FTL, langid!("vi"))?, en: bundle(EN_FTL, langid!("en"))? })
    }

    fn bundle(&self, lang: Lang) -> &FluentBundle<FluentResource> {
        match lang {
            Lang::Vi => &self.vi,
            Lang::En => &self.en,
        }
    }

    /// The message `key` in `lang`, with arguments; a missing key shows itself (and is caught by tests).
    pub fn message(&self, lang: Lang, key: &str, args: Option<&FluentArgs<'_>>) -> String {
        let bundle = self.bundle(lang);
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            tracing::warn!(key, lang = lang.code(), "missing interface message");
            return key.to_owned();
        };
        let mut errors = Vec::new();
        bundle.format_pattern(pattern, args, &mut errors).into_owned()
    }

    /// True when `key` exists in `lang`.
    pub fn has(&self, lang: Lang, key: &str) -> bool {
        self.bundle(lang).has_message(key)
    }
}

/// The words of one page: the catalog in the reader's language. Templates call `t.t("key")`.
#[derive(Debug, Clone)]
pub struct Tr {
    catalog: Arc<Catalog>,
    /// The reader's language.
    pub lang: Lang,
}

impl Tr {
    /// Words in `lang`.
    pub fn new(catalog: Arc<Catalog>, lang: Lang) -> Tr {
        Tr { catalog, lang }
    }

    /// A message.
    pub fn t(&self, key: &str) -> String {
        self.catalog.message(self.lang, key, None)
    }

    /// A message with one argument.
    pub fn t1(&self, key: &str, name: &str, value: impl ToString) -> String {
        let mut args = FluentArgs::new();
        args.set(name.to_owned(), value.to_string());
        self.catalog.message(self.lang, key, Some(&args))
    }

    /// A message with two arguments.
    pub fn t2(&self, key: &str, a: &str, av: impl ToString, b: &str, bv: impl ToString) -> String {
        let mut args = FluentArgs::new();
        args.set(a.to_owned(), av.to_string());
        args.set(b.to_owned(), bv.to_string());
        self.catalog.message(self.lang, key, Some(&args))
    }

    /// True when the catalog has `key` in the reader's language.
    pub fn has(&self, key: &str) -> bool {
        self.catalog.has(self.lang, key)
    }

    /// A message chosen by a code (`status-approved`, `kind-project`), or the code itself when unknown.
    pub fn code(&self, prefix: &str, code: &str) -> String {
        let key = format!("{prefix}-{}", code.replace('_', "-"));
        if self.catalog.has(self.lang, &key) { self.t(&key) } else { code.to_owned() }
    }

    /// A whole number with the reader's thousands separator ("1.441.700" / "1,441,700").
    pub fn int(&self, n: i64) -> String {
        let vi = vientro_domain::money::format_number_vi(Decimal::from(n), 0);
        match self.lang {
            Lang::Vi => vi,
            Lang::En => vi.replace('.', ","),
        }
    }

    /// A count with the reader's thousands separator.
    pub fn count(&self, n: &usize) -> String {
        self.int(i64::try_from(*n).unwrap_or(i64::MAX))
    }

    /// Minor units (cents) as a whole amount of the major unit, rounded ("1.441.700").
    pub fn minor(&self, minor: i64) -> String {
        let value = Decimal::new(minor, 2);
        let vi = vientro_domain::money::format_number_vi(value, 0);
        match self.lang {
            Lang::Vi => vi,
            Lang::En => vi.replace('.', ","),
        }
    }

    /// A date ("30/06/2021" in both languages: the Vietnamese and British order agree).
    pub fn date(&self, date: &NaiveDate) -> String {
        vientro_domain::date::format_date_vi(*date)
    }

    /// The heading of a kind of alert.
    pub fn alert_kind(&self, kind: &AlertKind) -> String {
        self.t(&format!("watch-kind-{}", kind.code().replace('_', "-")))
    }

    /// One alert as a sentence: its subject, dates, days and whatever else its kind names.
    pub fn alert(&self, alert: &Alert) -> String {
        let mut args = FluentArgs::new();
        args.set("subject", alert.subject.clone());
        args.set("date", self.date(&alert.date));
        args.set("days", self.int(alert.days));
        for (name, value) in &alert.args {
            args.set(*name, value.clone());
        }
        let key = format!("watch-alert-{}", alert.kind.code().replace('_', "-"));
        self.catalog.message(self.lang, &key, Some(&args))
    }

    /// A sector by its stored code: the national sector's name, or the DAC code with its (English) name.
    pub fn sector(&self, code: &str) -> String {
        if let Some(vn) = code.strip_prefix("vn:")
            && let Some(s) = VnSector::all().iter().find(|s| s.code() == vn)
        {
            return if self.lang == Lang::En { s.name_en() } else { s.name_vi() }.to_owned();
        }
        code.parse::<u32>()
            .ok()
            .and_then(|n| vientro_domain::sector::DacCode::parse(&n.to_string()).ok())
            .map_or_else(|| code.to_owned(), |d| format!("{code} {}", d.name_en()))
    }

    /// Why an organisation is on a match list, as a phrase.
    pub fn reason(&self, reason: &Reason) -> String {
        let en = self.lang == Lang::En;
        let sectors = |list: &[VnSector]| {
            list.iter().map(|s| if en { s.name_en() } else { s.name_vi() }).collect::<Vec<_>>().join("; ")
        };
        let mut args = FluentArgs::new();
        let key = match reason {
            Reason::SectorFit { percent, items, sectors: list } => {
                args.set("percent", percent.to_string());
                args.set("items", items.to_string());
                args.set("sectors", sectors(list));
                "match-reason-sector-fit"
            }
            Reason::SameProvince { items, last_year } | Reason::SameRegion { items, last_year } => {
                args.set("items", items.to_string());
                args.set("last", last_year.to_string());
                if matches!(reason, Reason::SameProvince { .. }) {
                    "match-reason-same-province"
                } else {
                    "match-reason-same-region"
                }
            }
            Reason::TypicalSize { typical_usd_minor, budget_usd_minor } => {
                args.set("typical", self.minor(*typical_usd_minor));
                args.set("budget", self.minor(*budget_usd_minor));
                "match-reason-typical-size"
            }
            Reason::Registered { valid_to, covers_province } => {
                args.set("date", self.date(valid_to));
                if *covers_province { "match-reason-registered" } else { "match-reason-registered-elsewhere" }
            }
            Reason::Activity { items, from_year, to_year } => {
                args.set("items", items.to_string());
                args.set(
                    "years",
                    if from_year == to_year { from_year.to_string() } else { format!("{from_year}–{to_year}") },
                );
                "match-reason-activity"
            }
        };
        self.catalog.message(self.lang, key, Some(&args))
    }

    /// An optional date, or a dash.
    pub fn date_opt(&self, date: &Option<NaiveDate>) -> String {
        date.as_ref().map_or_else(|| "—".to_owned(), |d| self.date(d))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn keys(source: &str) -> BTreeSet<String> {
        let resource = FluentResource::try_new(source.to_owned()).unwrap();
        resource
            .entries()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn both_languages_have_every_key() {
        let (vi, en) = (keys(VI_FTL), keys(EN_FTL));
        let only_vi: Vec<_> = vi.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&vi).collect();
        assert!(only_vi.is_empty() && only_en.is_empty(), "only in vi: {only_vi:?}; only in en: {only_en:?}");
        assert!(vi.len() > 100, "the interface has its words");
    }

    #[test]
    fn the_catalog_loads_and_formats_numbers_per_language() {
        let catalog = Arc::new(Catalog::load().unwrap());
        let vi = Tr::new(catalog.clone(), Lang::Vi);
        let en = Tr::new(catalog, Lang::En);
        assert_eq!(vi.int(1_441_700), "1.441.700");
        assert_eq!(en.int(1_441_700), "1,441,700");
        assert_eq!(vi.minor(127_338_800), "1.273.388");
        assert_eq!(vi.t("nav-home"), "Tổng quan");
        assert_eq!(en.t("nav-home"), "Overview");
        assert_eq!(vi.code("status", "under_appraisal"), "Đang thẩm định");
    }
}
