//! `vientro watch`: the alerts of the deadline rules on a day, grouped by kind, in the words the dashboards use
//! (the web application's message catalog); `vientro watch rules` shows or replaces the rules.
//!
//! It parses arguments and prints; the alerts are the services'. It must not hold a deadline.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::NaiveDate;
use clap::Subcommand;
use vientro_domain::access::{Principal, Role};
use vientro_domain::admin_units::AdminUnits;
use vientro_domain::watch::{Alert, AlertKind};
use vientro_services::Services;
use vientro_web::i18n::{Catalog, Tr};

use crate::cli::{Lang, user_error};

/// Arguments of `vientro watch`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct WatchArgs {
    #[command(subcommand)]
    command: Option<WatchCommand>,
    /// The day to check (default: today).
    #[arg(long)]
    as_of: Option<NaiveDate>,
    /// Only what a provincial officer of this province sees (code or name).
    #[arg(long)]
    province: Option<String>,
    /// Language.
    #[arg(long, value_enum, default_value_t = Lang::Vi)]
    lang: Lang,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Send the list as an e-mail digest to this address (repeatable) instead of printing it; run it daily
    /// from cron or a systemd timer.
    #[arg(long = "mail-to")]
    mail_to: Vec<String>,
    /// The SMTP relay: smtp://HOST[:PORT] (plain SMTP to a relay on the server or the local network, which
    /// handles TLS onward).
    #[arg(long, env = "VIENTRO_SMTP_URL")]
    smtp: Option<String>,
    /// The sender address.
    #[arg(long = "mail-from", env = "VIENTRO_MAIL_FROM", default_value = "vientro@localhost")]
    mail_from: String,
}

#[derive(Debug, Subcommand)]
enum WatchCommand {
    /// Print the deadline rules in force as JSON, or replace them with `--set FILE` (fields left out take their
    /// defaults).
    Rules {
        /// A JSON file of rules.
        #[arg(long)]
        set: Option<std::path::PathBuf>,
    },
}

/// Runs `vientro watch`.
pub(crate) async fn run(services: &Services, args: &WatchArgs) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    if let Some(WatchCommand::Rules { set }) = &args.command {
        let rules = match set {
            Some(path) => {
                let json = std::fs::read_to_string(path)
                    .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
                services.set_watch_rules(&crate::cli::cli_actor(), &json).await.map_err(user_error)?
            }
            None => services.watch_rules().await.map_err(user_error)?,
        };
        out.write_all((serde_json::to_string_pretty(&rules)? + "\n").as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    let as_of = args.as_of.unwrap_or_else(vientro_web::i18n::today_in_viet_nam);
    let who = match &args.province {
        Some(p) => {
            let code =
                AdminUnits::embedded().parse_province(p).map_err(|e| anyhow::anyhow!("province: {}", e.message))?;
            Principal::User { role: Role::ProvinceOfficer, province: Some(code), organisation: None }
        }
        None => Principal::User { role: Role::Central, province: None, organisation: None },
    };
    let alerts = services.watch(&who, as_of).await.map_err(user_error)?;
    if args.json {
        out.write_all((serde_json::to_string_pretty(&alerts)? + "\n").as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    let catalog = Arc::new(Catalog::load().map_err(|e| anyhow::anyhow!("the message catalog: {e}"))?);
    let lang = if args.lang == Lang::En { vientro_web::i18n::Lang::En } else { vientro_web::i18n::Lang::Vi };
    let tr = Tr::new(catalog, lang);
    let body = text(&tr, as_of, &alerts);
    if args.mail_to.is_empty() {
        out.write_all(body.as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    let Some(smtp) = &args.smtp else {
        anyhow::bail!("smtp: give --smtp smtp://HOST[:PORT] or set VIENTRO_SMTP_URL to send the digest");
    };
    let subject = format!("{} ({})", tr.t1("watch-as-of", "date", tr.date(&as_of)), tr.count(&alerts.len()));
    send(smtp, &args.mail_from, &args.mail_to, &format!("vientro: {subject}"), body).await?;
    out.write_all(format!("digest of {} alerts sent to {}\n", alerts.len(), args.mail_to.join(", ")).as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// Sends `body` as a plain-text UTF-8 message through a plain SMTP relay.
async fn send(smtp: &str, from: &str, to: &[String], subject: &str, body: String) -> anyhow::Result<()> {
    use lettre::message::header::ContentType;
    use lettre::message::{Body, Mailbox, SinglePart};
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
    let rest = smtp.strip_prefix("smtp://").ok_or_else(|| anyhow::anyhow!("smtp: the relay is smtp://HOST[:PORT]"))?;
    let (host, port) = match rest.trim_end_matches('/').rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<u16>().map_err(|_| anyhow::anyhow!("smtp: '{p}' is not a port"))?),
        None => (rest.trim_end_matches('/'), 25),
    };
    let mailbox = |field: &str, a: &str| -> anyhow::Result<Mailbox> {
        a.parse().map_err(|e| anyhow::anyhow!("{field}: '{a}' is not an e-mail address ({e})"))
    };
    let mut message = Message::builder().from(mailbox("mail-from", from)?).subject(subject);
    for address in to {
        message = message.to(mailbox("mail-to", address)?);
    }
    // UTF-8 text; lettre chooses the transfer encoding (base64 for Vietnamese text).
    let body = Body::new(body);
    let message = message.singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(body))?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host).port(port).build();
    transport.send(message).await.map_err(|e| anyhow::anyhow!("cannot send the digest through {smtp}: {e}"))?;
    Ok(())
}

fn text(t: &Tr, as_of: NaiveDate, alerts: &[Alert]) -> String {
    let mut s = format!("{}. {}\n", t.t("watch-title"), t.t1("watch-as-of", "date", t.date(&as_of)));
    if alerts.is_empty() {
        s.push_str(&format!("{}\n", t.t("watch-none")));
    }
    for kind in AlertKind::ALL {
        let of_kind: Vec<&Alert> = alerts.iter().filter(|a| a.kind == kind).collect();
        if of_kind.is_empty() {
            continue;
        }
        s.push_str(&format!("\n{} ({})\n", t.alert_kind(&kind), t.count(&of_kind.len())));
        for a in of_kind {
            s.push_str(&format!("  - {}\n", t.alert(a)));
        }
    }
    s
}
