//! The briefing: the paragraphs an officer reads out at a meeting about a province and a period, in the
//! style of the provinces' own reports ("Năm 2021, có 10 tổ chức phi chính phủ nước ngoài, 01 cơ quan đại
//! diện nước ngoài tài trợ, triển khai thực hiện 28 dự án, phi dự án …").
//!
//! Every number comes from [`Services::report`] (one definition per figure); this module only chooses the
//! questions and words them. It must not query the store directly.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use vientro_domain::admin_units::{AdminUnits, UnitSet};
use vientro_domain::money::{MinorUnits, format_count_vi, format_number_vi, format_vnd_large_vi};
use vientro_domain::organisation::OrganisationKind;
use vientro_domain::report::{Cell, Dimension, Filter, Measure, Period, ReportQuery, ReportResult};
use vientro_domain::{ValidationError, ValidationErrors};

use crate::{ServiceError, Services};

/// The language of a briefing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BriefingLang {
    /// Vietnamese (official style).
    Vi,
    /// English.
    En,
}

/// A briefing: a title and paragraphs.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Briefing {
    /// Title line.
    pub title: String,
    /// Paragraphs, in reading order.
    pub paragraphs: Vec<String>,
}

impl Briefing {
    /// The briefing as plain text.
    pub fn to_text(&self) -> String {
        let mut s = format!("{}\n\n", self.title);
        for p in &self.paragraphs {
            s.push_str(p);
            s.push_str("\n\n");
        }
        s
    }
}

fn number(c: &Cell) -> i64 {
    match c {
        Cell::Count(n) | Cell::Percent(n) => *n,
        Cell::Money { minor, .. } => *minor,
        Cell::Empty | Cell::Text(_) => 0,
    }
}

/// An amount in words the way reports write it: the recorded currency when there is one, else USD with VND.
fn amount_vi(original: &Cell, usd: &Cell, vnd: &Cell, en: bool) -> String {
    match original {
        Cell::Money { minor, currency } if currency == "VND" => {
            let text = format_vnd_large_vi(MinorUnits(*minor));
            if en {
                text.replace(" tỷ đồng", " billion VND").replace(" triệu đồng", " million VND").replace(" đồng", " VND")
            } else {
                text
            }
        }
        Cell::Money { minor, currency } => money_text(*minor, currency, en),
        _ => {
            let usd_text = money_text(number(usd), "USD", en);
            let vnd_text = format_vnd_large_vi(MinorUnits(number(vnd)));
            if en {
                format!("{usd_text} (≈ {})", vnd_text.replace(" tỷ đồng", " billion VND").replace(" đồng", " VND"))
            } else {
                format!("{usd_text} (khoảng {vnd_text})")
            }
        }
    }
}

fn money_text(minor: i64, currency: &str, en: bool) -> String {
    let digits = vientro_domain::money::CurrencyCode::parse(currency).map(|c| c.minor_digits()).unwrap_or(2);
    let d = Decimal::new(minor, digits);
    let shown = if d.fract().is_zero() { 0 } else { digits };
    if en {
        format!("{} {currency}", en_number(d, shown))
    } else {
        format!("{} {currency}", format_number_vi(d, shown))
    }
}

fn en_number(d: Decimal, digits: u32) -> String {
    format_number_vi(d, digits).replace('.', "\u{0}").replace(',', ".").replace('\u{0}', ",")
}

fn percent_text(c: &Cell, en: bool) -> Option<String> {
    match c {
        Cell::Percent(h) => {
            let d = Decimal::new(*h, 2);
            Some(if en { format!("{} %", en_number(d, 2)) } else { format!("{} %", format_number_vi(d, 2)) })
        }
        _ => None,
    }
}

fn count(n: i64) -> String {
    format_count_vi(u64::try_from(n).unwrap_or(0))
}

fn level_words(level: &str, en: bool) -> &str {
    match (level, en) {
        ("village", false) => "thôn",
        ("commune", false) => "xã",
        ("township", false) => "trấn",
        (other, _) => other,
    }
}

