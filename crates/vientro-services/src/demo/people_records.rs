//! Illustrative people-to-people records beyond the figures of the sources: the members of Quảng Ninh's
//! friendship associations (people and organisations), the activities of its twinning pairs, and trainings and
//! exchanges with their participants in Quảng Ninh and Cao Bằng. Every name is marked "(minh họa)".
//!
//! It enters them as an officer would, through the one form description of each kind; it must not change the
//! counts the sources give (associations, member counts, twinning pairs).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use vientro_domain::people::{PartRow, PeopleKind, PeopleRecord};
use vientro_store::Tx;

use crate::people_records::{add_part_row_in, record_people_in};
use crate::{Actor, ServiceError};

/// Members of every Quảng Ninh association: (kind, name, role).
const ASSOCIATION_MEMBERS: [(&str, &str, &str); 3] = [
    ("person", "Chủ tịch hội (minh họa)", "Chủ tịch"),
    ("person", "Phó chủ tịch hội (minh họa)", "Phó chủ tịch"),
    ("organisation", "Sở Ngoại vụ tỉnh Quảng Ninh (minh họa)", "hội viên tập thể"),
];

/// Trainings and exchanges: (province, kind, title, first day, last day, place, partner country, participants as
/// (kind, name)).
type Event = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);
const EVENTS: [Event; 4] = [
    (
        "22",
        "training",
        "Tập huấn nghiệp vụ đối ngoại nhân dân cho cán bộ các hội hữu nghị (minh họa)",
        "2021-06-15",
        "2021-06-16",
        "Thành phố Hạ Long",
        "",
        &[
            ("organisation", "Hội Hữu nghị Việt Nam – Trung Quốc tỉnh Quảng Ninh (minh họa)"),
            ("organisation", "Hội Hữu nghị Việt Nam – Lào tỉnh Quảng Ninh (minh họa)"),
            ("person", "Học viên số 1 (minh họa)"),
            ("person", "Học viên số 2 (minh họa)"),
            ("person", "Học viên số 3 (minh họa)"),
        ],
    ),
    (
        "22",
        "exchange",
        "Giao lưu hữu nghị thanh niên biên giới Việt – Trung (minh họa)",
        "2021-11-20",
        "",
        "Thành phố Móng Cái",
        "CN",
        &[
            ("organisation", "Tỉnh đoàn Quảng Ninh (minh họa)"),
            ("organisation", "Đoàn thanh niên thành phố Đông Hưng, Quảng Tây (minh họa)"),
            ("person", "Đại biểu thanh niên (minh họa)"),
        ],
    ),
    (
        "22",
        "culture",
        "Giao lưu văn hóa Việt – Lào mừng Tết Bunpimay (minh họa)",
        "2026-04-12",
        "",
        "Thành phố Hạ Long",
        "LA",
        &[("organisation", "Lưu học sinh Lào tại Quảng Ninh (minh họa)")],
    ),
    (
        "04",
        "training",
        "Tập huấn vận động viện trợ phi chính phủ nước ngoài cho cán bộ xã (minh họa)",
        "2026-05-12",
        "2026-05-13",
        "Thành phố Cao Bằng",
        "",
        &[
            ("organisation", "Sở Ngoại vụ tỉnh Cao Bằng (minh họa)"),
            ("person", "Cán bộ xã Đàm Thủy (minh họa)"),
            ("person", "Cán bộ xã Trùng Khánh (minh họa)"),
        ],
    ),
];

fn form(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

async fn add(
    tx: &mut Tx,
    actor: &Actor,
    kind: PeopleKind,
    parent: i64,
    part: &str,
    fields: &[(&str, &str)],
) -> Result<(), ServiceError> {
    let part = kind.part(part).map_err(vientro_domain::ValidationErrors::from)?;
    add_part_row_in(tx, actor, parent, &PartRow::parse(part, &form(fields))?).await
}

/// Loads the records in the caller's transaction, after the associations and twinning pairs.
pub(super) async fn load(tx: &mut Tx, actor: &Actor, today: NaiveDate) -> Result<(), ServiceError> {
    for association in vientro_store::people::associations_on(tx, "22", today).await? {
        for (kind, name, role) in ASSOCIATION_MEMBERS {
            let joined = association.founded_on.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default();
            let fields = [("member_kind", kind), ("name", name), ("role", role), ("joined_on", joined.as_str())];
            add(tx, actor, PeopleKind::Association, association.id, "members", &fields).await?;
        }
    }
    for twinning in vientro_store::people::twinnings_on(tx, "22", today).await? {
        let signed = twinning.signed_on.format("%Y-%m-%d").to_string();
        let fields = [("held_on", signed.as_str()), ("title", "Ký kết và giao lưu văn nghệ, thể thao (minh họa)")];
        add(tx, actor, PeopleKind::Twinning, twinning.id, "activities", &fields).await?;
    }
    for (province, kind, title, starts, ends, place, country, participants) in EVENTS {
        let fields = [
            ("province_code", province),
            ("kind", kind),
            ("title", title),
            ("starts_on", starts),
            ("ends_on", ends),
            ("place", place),
            ("partner_country", country),
            ("organisers", "Liên hiệp các tổ chức hữu nghị tỉnh (minh họa)"),
        ];
        let event = PeopleRecord::parse(PeopleKind::Event, &form(&fields))?;
        let id = record_people_in(tx, actor, &event, true).await?;
        for (kind, name) in participants {
            add(tx, actor, PeopleKind::Event, id, "participants", &[("participant_kind", kind), ("name", name)])
                .await?;
        }
    }
    Ok(())
}
