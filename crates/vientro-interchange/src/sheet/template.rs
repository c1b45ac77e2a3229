//! Downloadable import templates, in Vietnamese or English: the header row, one example row marked as an
//! example (so importing the untouched template imports nothing), and, in the workbook, an instruction sheet
//! listing each column, whether it is required, the values it accepts and its format.
//!
//! This module owns the template's wording and layout only; what a cell may hold is the domain's and
//! `rows`'s to decide, and the lists here are read from the domain's own enums so they cannot drift.

use chrono::NaiveDate;
use rust_xlsxwriter::{Color, Format, Workbook, XlsxError};
use vientro_domain::aid_item::{AidKind, AidStatus, ApprovalLevel};
use vientro_domain::organisation::OrganisationKind;
use vientro_domain::sector::VnSector;

use super::Lang;
use super::mapping::Field;

/// One example value: text, an amount (a number in the workbook) or a date (a date in the workbook).
enum Example {
    Text(&'static str),
    Amount(f64, &'static str),
    Date(u32, u32, i32),
}

fn example(field: Field, lang: Lang) -> Example {
    let vi = lang == Lang::Vi;
    let t = |v: &'static str, e: &'static str| Example::Text(if vi { v } else { e });
    match field {
        Field::Code => Example::Text("CB-2010-001"),
        Field::Title => Example::Text("Xây dựng lớp học hoà nhập cho trẻ khuyết tật"),
        Field::TitleEn => Example::Text("Inclusive classrooms for children with disabilities"),
        Field::Kind => t("dự án", "project"),
        Field::Donor => Example::Text("ChildFund Australia"),
        Field::DonorCountry => t("Úc", "AU"),
        Field::DonorKind => t("tổ chức phi chính phủ nước ngoài", "foreign NGO"),
        Field::Province => Example::Text("Cao Bằng"),
        Field::District => Example::Text("Bảo Lâm"),
        Field::Commune => Example::Text("Lý Bôn"),
        Field::Sector => t("Giáo dục và đào tạo", "Education and training"),
        Field::Status => t("đang triển khai", "implementing"),
        Field::DecisionNumber => Example::Text("1971/QĐ-UBND"),
        Field::DecisionDate => Example::Date(15, 10, 2010),
        Field::ApprovalLevel => t("UBND tỉnh", "province"),
        Field::StartDate => Example::Date(1, 11, 2010),
        Field::EndDate => Example::Date(31, 10, 2012),
        Field::Currency => Example::Text("USD"),
        Field::Committed => Example::Amount(1_441_700.0, "1.441.700"),
        Field::CommittedDate => Example::Date(15, 10, 2010),
        Field::Disbursed => Example::Amount(1_273_388.0, "1.273.388"),
        Field::DisbursedDate => Example::Date(30, 6, 2011),
        Field::Note => t(
            "[VÍ DỤ] Dòng mẫu: nhập số liệu thật vào dòng này (xoá chữ [VÍ DỤ]) hoặc xoá dòng",
            "[EXAMPLE] Sample row: type real figures over it (remove [EXAMPLE]) or delete the row",
        ),
    }
}

fn example_text(field: Field, lang: Lang) -> String {
    match example(field, lang) {
        Example::Text(t) | Example::Amount(_, t) => t.to_owned(),
        Example::Date(d, m, y) => format!("{d:02}/{m:02}/{y}"),
    }
}

fn join(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join("; ")
}

/// Whether a column is required, in words.
fn required(field: Field, lang: Lang) -> &'static str {
    let vi = lang == Lang::Vi;
    match field {
        Field::Title | Field::Donor | Field::Kind => {
            if vi {
                "Bắt buộc"
            } else {
                "Required"
            }
        }
        Field::DonorCountry => {
            if vi {
                "Bắt buộc khi nhà tài trợ chưa có trong hệ thống và là tổ chức PCPNN hoặc cơ quan đại diện"
            } else {
                "Required when the donor is new and is a foreign NGO or agency"
            }
        }
        Field::DecisionNumber | Field::DecisionDate | Field::ApprovalLevel => {
            if vi {
                "Bắt buộc cả ba khi đã phê duyệt"
            } else {
                "All three, once approved"
            }
        }
        Field::Currency => {
            if vi {
                "Bắt buộc khi có giá trị (trừ khi ghi trong ô hoặc tiêu đề)"
            } else {
                "Required with amounts (unless written in the cell or header)"
            }
        }
        Field::DisbursedDate => {
            if vi {
                "Bắt buộc khi có giá trị giải ngân"
            } else {
                "Required with a disbursed amount"
            }
        }
        _ => {
            if vi {
                "Không bắt buộc"
            } else {
                "Optional"
            }
        }
    }
}

/// The values a column accepts and its format, in words.
fn accepted(field: Field, lang: Lang) -> String {
    let vi = lang == Lang::Vi;
    let date = if vi {
        "Ngày dạng 15/10/2010 hoặc 2010-10-15, hoặc ô ngày của Excel".to_owned()
    } else {
        "A date: 15/10/2010 or 2010-10-15, or an Excel date cell".to_owned()
    };
    let amount = if vi {
        "Số: 1.441.700 hoặc 1.441.700,50; 53,9 tỷ; 200 triệu; hoặc ô số của Excel. Có thể ghi đơn vị trong tiêu đề, ví dụ \"Giá trị cam kết (triệu đồng)\"".to_owned()
    } else {
        "A number: 1,441,700.50 or 1.441.700,50; 53,9 tỷ; 200 triệu; or an Excel number. A unit may be given in the header, e.g. \"Committed amount (USD)\"".to_owned()
    };
    match field {
        Field::Kind => {
            join(AidKind::ALL.iter().map(|k| if vi { k.name_vi().to_owned() } else { k.as_str().to_owned() }))
        }
        Field::DonorKind => join(
            OrganisationKind::ALL
                .iter()
                .filter(|k| k.is_donor())
                .map(|k| if vi { k.name_vi().to_owned() } else { k.name_en().to_owned() }),
        ),
        Field::Status => {
            join(AidStatus::ALL.iter().map(|s| if vi { s.name_vi().to_owned() } else { s.as_str().to_owned() }))
        }
        Field::ApprovalLevel => join(
            [ApprovalLevel::Province, ApprovalLevel::CentralMinistry, ApprovalLevel::PrimeMinister]
                .iter()
                .map(|l| if vi { l.name_vi().to_owned() } else { l.as_str().to_owned() }),
        ),
        Field::Sector => {
            let names =
                join(VnSector::all().iter().map(|s| if vi { s.name_vi().to_owned() } else { s.name_en().to_owned() }));
            if vi {
                format!("Mã DAC 5 chữ số (11120) hoặc lĩnh vực: {names}")
            } else {
                format!("A 5-digit DAC code (11120) or: {names}")
            }
        }
        Field::Currency => {
            if vi {
                "Mã ISO 4217: USD, VND (hoặc VNĐ, đồng), EUR, …".to_owned()
            } else {
                "ISO 4217 code: USD, VND, EUR, …".to_owned()
            }
        }
        Field::Province | Field::District | Field::Commune => {
            if vi {
                "Tên hoặc mã; theo đơn vị hành chính tại ngày phê duyệt (trước 01/07/2025: 63 tỉnh, có huyện)"
                    .to_owned()
            } else {
                "Name or code, in the units in force on the decision date (before 1 July 2025: 63 provinces, with districts)".to_owned()
            }
        }
        Field::DonorCountry => {
            if vi {
                "Tên nước (Úc, Hoa Kỳ) hoặc mã 2 chữ cái (AU, US)".to_owned()
            } else {
                "Country name or 2-letter code (AU, US)".to_owned()
            }
        }
        Field::DecisionDate | Field::StartDate | Field::EndDate | Field::DisbursedDate => date,
        Field::CommittedDate => {
            if vi {
                format!("{date}. Để trống: dùng ngày phê duyệt, rồi ngày bắt đầu")
            } else {
                format!("{date}. Empty: the decision date, then the start date")
            }
        }
        Field::Committed | Field::Disbursed => amount,
        Field::Note => {
            if vi {
                "Văn bản; dòng có ghi chú bắt đầu bằng [VÍ DỤ] không được nhập".to_owned()
            } else {
                "Text; a row whose note starts with [EXAMPLE] is not imported".to_owned()
            }
        }
        Field::Code | Field::Title | Field::TitleEn | Field::Donor | Field::DecisionNumber => {
            if vi {
                "Văn bản".to_owned()
            } else {
                "Text".to_owned()
            }
        }
    }
}

/// The import template as an Excel workbook: sheet "Khoản viện trợ"/"Aid items" with the header row and the
/// example row (amounts as numbers, dates as dates, codes as text), and sheet "Hướng dẫn"/"Instructions".
pub fn template_xlsx(lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let vi = lang == Lang::Vi;
    let mut workbook = Workbook::new();
    let header = Format::new().set_bold().set_text_wrap().set_background_color(Color::RGB(0x00DD_EBF7));
    let text = Format::new().set_num_format("@");
    let example_text_format = Format::new().set_num_format("@").set_italic().set_font_color(Color::Gray);
    let example_amount = Format::new().set_num_format("#,##0").set_italic().set_font_color(Color::Gray);
    let example_date = Format::new().set_num_format("dd/mm/yyyy").set_italic().set_font_color(Color::Gray);
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let amount = Format::new().set_num_format("#,##0.##");

    let sheet = workbook.add_worksheet();
    sheet.set_name(if vi { "Khoản viện trợ" } else { "Aid items" })?;
    for (i, field) in Field::ALL.iter().enumerate() {
        let col = u16::try_from(i).unwrap_or(u16::MAX);
        sheet.set_column_width(col, 18)?;
        match example(*field, lang) {
            Example::Text(t) => {
                sheet.set_column_format(col, &text)?;
                sheet.write_string_with_format(1, col, t, &example_text_format)?;
            }
            Example::Amount(v, _) => {
                sheet.set_column_format(col, &amount)?;
                sheet.write_number_with_format(1, col, v, &example_amount)?;
            }
            Example::Date(d, m, y) => {
                sheet.set_column_format(col, &date)?;
                if let Some(day) = NaiveDate::from_ymd_opt(y, m, d) {
                    sheet.write_datetime_with_format(1, col, day, &example_date)?;
                }
            }
        }
        sheet.write_string_with_format(0, col, field.header(lang), &header)?;
    }
    sheet.set_column_width(1, 40)?;
    sheet.set_freeze_panes(1, 0)?;

    let guide = workbook.add_worksheet();
    guide.set_name(if vi { "Hướng dẫn" } else { "Instructions" })?;
    let heads = if vi {
        ["Cột", "Bắt buộc", "Giá trị chấp nhận, định dạng", "Ví dụ"]
    } else {
        ["Column", "Required", "Accepted values, format", "Example"]
    };
    for (c, h) in heads.iter().enumerate() {
        guide.write_string_with_format(0, u16::try_from(c).unwrap_or(0), *h, &header)?;
    }
    let wrap = Format::new().set_text_wrap();
    for (i, field) in Field::ALL.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        guide.write_string(row, 0, field.header(lang))?;
        guide.write_string_with_format(row, 1, required(*field, lang), &wrap)?;
        guide.write_string_with_format(row, 2, accepted(*field, lang), &wrap)?;
        guide.write_string(row, 3, example_text(*field, lang))?;
    }
    guide.set_column_width(0, 26)?;
    guide.set_column_width(1, 30)?;
    guide.set_column_width(2, 80)?;
    guide.set_column_width(3, 30)?;
    workbook.save_to_buffer()
}

/// The import template as UTF-8 CSV with a byte-order mark (so Excel reads the diacritics): the header row
/// and the example row, comma-separated, amounts and dates written the Vietnamese way.
pub fn template_csv(lang: Lang) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new().from_writer(b"\xEF\xBB\xBF".to_vec());
    // Writing to memory cannot fail; a failed record would only shorten the template, which the tests catch.
    let _ = writer.write_record(Field::ALL.iter().map(|f| f.header(lang)));
    let _ = writer.write_record(Field::ALL.iter().map(|f| example_text(*f, lang)));
    writer.into_inner().unwrap_or_default()
}
