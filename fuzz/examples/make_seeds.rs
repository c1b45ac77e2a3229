//! Writes the generated seed files of the sheet targets into `fuzz/seeds/`: the product's own import
//! templates (Vietnamese and English, workbook and CSV), each part of the workbook template in the
//! `sheet_xlsx` target's one-part shape, and two filled examples as an officer would send them.
//!
//! Run from `fuzz/` with `cargo +nightly run --example make_seeds` after a change to the templates; the
//! output is committed. It owns only the seeds' content and must not touch the working corpus or artifacts.

use std::fs;
use std::path::Path;

use chrono::NaiveDate;
use vientro_interchange::sheet::{self, Field, Lang, SheetCell};

/// One filled row: (field, text as written in the CSV, cell as written in the workbook).
type FilledRow = Vec<(Field, &'static str, SheetCell)>;

fn text(s: &str) -> SheetCell {
    SheetCell::Text(s.to_owned())
}

fn date(y: i32, m: u32, d: u32) -> SheetCell {
    NaiveDate::from_ymd_opt(y, m, d).map_or(SheetCell::Empty, SheetCell::Date)
}

fn filled_rows() -> Vec<FilledRow> {
    vec![
        vec![
            (Field::Code, "CB-2021-004", text("CB-2021-004")),
            (Field::Title, "Nước sạch cho các xã vùng cao", text("Nước sạch cho các xã vùng cao")),
            (Field::Kind, "dự án", text("dự án")),
            (Field::Donor, "Plan International", text("Plan International")),
            (Field::DonorCountry, "Úc", text("Úc")),
            (Field::Province, "Cao Bằng", text("Cao Bằng")),
            (Field::District, "Bảo Lâm", text("Bảo Lâm")),
            (Field::Sector, "Nước sạch và vệ sinh", text("Nước sạch và vệ sinh")),
            (Field::Status, "đã phê duyệt", text("đã phê duyệt")),
            (Field::DecisionNumber, "482/QĐ-UBND", text("482/QĐ-UBND")),
            (Field::DecisionDate, "15/03/2021", date(2021, 3, 15)),
            (Field::ApprovalLevel, "UBND tỉnh", text("UBND tỉnh")),
            (Field::StartDate, "01/04/2021", date(2021, 4, 1)),
            (Field::EndDate, "31/03/2023", date(2023, 3, 31)),
            (Field::Currency, "VNĐ", text("VNĐ")),
            (Field::Committed, "53,9 tỷ", text("53,9 tỷ")),
            (Field::CommittedDate, "15/03/2021", date(2021, 3, 15)),
            (Field::Disbursed, "12.500.000.000", SheetCell::Number(12_500_000_000.0)),
            (Field::DisbursedDate, "30/06/2021", date(2021, 6, 30)),
        ],
        vec![
            (Field::Code, "CB-2021-005", text("CB-2021-005")),
            (Field::Title, "Hỗ trợ người cao tuổi ứng phó COVID-19", text("Hỗ trợ người cao tuổi ứng phó COVID-19")),
            (Field::Kind, "phi dự án", text("phi dự án")),
            (Field::Donor, "HelpAge International", text("HelpAge International")),
            (Field::Province, "04", text("04")),
            (Field::Status, "đang triển khai", text("đang triển khai")),
            (Field::Currency, "USD", text("USD")),
            (Field::Committed, "1.441.700,50", SheetCell::Number(1_441_700.5)),
            (Field::CommittedDate, "2021-06", text("2021-06")),
            (Field::Disbursed, "200 triệu đồng", text("200 triệu đồng")),
            (Field::Note, "ngày giải ngân chưa rõ", text("ngày giải ngân chưa rõ")),
        ],
    ]
}

fn csv_field(s: &str) -> String {
    if s.contains([';', '"', '\n', ',']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    let path = dir.join(name);
    if let Err(e) = fs::write(&path, bytes) {
        eprintln!("cannot write {}: {e}", path.display());
        std::process::exit(1);
    }
    println!("{} ({} bytes)", path.display(), bytes.len());
}

fn main() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let xlsx_dir = seeds.join("sheet_xlsx");
    let csv_dir = seeds.join("sheet_csv");
    for dir in [&xlsx_dir, &csv_dir] {
        if let Err(e) = fs::create_dir_all(dir) {
            eprintln!("cannot create {}: {e}", dir.display());
            std::process::exit(1);
        }
    }

    // Templates, as downloaded; the workbook with the target's "whole file" shape byte (0) in front.
    for (lang, tag) in [(Lang::Vi, "vi"), (Lang::En, "en")] {
        let Ok(workbook) = sheet::template_xlsx(lang) else {
            eprintln!("the {tag} template cannot be written");
            std::process::exit(1);
        };
        write(&xlsx_dir, &format!("template-{tag}.bin"), &[&[0_u8][..], &workbook].concat());
        write(&csv_dir, &format!("template-{tag}.csv"), &sheet::template_csv(lang));
    }

    // Each XML part of the Vietnamese template in the one-part shape (odd byte 2 × index + 1, then the part).
    for (i, (name, content)) in vientro_fuzz::template_parts().iter().enumerate() {
        if !name.ends_with(".xml")
            || !(name.contains("sheet")
                || name.contains("sharedStrings")
                || name.contains("styles")
                || name.contains("workbook"))
        {
            continue;
        }
        let Ok(shape) = u8::try_from(2 * i + 1) else { continue };
        let file = format!("part-{}.bin", name.replace(['/', '[', ']'], "_"));
        write(&xlsx_dir, &file, &[&[shape][..], content].concat());
    }

    // Filled examples: a title line above the header, Vietnamese amounts and dates, an amount with its unit.
    let headers: Vec<&str> = Field::ALL.iter().map(|f| f.header(Lang::Vi)).collect();
    let mut csv = String::from("\u{feff}DANH MỤC CÁC KHOẢN VIỆN TRỢ PCPNN NĂM 2021\n");
    csv.push_str(&headers.iter().map(|h| csv_field(h)).collect::<Vec<_>>().join(";"));
    csv.push('\n');
    let mut cells = vec![vec![text("DANH MỤC CÁC KHOẢN VIỆN TRỢ PCPNN NĂM 2021")]];
    cells.push(headers.iter().map(|h| text(h)).collect());
    for row in filled_rows() {
        let find = |f: Field| row.iter().find(|(g, _, _)| *g == f);
        let line: Vec<String> =
            Field::ALL.iter().map(|f| find(*f).map_or(String::new(), |(_, t, _)| csv_field(t))).collect();
        csv.push_str(&line.join(";"));
        csv.push('\n');
        cells.push(Field::ALL.iter().map(|f| find(*f).map_or(SheetCell::Empty, |(_, _, c)| c.clone())).collect());
    }
    write(&csv_dir, "filled-vi.csv", csv.as_bytes());
    match sheet::write_xlsx("Danh mục 2021", &cells) {
        Ok(workbook) => write(&xlsx_dir, "filled-vi.bin", &[&[0_u8][..], &workbook].concat()),
        Err(e) => {
            eprintln!("the filled workbook cannot be written: {e}");
            std::process::exit(1);
        }
    }
}