struct Scope {
    filter: Filter,
    from: NaiveDate,
    to: NaiveDate,
}

impl Services {
    async fn ask(
        &self,
        scope: &Scope,
        measures: &[Measure],
        by: &[Dimension],
        stock: Option<NaiveDate>,
    ) -> Result<ReportResult, ServiceError> {
        let query = ReportQuery {
            measures: measures.to_vec(),
            by: by.to_vec(),
            filters: vec![scope.filter.clone()],
            period: if stock.is_some() {
                Period { from: None, to: None }
            } else {
                Period { from: Some(scope.from), to: Some(scope.to) }
            },
            as_of: stock,
        };
        self.report(&query).await
    }

    /// Writes the briefing for a province (today's or an old one, by code or name) over whole years.
    pub async fn briefing(
        &self,
        province: &str,
        from_year: i32,
        to_year: i32,
        lang: BriefingLang,
    ) -> Result<Briefing, ServiceError> {
        let en = lang == BriefingLang::En;
        let units = AdminUnits::embedded();
        let found = match units.parse_province_in(province, UnitSet::From2025) {
            Ok(code) => units.province(&code, UnitSet::From2025),
            Err(_) => match units.parse_province_in(province, UnitSet::Pre2025) {
                Ok(code) => units.province(&code, UnitSet::Pre2025),
                Err(e) => return Err(ValidationErrors::from(e).into()),
            },
        };
        let Some(found) = found else {
            return Err(
                ValidationErrors::from(ValidationError::new("province", "error-province-unknown", province)).into()
            );
        };
        // In running text the unit type is lower case ("tại tỉnh Cao Bằng"); English says "Cao Bằng province".
        let name = if en {
            let kind = if found.name.starts_with("Thành phố") { "city" } else { "province" };
            format!("{} {kind}", found.short_name)
        } else {
            vientro_domain::text::lower_first(&found.name)
        };
        let (Some(from), Some(to)) =
            (NaiveDate::from_ymd_opt(from_year, 1, 1), NaiveDate::from_ymd_opt(to_year, 12, 31))
        else {
            return Err(ValidationErrors::from(ValidationError::new("year", "error-year-range", "not a year")).into());
        };
        if to < from {
            return Err(ValidationErrors::from(ValidationError::new(
                "to",
                "error-date-order",
                "the period ends before it starts",
            ))
            .into());
        }
        let scope =
            Scope { filter: Filter { dimension: Dimension::Province, values: vec![province.to_owned()] }, from, to };
        let years = i64::from(to_year - from_year + 1);
        let when = match (years, en) {
            (1, false) => format!("Năm {from_year}"),
            (1, true) => format!("In {from_year}"),
            (_, false) => format!("Giai đoạn {from_year}–{to_year}"),
            (_, true) => format!("Over {from_year}–{to_year}"),
        };
        let title = if en {
            format!(
                "Briefing: foreign non-governmental aid in {name}, {}",
                if years == 1 { from_year.to_string() } else { format!("{from_year}–{to_year}") }
            )
        } else {
            format!(
                "Báo cáo tóm tắt: viện trợ phi chính phủ nước ngoài tại {name}, {}",
                if years == 1 { format!("năm {from_year}") } else { format!("giai đoạn {from_year}–{to_year}") }
            )
        };
        let mut paragraphs = Vec::new();

        // 1. Donors by kind, items, committed, disbursed and rate.
        let totals = self
            .ask(
                &scope,
                &[
                    Measure::Items,
                    Measure::Organisations,
                    Measure::CommittedUsd,
                    Measure::CommittedVnd,
                    Measure::CommittedOriginal,
                    Measure::DisbursedUsd,
                    Measure::DisbursedVnd,
                    Measure::DisbursedOriginal,
                    Measure::DisbursementRate,
                ],
                &[],
                None,
            )
            .await?;
        let v = &totals.total.values;
        if number(&v[0]) == 0 {
            paragraphs.push(if en {
                format!("{when}, no aid with recorded flows was found for {name}.")
            } else {
                format!("{when}, chưa ghi nhận khoản viện trợ nào có giải ngân hoặc cam kết tại {name}.")
            });
        } else {
            let by_kind = self.ask(&scope, &[Measure::Organisations], &[Dimension::DonorKind], None).await?;
            let donors: Vec<String> = [
                OrganisationKind::ForeignNgo,
                OrganisationKind::Individual,
                OrganisationKind::ForeignAgency,
                OrganisationKind::InternationalOrg,
            ]
            .iter()
            .filter_map(|k| {
                let n = by_kind.rows.iter().find(|r| r.keys[0].0 == k.as_str()).map(|r| number(&r.values[0]))?;
                Some(if en {
                    format!("{} {}{}", count(n), k.name_en(), if n > 1 { "s" } else { "" })
                } else {
                    format!("{} {}", count(n), k.name_vi())
                })
            })
            .collect();
            let rate = percent_text(&v[8], en);
            paragraphs.push(if en {
                format!(
                    "{when}, {} funded {} programmes, projects and non-project items, with total committed funding of {} and actual disbursement of {}{}.",
                    donors.join(", "),
                    count(number(&v[0])),
                    amount_vi(&v[4], &v[2], &v[3], true),
                    amount_vi(&v[7], &v[5], &v[6], true),
                    rate.map(|r| format!(" ({r} of commitments)")).unwrap_or_default()
                )
            } else {
                format!(
                    "{when}, có {} tài trợ, triển khai thực hiện {} dự án, phi dự án với tổng ngân sách cam kết {}, giá trị giải ngân thực tế {}{}.",
                    donors.join(", "),
                    count(number(&v[0])),
                    amount_vi(&v[4], &v[2], &v[3], false),
                    amount_vi(&v[7], &v[5], &v[6], false),
                    rate.map(|r| format!(" (đạt {r})")).unwrap_or_default()
                )
            });

            // 2. Yearly averages over a longer period.
            if years > 1 {
                let yearly = self.ask(&scope, &[Measure::Organisations], &[Dimension::Year], None).await?;
                let orgs: i64 = yearly.rows.iter().map(|r| number(&r.values[0])).sum();
                let avg_orgs = Decimal::new(orgs, 0) / Decimal::new(years, 0);
                let avg_disbursed =
                    Decimal::new(number(&v[5]), 2) / Decimal::new(years, 0) / Decimal::new(1_000_000, 0);
                let orgs_text = format_number_vi(
                    avg_orgs.round_dp_with_strategy(1, vientro_domain::money::ROUNDING),
                    if avg_orgs.fract().is_zero() { 0 } else { 1 },
                );
                let money_text =
                    format_number_vi(avg_disbursed.round_dp_with_strategy(1, vientro_domain::money::ROUNDING), 1);
                paragraphs.push(if en {
                    format!("On average {} organisations and individuals funded aid each year, and {} million USD was disbursed per year.", orgs_text.replace(',', "."), money_text.replace(',', "."))
                } else {
                    format!("Bình quân mỗi năm có {orgs_text} tổ chức, cá nhân tài trợ; giá trị giải ngân bình quân khoảng {money_text} triệu USD/năm.")
                });
            }

            // 3. Items by kind, with their committed value.
            let kinds = self
                .ask(
                    &scope,
                    &[Measure::Items, Measure::CommittedOriginal, Measure::CommittedUsd, Measure::CommittedVnd],
                    &[Dimension::Kind],
                    None,
                )
                .await?;
            // Counts are of items received (approved) in the period, as the articles count them ("02 dự án
            // mới, 01 dự án bổ sung"); values are what was committed in the period.
            let approved_by_kind = self.ask(&scope, &[Measure::ItemsApproved], &[Dimension::Kind], None).await?;
            let received = |code: &str| {
                approved_by_kind.rows.iter().find(|r| r.keys[0].0 == code).map(|r| number(&r.values[0])).unwrap_or(0)
            };
            let projects: Vec<&vientro_domain::report::ReportRow> = kinds
                .rows
                .iter()
                .filter(|r| matches!(r.keys[0].0.as_str(), "programme" | "project" | "supplementary"))
                .filter(|r| received(&r.keys[0].0) > 0)
                .collect();
            let mut parts = Vec::new();
            if !projects.is_empty() {
                let names: Vec<String> = projects
                    .iter()
                    .map(|r| {
                        let n = received(&r.keys[0].0);
                        match (r.keys[0].0.as_str(), en) {
                            ("programme", false) => format!("{} chương trình", count(n)),
                            ("project", false) => format!("{} dự án mới", count(n)),
                            (_, false) => format!("{} dự án bổ sung", count(n)),
                            ("programme", true) => format!("{} programme(s)", count(n)),
                            ("project", true) => format!("{} new project(s)", count(n)),
                            (_, true) => format!("{} supplementary project(s)", count(n)),
                        }
                    })
                    .collect();
                let project_scope = Scope { filter: scope.filter.clone(), from, to };
                let value = self
                    .report(&ReportQuery {
                        measures: vec![Measure::CommittedOriginal, Measure::CommittedUsd, Measure::CommittedVnd],
                        by: vec![],
                        filters: vec![
                            project_scope.filter.clone(),
                            Filter {
                                dimension: Dimension::Kind,
                                values: vec!["programme".into(), "project".into(), "supplementary".into()],
                            },
                        ],
                        period: Period { from: Some(from), to: Some(to) },
                        as_of: None,
                    })
                    .await?;
                let t = &value.total.values;
                parts.push(if en {
                    format!(
                        "{} received, committed in the period {}",
                        names.join(" and "),
                        amount_vi(&t[0], &t[1], &t[2], true)
                    )
                } else {
                    format!(
                        "{} với tổng giá trị cam kết trong kỳ {}",
                        names.join(", "),
                        amount_vi(&t[0], &t[1], &t[2], false)
                    )
                });
            }
            for (code, vi, en_name) in [
                ("non_project", "khoản viện trợ phi dự án", "non-project item(s)"),
                ("emergency", "khoản cứu trợ khẩn cấp", "emergency aid item(s)"),
            ] {
                if let Some(r) = kinds.rows.iter().find(|r| r.keys[0].0 == code)
                    && received(code) > 0
                {
                    let n = received(code);
                    parts.push(if en {
                        format!(
                            "{} {en_name} worth {}",
                            count(n),
                            amount_vi(&r.values[1], &r.values[2], &r.values[3], true)
                        )
                    } else {
                        format!(
                            "{} {vi} với tổng giá trị cam kết trong kỳ {}",
                            count(n),
                            amount_vi(&r.values[1], &r.values[2], &r.values[3], false)
                        )
                    });
                }
            }
            if !parts.is_empty() {
                paragraphs.push(if en {
                    format!("By kind: {}.", parts.join("; "))
                } else {
                    format!("Trong đó: {}.", parts.join("; "))
                });
            }
        }

        // 4. What is active at the end of the period.
        let today = chrono::Utc::now().date_naive();
        let end = if to > today { today } else { to };
        let active = self
            .ask(
                &scope,
                &[
                    Measure::Items,
                    Measure::Organisations,
                    Measure::CommittedOriginal,
                    Measure::CommittedUsd,
                    Measure::CommittedVnd,
                ],
                &[],
                Some(end),
            )
            .await?;
        let a = &active.total.values;
        if number(&a[0]) > 0 {
            let date = vientro_domain::date::format_date_vi(end);
            paragraphs.push(if en {
                format!("As of {}, {} items funded by {} donors were active, with total committed capital of {}.", end, count(number(&a[0])), count(number(&a[1])), amount_vi(&a[2], &a[3], &a[4], true))
            } else {
                format!("Tính đến ngày {date}, trên địa bàn có {} chương trình, dự án, phi dự án đang triển khai do {} nhà tài trợ thực hiện, tổng vốn cam kết {}.", count(number(&a[0])), count(number(&a[1])), amount_vi(&a[2], &a[3], &a[4], false))
            });
            let levels = self.ask(&scope, &[Measure::Items], &[Dimension::ApprovalLevel], Some(end)).await?;
            let parts: Vec<String> = levels
                .rows
                .iter()
                .filter(|r| !r.keys[0].0.is_empty())
                .map(|r| {
                    if en {
                        format!("{} approved by {}", count(number(&r.values[0])), r.keys[0].0.replace('_', " "))
                    } else {
                        format!("{} do {} phê duyệt", count(number(&r.values[0])), r.keys[0].1)
                    }
                })
                .collect();
            if !parts.is_empty() {
                paragraphs.push(if en {
                    format!("Of these, {}.", parts.join(", "))
                } else {
                    format!("Trong số đó: {}.", parts.join(", "))
                });
            }
        }

        // 5. Organisations registered to operate in the province.
        let registered = self.ask(&scope, &[Measure::RegisteredOrganisations], &[Dimension::Year], None).await?;
        if !registered.rows.is_empty() {
            let parts: Vec<String> =
                registered.rows.iter().map(|r| format!("{}: {}", r.keys[0].0, count(number(&r.values[0])))).collect();
            paragraphs.push(if en {
                format!("Organisations registered to operate in the province, by year: {}.", parts.join("; "))
            } else {
                format!("Số tổ chức đăng ký hoạt động trên địa bàn theo năm: {}.", parts.join("; "))
            });
        }

        // 6. Approvals by level.
        let approvals = self.ask(&scope, &[Measure::ItemsApproved], &[Dimension::ApprovalLevel], None).await?;
        let approved_total = number(&approvals.total.values[0]);
        if approved_total > 0 {
            let parts: Vec<String> = approvals
                .rows
                .iter()
                .map(|r| {
                    if en {
                        format!("{} by {}", count(number(&r.values[0])), r.keys[0].0.replace('_', " "))
                    } else {
                        format!("{} {}", r.keys[0].1, count(number(&r.values[0])))
                    }
                })
                .collect();
            paragraphs.push(if en {
                format!("{when}, {} items were approved and received ({}).", count(approved_total), parts.join(", "))
            } else {
                format!(
                    "{when}, đã phê duyệt, tiếp nhận {} chương trình, dự án, phi dự án (cấp phê duyệt: {}).",
                    count(approved_total),
                    parts.join(", ")
                )
            });
        }

        // 7. Main sectors and 8. largest donors, by committed value.
        // Sectors are named by the national list (DAC codes map onto it), as provincial reports name them.
        let sectors = self.ask(&scope, &[Measure::CommittedUsd], &[Dimension::Sector], None).await?;
        let mut by_national: Vec<(vientro_domain::sector::VnSector, i64)> = Vec::new();
        for r in sectors.rows.iter().filter(|r| !r.keys[0].0.is_empty()) {
            let Ok(sector) = vientro_domain::sector::SectorRef::parse(&r.keys[0].0) else { continue };
            let national = sector.vn_sector();
            match by_national.iter_mut().find(|(n, _)| *n == national) {
                Some(entry) => entry.1 += number(&r.values[0]),
                None => by_national.push((national, number(&r.values[0]))),
            }
        }
        by_national.sort_by_key(|t| std::cmp::Reverse(t.1));
        if !by_national.is_empty() {
            let names: Vec<&str> =
                by_national.iter().take(4).map(|t| if en { t.0.name_en() } else { t.0.name_vi() }).collect();
            paragraphs.push(if en {
                format!("Main sectors: {}.", names.join("; "))
            } else {
                format!("Các lĩnh vực chính: {}.", names.join("; "))
            });
        }
        let donors = self
            .ask(
                &scope,
                &[
                    Measure::CommittedUsd,
                    Measure::Items,
                    Measure::CommittedOriginal,
                    Measure::CommittedVnd,
                    Measure::DisbursedOriginal,
                    Measure::DisbursedUsd,
                    Measure::DisbursedVnd,
                    Measure::DisbursementRate,
                ],
                &[Dimension::Donor],
                None,
            )
            .await?;
        let mut ranked: Vec<&vientro_domain::report::ReportRow> = donors.rows.iter().collect();
        ranked.sort_by(|a, b| number(&b.values[0]).cmp(&number(&a.values[0])));
        let communes =
            self.ask(&scope, &[Measure::Items], &[Dimension::Donor, Dimension::CommuneAsRecorded], None).await?;
        let mut lines = Vec::new();
        for r in ranked.iter().take(3) {
            let n_communes =
                communes.rows.iter().filter(|c| c.keys[0].0 == r.keys[0].0 && !c.keys[1].0.is_empty()).count();
            let communes_text = if n_communes > 0 {
                if en {
                    format!(" in {} communes", count(i64::try_from(n_communes).unwrap_or(0)))
                } else {
                    format!(" tại {} xã", count(i64::try_from(n_communes).unwrap_or(0)))
                }
            } else {
                String::new()
            };
            let v = &r.values;
            let rate = percent_text(&v[7], en);
            lines.push(if en {
                format!(
                    "{}: {} items{communes_text}, committed {}, disbursed {}{}",
                    r.keys[0].1,
                    count(number(&v[1])),
                    amount_vi(&v[2], &v[0], &v[3], true),
                    amount_vi(&v[4], &v[5], &v[6], true),
                    rate.map(|r| format!(" ({r})")).unwrap_or_default()
                )
            } else {
                format!(
                    "{}: {} dự án, phi dự án{communes_text}, tổng giá trị cam kết {}, đã giải ngân {}{}",
                    r.keys[0].1,
                    count(number(&v[1])),
                    amount_vi(&v[2], &v[0], &v[3], false),
                    amount_vi(&v[4], &v[5], &v[6], false),
                    rate.map(|r| format!(" (đạt {r} kế hoạch)")).unwrap_or_default()
                )
            });
        }
        if !lines.is_empty() {
            paragraphs.push(if en {
                format!("Largest donors: {}.", lines.join("; "))
            } else {
                format!("Các nhà tài trợ lớn: {}.", lines.join("; "))
            });
        }

        // 9. Rank among provinces by disbursement (today's map).
        let rank_query = ReportQuery {
            measures: vec![Measure::DisbursedUsd],
            by: vec![],
            filters: vec![],
            period: Period { from: Some(from), to: Some(to) },
            as_of: None,
        };
        if let Ok(code) = units.parse_province_in(province, UnitSet::From2025).or_else(|_| {
            units
                .parse_province_in(province, UnitSet::Pre2025)
                .map(|old| units.current_province_code(&old, UnitSet::Pre2025))
        }) && let Some(rank) =
            self.rank_provinces(&rank_query).await?.into_iter().find(|r| r.province == code.as_str())
            && rank.value > 0
        {
            let region = vientro_domain::admin_units::Region::from_code(&rank.region);
            paragraphs.push(if en {
                format!(
                    "By value disbursed, {} ranks {} of {} provinces nationally and {} of {} in its region ({}).",
                    rank.name,
                    rank.national,
                    rank.of_national,
                    rank.in_region,
                    rank.of_region,
                    region.map(|r| r.name_en()).unwrap_or_default()
                )
            } else {
                format!(
                    "Về giá trị giải ngân, {} đứng thứ {}/{} tỉnh, thành phố trên cả nước và thứ {}/{} trong vùng {}.",
                    rank.name,
                    rank.national,
                    rank.of_national,
                    rank.in_region,
                    rank.of_region,
                    region.map(|r| r.name_vi()).unwrap_or_default()
                )
            });
        }
        let _ = end.year();
        // 6. People-to-people diplomacy: the friendship union's associations and the border twinning pairs.
        if let Ok(code) = units.parse_province_in(province, UnitSet::From2025).or_else(|_| {
            units
                .parse_province_in(province, UnitSet::Pre2025)
                .map(|old| units.current_province_code(&old, UnitSet::Pre2025))
        }) {
            paragraphs.extend(self.people_paragraphs(code.as_str(), end, en).await?);
        }
        if let Some(note) = self.illustrative_note(en).await? {
            paragraphs.push(note);
        }
        Ok(Briefing { title, paragraphs })
    }

