//! Issue acceptance through the command line: `vientro demo`, then `briefing` and `report` as an officer runs them.

use std::process::Command;
use std::sync::OnceLock;

use crate::stdout;

/// One demo database for every test here (they only read it).
fn demo_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let url = format!("sqlite://{}", dir.join("demo.db").display());
        let out = Command::new(env!("CARGO_BIN_EXE_vientro")).args(["demo", "--database-url", &url]).output().unwrap();
        assert!(out.status.success(), "vientro demo failed: {out:?}");
        url
    })
}

fn vientro(args: &[&str]) -> String {
    let out =
        Command::new(env!("CARGO_BIN_EXE_vientro")).args(args).args(["--database-url", demo_url()]).output().unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
    stdout(&out)
}

#[test]
fn the_cao_bang_2021_briefing_quotes_the_articles_figures() {
    let text = vientro(&["briefing", "--province", "Cao Bằng", "--year", "2021"]);
    for figure in ["1.441.700", "1.273.388", "28", "10", "88,33 %"] {
        assert!(text.contains(figure), "missing {figure} in:\n{text}");
    }
}

#[test]
fn the_lang_son_2019_briefing_gives_the_project_and_non_project_values() {
    let text = vientro(&["briefing", "--province", "Lạng Sơn", "--year", "2019"]);
    for figure in ["114.673", "161.180"] {
        assert!(text.contains(figure), "missing {figure} in:\n{text}");
    }
}

#[test]
fn the_quang_ninh_briefings_give_31_and_20_registered_organisations() {
    let y2019 = vientro(&["briefing", "--province", "Quảng Ninh", "--year", "2019"]);
    assert!(y2019.contains("2019: 31"), "{y2019}");
    let y2020 = vientro(&["briefing", "--province", "Quảng Ninh", "--year", "2020"]);
    assert!(y2020.contains("2020: 20"), "{y2020}");
}

#[test]
fn childfund_in_bac_kan_and_in_thai_nguyen_gives_the_same_figures() {
    for province in ["Bắc Kạn", "Thái Nguyên"] {
        let text = vientro(&["briefing", "--province", province, "--from", "2015", "--to", "2023"]);
        let line = text.lines().find(|l| l.contains("ChildFund")).unwrap_or_else(|| panic!("no ChildFund in:\n{text}"));
        for figure in ["16 dự án", "53,9 tỷ đồng", "48,9 tỷ đồng", "90,7"] {
            assert!(line.contains(figure), "{province}: missing {figure} in: {line}");
        }
    }
}

#[test]
fn a_report_gives_the_same_total_as_json_csv_and_xlsx() {
    let args = ["report", "--measures", "committed_usd", "--by", "year", "--where", "province=04"];
    let json: serde_json::Value = serde_json::from_str(&vientro(&[&args[..], &["--format", "json"]].concat())).unwrap();
    let rows = json.as_array().unwrap();
    assert!(!rows.is_empty());
    for row in rows {
        let keys: Vec<&str> = row.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, vec!["year", "committed_usd"]);
    }
    let cents = |v: f64| (v * 100.0).round() as i64;
    let json_total: i64 = rows.iter().map(|r| cents(r["committed_usd"].as_f64().unwrap())).sum();

    let csv = vientro(&[&args[..], &["--format", "csv"]].concat());
    let mut csv_rows = 0i64;
    let mut csv_total_row = 0i64;
    for line in csv.trim_start_matches('\u{feff}').lines().skip(1) {
        let value: f64 = line.rsplit(',').next().unwrap().parse().unwrap();
        if line.starts_with("Tổng cộng") || line.starts_with("\"Tổng cộng") {
            csv_total_row = cents(value)
        } else {
            csv_rows += cents(value)
        }
    }
    assert_eq!(csv_rows, json_total);
    assert_eq!(csv_total_row, json_total);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.xlsx");
    vientro(&[&args[..], &["--format", "xlsx", "--out", path.to_str().unwrap()]].concat());
    use calamine::{DataType, Reader, open_workbook_auto};
    let mut book = open_workbook_auto(&path).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let total_row = sheet.rows().find(|r| r.iter().any(|c| *c == "Tổng cộng")).expect("a total row");
    let xlsx_total = total_row.iter().rev().find_map(|c| c.get_float()).unwrap();
    assert_eq!(cents(xlsx_total), json_total);
}

