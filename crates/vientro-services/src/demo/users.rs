//! The demonstration users (`serve --demo` only): an administrator, the Cao Bằng and Lạng Sơn officers, a Cao
//! Bằng approver and an NGO reporter, all with the password `demo`. Created once; never in normal mode.
//!
//! This module must not be reachable from anything but demo mode: the CLI calls it only with `--demo`.

use vientro_domain::access::{Principal, Role};
use vientro_domain::admin_units::ProvinceCode;
use vientro_domain::ids::AidItemId;
use vientro_store::listing::ItemFilter;

use crate::accounts::UserInput;
use crate::{Actor, ServiceError, Services};

/// The password of every demonstration user.
pub const DEMO_PASSWORD: &str = "demo";

/// The demonstration users and what each may do, as printed at start-up.
pub const DEMO_USERS: [(&str, &str); 5] = [
    ("admin", "administrator"),
    ("caobang", "officer, Cao Bằng"),
    ("langson", "officer, Lạng Sơn"),
    ("pheduyet", "approver, Cao Bằng"),
    ("ngo", "NGO reporter (a donor of Cao Bằng items)"),
];

/// A demonstration user as created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoUser {
    /// Login name.
    pub username: String,
    /// What they can do, in words.
    pub description: String,
}

/// A user to create: login, display name, role, province, organisation, description.
type Planned<'a> = (&'a str, &'a str, Role, Option<&'a str>, Option<i64>, String);

/// Creates the demonstration users that are missing and lists them all.
pub async fn ensure_demo_users(services: &Services) -> Result<Vec<DemoUser>, ServiceError> {
    let cao_bang = ProvinceCode::parse("04")?;
    let ngo = reporter_organisation(services, &cao_bang).await?;
    let mut plan: Vec<Planned<'_>> = vec![
        ("admin", "Quản trị hệ thống", Role::Admin, None, None, "administrator".into()),
        ("caobang", "Cán bộ Sở Ngoại vụ Cao Bằng", Role::ProvinceOfficer, Some("04"), None, "officer, Cao Bằng".into()),
        ("langson", "Cán bộ Sở Ngoại vụ Lạng Sơn", Role::ProvinceOfficer, Some("20"), None, "officer, Lạng Sơn".into()),
        (
            "pheduyet",
            "Lãnh đạo UBND tỉnh Cao Bằng",
            Role::ProvinceApprover,
            Some("04"),
            None,
            "approver, Cao Bằng".into(),
        ),
    ];
    if let Some((id, name)) = &ngo {
        plan.push((
            "ngo",
            "Cán bộ tổ chức phi chính phủ",
            Role::NgoReporter,
            None,
            Some(*id),
            format!("NGO reporter, {name}"),
        ));
    }
    let mut users = Vec::new();
    let mut db = services.db().clone();
    for (username, display, role, province, organisation, description) in plan {
        if vientro_store::accounts::user_by_username(&mut db, username).await?.is_none() {
            let input = UserInput {
                username: username.to_owned(),
                display_name: Some(display.to_owned()),
                password: DEMO_PASSWORD.to_owned(),
                role: role.as_str().to_owned(),
                province: province.map(str::to_owned),
                organisation,
            };
            services.add_user(&Actor::system(), &input).await?;
        }
        users.push(DemoUser { username: username.to_owned(), description });
    }
    Ok(users)
}

/// VND per USD for the years after the vendored table ends (2024-09), so demo users can record flows dated
/// today. Approximate yearly averages of the market rate, marked as demonstration values: a real
/// installation enters the State Bank's rates with `vientro rate add`.
const DEMO_VND_RATES: [(&str, &str); 2] = [("2025", "25500"), ("2026", "26200")];

/// Enters the demonstration VND rates that are missing (an entered rate of the same period is kept).
pub async fn ensure_demo_rates(services: &Services) -> Result<usize, ServiceError> {
    let mut entered = 0;
    for (year, rate) in DEMO_VND_RATES {
        let note = Some("minh họa / demo: approximate, not an official rate".to_owned());
        match services.enter_rate(&Actor::system(), "VND", year, rate, note).await {
            Ok(_) => entered += 1,
            Err(ServiceError::Invalid(_)) => {} // already entered for that period
            Err(other) => return Err(other),
        }
    }
    Ok(entered)
}

/// The donor of the most recent Cao Bằng item: the organisation the `ngo` user reports for.
async fn reporter_organisation(
    services: &Services,
    province: &ProvinceCode,
) -> Result<Option<(i64, String)>, ServiceError> {
    let everyone = Principal::User { role: Role::Central, province: None, organisation: None };
    let filter = ItemFilter { province: Some(province.clone()), ..Default::default() };
    let page = services.list_aid_items(&everyone, &filter, 1, 20).await?;
    for item in page.rows {
        let view = services.aid_item_view(&everyone, AidItemId(item.id)).await?;
        for donor in view.donors {
            let org = services.organisation(vientro_domain::ids::OrganisationId(donor.organisation_id)).await?;
            if org.kind == "foreign_ngo" {
                return Ok(Some((org.id, org.name)));
            }
        }
    }
    Ok(None)
}