    /// The friendship union's associations and members, and the twinning pairs, as they stood on `day`.
    async fn people_paragraphs(&self, province: &str, day: NaiveDate, en: bool) -> Result<Vec<String>, ServiceError> {
        let people = self.people_on(province, day).await?;
        let mut out = Vec::new();
        if !people.associations.is_empty() {
            let n = i64::try_from(people.associations.len()).unwrap_or(i64::MAX);
            out.push(if en {
                format!(
                    "The provincial union of friendship organisations has {} friendship associations with {} members.",
                    n,
                    format_number_vi(Decimal::from(people.members), 0).replace('.', ",")
                )
            } else {
                format!(
                    "Liên hiệp các tổ chức hữu nghị tỉnh có {} hội hữu nghị với {} hội viên.",
                    count(n),
                    format_number_vi(Decimal::from(people.members), 0)
                )
            });
        }
        if !people.twinnings.is_empty() {
            let n = i64::try_from(people.twinnings.len()).unwrap_or(i64::MAX);
            let countries: Vec<String> = people
                .twinnings_by_country
                .keys()
                .filter_map(|c| vientro_domain::country::CountryCode::parse(c).ok())
                .map(|c| if en { c.name_en() } else { c.name_vi() }.to_owned())
                .collect();
            let mut by_level: Vec<(&(String, String), &usize)> = people.twinnings_by_level.iter().collect();
            by_level.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let levels: Vec<String> = by_level
                .into_iter()
                .map(|((local, partner), k)| {
                    let k = i64::try_from(*k).unwrap_or(i64::MAX);
                    if en {
                        format!("{k} {}–{}", level_words(local, en), level_words(partner, en))
                    } else {
                        format!("{} cặp {} – {}", count(k), level_words(local, en), level_words(partner, en))
                    }
                })
                .collect();
            out.push(if en {
                format!("{n} twinning pairs with counterparts in {}: {}.", countries.join(", "), levels.join(", "))
            } else {
                format!(
                    "Có {} cặp kết nghĩa giữa thôn, xã với phía {}: {}.",
                    count(n),
                    countries.join(", "),
                    levels.join(", ")
                )
            });
        }
        let whole = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        let year = day.year();
        let scholarships = self.scholarships(province, crate::people::FIRST_SCHOLARSHIP_YEAR, year).await?;
        if let Some(first) = scholarships.rows.first().map(|r| r.year) {
            let students = scholarships.students;
            let amount = MinorUnits(scholarships.amount_vnd);
            out.push(if en {
                format!(
                    "From {first} to {year} the province granted scholarships for {} student-turns from abroad, {} VND in all.",
                    format_number_vi(Decimal::from(students), 0).replace('.', ","),
                    format_number_vi(Decimal::from(amount.0), 0).replace('.', ",")
                )
            } else {
                format!(
                    "Từ năm {first} đến năm {year}, tỉnh cấp học bổng cho {} lượt học sinh, sinh viên nước ngoài, tổng cộng {}.",
                    count(students),
                    format_vnd_large_vi(amount)
                )
            });
        }
        if people.events > 0 {
            let (n, k) = (whole(people.events), whole(people.event_participants));
            out.push(if en {
                format!(
                    "In {year} the province held {n} {} with {k} {}.",
                    if n == 1 { "training or other people-to-people event," } else { "trainings and other people-to-people events," },
                    if k == 1 { "participant" } else { "participants" }
                )
            } else {
                format!(
                    "Năm {year}, tỉnh tổ chức {} lớp tập huấn, sự kiện đối ngoại nhân dân với {} lượt người, tổ chức tham dự.",
                    count(n),
                    count(k)
                )
            });
        }
        if people.delegations_in + people.delegations_out > 0 {
            let (i, o) = (whole(people.delegations_in), whole(people.delegations_out));
            out.push(if en {
                format!(
                    "In {year} it received {i} {} and sent {o} abroad.",
                    if i == 1 { "delegation" } else { "delegations" }
                )
            } else {
                format!("Năm {year}, tỉnh đón {} đoàn vào và cử {} đoàn ra.", count(i), count(o))
            });
        }
        Ok(out)
    }
}