#[test]
fn cao_bang_s_2021_annual_report_prints_the_year_s_figures_and_writes_a_workbook_of_eight_sheets() {
    let text = vientro(&["periodic", "--province", "Cao Bằng", "--year", "2021"]);
    assert!(text.starts_with("Báo cáo năm về viện trợ phi chính phủ nước ngoài: Tỉnh Cao Bằng (2021)"), "{text}");
    for figure in ["1.441.700 USD", "1.273.388 USD", "88,33 %", "8. Tổ chức đăng ký hoạt động tại tỉnh"]
    {
        assert!(text.contains(figure), "{figure}: {text}");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bao-cao.xlsx");
    vientro(&["periodic", "--province", "04", "--year", "2021", "--out", path.to_str().unwrap()]);
    use calamine::{DataType, Reader, open_workbook_auto};
    let mut book = open_workbook_auto(&path).unwrap();
    assert_eq!(book.sheet_names().len(), 8, "{:?}", book.sheet_names());
    let summary = book.worksheet_range_at(0).unwrap().unwrap();
    let total = summary.rows().find(|r| r.iter().any(|c| *c == "Tổng cộng")).expect("a total row");
    let numbers: Vec<f64> = total.iter().filter_map(|c| c.get_float()).collect();
    assert!(numbers.contains(&1_441_700.0) && numbers.contains(&1_273_388.0), "{numbers:?}");
}

#[test]
fn the_board_names_the_provinces_whose_reports_are_missing() {
    let text = vientro(&["periodic", "board", "--year", "2025", "--as-of", "2026-11-26"]);
    assert_eq!(text.lines().filter(|l| l.contains("năm: ")).count(), 34, "{text}");
    let lai_chau = text.lines().find(|l| l.contains("Lai Châu")).unwrap();
    assert!(lai_chau.contains("năm: chưa gửi (hạn 15/01/2026)"), "{lai_chau}");
    let cao_bang = text.lines().find(|l| l.contains("Cao Bằng")).unwrap();
    assert!(cao_bang.contains("năm: đã nhận 12/01/2026"), "{cao_bang}");
}

#[test]
fn matching_for_cao_bang_lists_organisations_with_their_reasons() {
    let text = vientro(&["match", "--province", "Cao Bằng", "--as-of", "2026-11-26"]);
    assert!(text.contains("tỉnh Cao Bằng"), "{text}");
    assert!(text.contains(" 1. ") && text.contains("10. "), "ten organisations:\n{text}");
    for reason in ["lĩnh vực phù hợp", "đã tài trợ", "giấy đăng ký còn hiệu lực"] {
        assert!(text.contains(reason), "missing the reason '{reason}' in:\n{text}");
    }
}

#[test]
fn the_reverse_match_ranks_open_proposals_for_the_organisation_that_funded_the_first_match() {
    // The organisation ranked first for Cao Bằng has a funding record to rank proposals with.
    let json = vientro(&["match", "--province", "Cao Bằng", "--as-of", "2026-11-26", "--limit", "1", "--json"]);
    let first: serde_json::Value = serde_json::from_str(&json).unwrap();
    let organisation = first["organisations"][0]["organisation"].as_i64().unwrap().to_string();
    let text = vientro(&["match", "--organisation", &organisation, "--as-of", "2026-11-26"]);
    assert!(text.contains(" 1. [") && text.contains("Tỉnh Cao Bằng"), "{text}");
    assert!(text.contains("đứng thứ") && text.contains("lĩnh vực phù hợp"), "its place and reasons:\n{text}");
    let json = vientro(&["match", "--organisation", &organisation, "--as-of", "2026-11-26", "--json"]);
    let ranked: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    let scores: Vec<f64> = ranked.iter().map(|r| r["candidate"]["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "best first: {scores:?}");
    assert!(
        ranked.iter().all(|r| ["listed", "matched", "dossier"].contains(&r["proposal"]["status"].as_str().unwrap()))
    );
}

#[test]
fn the_matching_backtest_prints_hit_rates_and_mrr_beside_both_baselines() {
    let text = vientro(&["match", "backtest", "--before", "2020"]);
    for row in ["| vientro match |", "| baseline: most active overall |", "| baseline: most active in the province |"] {
        assert!(text.contains(row), "missing {row} in:\n{text}");
    }
    assert!(text.contains("hit@5 | hit@10 | MRR"), "{text}");
    assert!(text.contains("the method beats both baselines"), "{text}");
}

#[test]
fn the_watch_list_names_every_kind_of_alert_in_the_demo_data() {
    let text = vientro(&["watch", "--as-of", "2026-11-26"]);
    for heading in [
        "Giấy đăng ký sắp hết hạn (3)",
        "Tổ chức chưa nộp báo cáo năm (Mẫu 05)",
        "Đã phê duyệt nhưng chưa giải ngân",
        "Thẩm định quá thời hạn (1)",
        "Giải ngân chậm so với tiến độ",
        "Tỉnh chưa gửi báo cáo định kỳ (3)",
    ] {
        assert!(text.contains(heading), "missing {heading} in:\n{text}");
    }
    let rules = vientro(&["watch", "rules"]);
    assert!(rules.contains("\"appraisal_days\": 20"), "{rules}");
}

#[test]
fn the_quang_ninh_2021_briefing_includes_the_associations_members_and_twinning_pairs() {
    let text = vientro(&["briefing", "--province", "Quảng Ninh", "--year", "2021"]);
    for words in [
        "06 hội hữu nghị với 1.797 hội viên",
        "08 cặp kết nghĩa",
        "07 cặp thôn – thôn",
        "01 cặp xã – trấn",
        "02 lớp tập huấn, sự kiện đối ngoại nhân dân với 08 lượt người, tổ chức tham dự",
        "Từ năm 2011 đến năm 2021, tỉnh cấp học bổng cho 407 lượt học sinh, sinh viên nước ngoài",
    ] {
        assert!(text.contains(words), "missing '{words}' in:\n{text}");
    }
}

/// A one-message SMTP server on a random port that hands back what it received.
fn smtp_sink() -> (u16, std::sync::mpsc::Receiver<String>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (sent, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut out = stream;
        let mut say = |text: &str| out.write_all(text.as_bytes()).unwrap();
        say("220 sink ESMTP\r\n");
        let (mut message, mut in_data) = (String::new(), false);
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            if in_data {
                if line == ".\r\n" {
                    in_data = false;
                    say("250 queued\r\n");
                } else {
                    message.push_str(&line);
                }
                continue;
            }
            let command = line.to_ascii_uppercase();
            if command.starts_with("EHLO") {
                say("250-sink\r\n250 8BITMIME\r\n");
            } else if command.starts_with("DATA") {
                in_data = true;
                say("354 go on\r\n");
            } else if command.starts_with("QUIT") {
                say("221 bye\r\n");
                break;
            } else {
                say("250 ok\r\n");
            }
        }
        let _ = sent.send(message);
    });
    (port, received)
}

#[test]
fn the_watch_digest_is_mailed_through_the_smtp_relay() {
    let (port, received) = smtp_sink();
    let smtp = format!("smtp://127.0.0.1:{port}");
    let text = vientro(&[
        "watch",
        "--as-of",
        "2026-11-26",
        "--province",
        "Cao Bằng",
        "--mail-to",
        "so-ngoai-vu@caobang.example.vn",
        "--mail-from",
        "vientro@example.vn",
        "--smtp",
        &smtp,
    ]);
    assert!(text.contains("sent to so-ngoai-vu@caobang.example.vn"), "{text}");
    let raw = received.recv_timeout(std::time::Duration::from_secs(20)).expect("the relay received a message");
    assert!(raw.contains("To: so-ngoai-vu@caobang.example.vn"), "{raw}");
    assert!(raw.contains("Content-Type: text/plain; charset=utf-8"), "{raw}");
    // The body as the reader's mail program shows it, whichever transfer encoding was chosen.
    let (headers, body) = raw.split_once("\r\n\r\n").expect("headers, then the body");
    let message = if headers.contains("Content-Transfer-Encoding: base64") {
        use base64::Engine;
        let joined: String = body.split_whitespace().collect();
        String::from_utf8(base64::engine::general_purpose::STANDARD.decode(joined).unwrap()).unwrap()
    } else {
        body.to_owned()
    };
    assert!(message.contains("Giấy đăng ký sắp hết hạn (3)"), "{message}");
    assert!(message.contains("Thẩm định quá thời hạn (1)"), "{message}");
    assert!(!message.contains("Tỉnh Lai Châu"), "only Cao Bằng's alerts: {message}");
}
