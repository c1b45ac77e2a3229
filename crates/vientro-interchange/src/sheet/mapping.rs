//! Column mapping: which column of a sheet fills which field of an aid item, suggested from the header names
//! (Vietnamese or English, with or without diacritics) and saved as JSON for the next sheet of the same shape.
//!
//! This module owns the field list of the aid-item sheet, its headers in both languages and the synonyms
//! officers use. It must not read cell values: `rows` does.

use serde::{Deserialize, Serialize};
use vientro_domain::text;

use super::Lang;

/// A field of the aid-item sheet (one row per aid item).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Local code of the item.
    Code,
    /// Title (Vietnamese).
    Title,
    /// English title.
    TitleEn,
    /// Kind: programme, project, non-project, emergency.
    Kind,
    /// Donor organisation name.
    Donor,
    /// Donor's home country.
    DonorCountry,
    /// Donor kind (foreign NGO, international organisation, …).
    DonorKind,
    /// Province (code or name).
    Province,
    /// District (before 1 July 2025).
    District,
    /// Commune.
    Commune,
    /// Sector (DAC code or national sector).
    Sector,
    /// Status.
    Status,
    /// Approval decision number.
    DecisionNumber,
    /// Approval decision date.
    DecisionDate,
    /// Approval level.
    ApprovalLevel,
    /// Start date.
    StartDate,
    /// End date.
    EndDate,
    /// Currency of the amounts.
    Currency,
    /// Committed amount.
    Committed,
    /// Date of the commitment.
    CommittedDate,
    /// Disbursed amount.
    Disbursed,
    /// Date of the disbursement.
    DisbursedDate,
    /// Free note (stored as the item's description).
    Note,
}

impl Field {
    /// Every field, in template column order.
    pub const ALL: [Field; 23] = [
        Self::Code,
        Self::Title,
        Self::TitleEn,
        Self::Kind,
        Self::Donor,
        Self::DonorCountry,
        Self::DonorKind,
        Self::Province,
        Self::District,
        Self::Commune,
        Self::Sector,
        Self::Status,
        Self::DecisionNumber,
        Self::DecisionDate,
        Self::ApprovalLevel,
        Self::StartDate,
        Self::EndDate,
        Self::Currency,
        Self::Committed,
        Self::CommittedDate,
        Self::Disbursed,
        Self::DisbursedDate,
        Self::Note,
    ];

    /// Stable code, as in a saved mapping (`decision_date`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Code => "code",
            Self::Title => "title",
            Self::TitleEn => "title_en",
            Self::Kind => "kind",
            Self::Donor => "donor",
            Self::DonorCountry => "donor_country",
            Self::DonorKind => "donor_kind",
            Self::Province => "province",
            Self::District => "district",
            Self::Commune => "commune",
            Self::Sector => "sector",
            Self::Status => "status",
            Self::DecisionNumber => "decision_number",
            Self::DecisionDate => "decision_date",
            Self::ApprovalLevel => "approval_level",
            Self::StartDate => "start_date",
            Self::EndDate => "end_date",
            Self::Currency => "currency",
            Self::Committed => "committed",
            Self::CommittedDate => "committed_date",
            Self::Disbursed => "disbursed",
            Self::DisbursedDate => "disbursed_date",
            Self::Note => "note",
        }
    }

    /// The template header in a language.
    pub fn header(self, lang: Lang) -> &'static str {
        let (vi, en) = match self {
            Self::Code => ("Mã khoản viện trợ", "Code"),
            Self::Title => ("Tên khoản viện trợ", "Title"),
            Self::TitleEn => ("Tên tiếng Anh", "English title"),
            Self::Kind => ("Loại hình viện trợ", "Kind"),
            Self::Donor => ("Nhà tài trợ", "Donor"),
            Self::DonorCountry => ("Quốc gia nhà tài trợ", "Donor country"),
            Self::DonorKind => ("Loại nhà tài trợ", "Donor kind"),
            Self::Province => ("Tỉnh, thành phố", "Province"),
            Self::District => ("Huyện", "District"),
            Self::Commune => ("Xã, phường", "Commune"),
            Self::Sector => ("Lĩnh vực", "Sector"),
            Self::Status => ("Trạng thái", "Status"),
            Self::DecisionNumber => ("Số quyết định phê duyệt", "Decision number"),
            Self::DecisionDate => ("Ngày phê duyệt", "Decision date"),
            Self::ApprovalLevel => ("Cấp phê duyệt", "Approval level"),
            Self::StartDate => ("Ngày bắt đầu", "Start date"),
            Self::EndDate => ("Ngày kết thúc", "End date"),
            Self::Currency => ("Đơn vị tiền tệ", "Currency"),
            Self::Committed => ("Giá trị cam kết", "Committed amount"),
            Self::CommittedDate => ("Ngày cam kết", "Commitment date"),
            Self::Disbursed => ("Giá trị giải ngân", "Disbursed amount"),
            Self::DisbursedDate => ("Ngày giải ngân", "Disbursement date"),
            Self::Note => ("Ghi chú", "Note"),
        };
        match lang {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    /// True for the fields every sheet needs a column for (the others are optional or have defaults).
    pub fn is_required(self) -> bool {
        matches!(self, Self::Title | Self::Donor)
    }

    /// Folded header words that name the field; the longest one found in a header wins.
    fn synonyms(self) -> &'static [&'static str] {
        match self {
            Self::Code => {
                &["ma", "ma so", "ma du an", "ma khoan vien tro", "so hieu", "code", "project code", "item code"]
            }
            Self::Title => &[
                "ten",
                "ten du an",
                "ten khoan vien tro",
                "ten chuong trinh",
                "ten chuong trinh du an",
                "ten du an khoan vien tro",
                "title",
                "name",
                "project name",
                "project title",
            ],
            Self::TitleEn => &[
                "ten tieng anh",
                "ten du an tieng anh",
                "ten khoan vien tro tieng anh",
                "english title",
                "title en",
                "title english",
                "english name",
            ],
            Self::Kind => &[
                "loai",
                "loai hinh",
                "loai hinh vien tro",
                "hinh thuc",
                "hinh thuc vien tro",
                "loai khoan vien tro",
                "kind",
                "type",
                "aid type",
                "aid kind",
            ],
            Self::Donor => &[
                "nha tai tro",
                "ten nha tai tro",
                "to chuc tai tro",
                "ten to chuc",
                "to chuc",
                "to chuc phi chinh phu",
                "to chuc pcpnn",
                "ben cung cap vien tro",
                "donor",
                "donor name",
                "funder",
                "organisation",
                "organization",
            ],
            Self::DonorCountry => {
                &["quoc gia", "quoc tich", "nuoc", "nuoc tai tro", "quoc gia nha tai tro", "country", "donor country"]
            }
            Self::DonorKind => &[
                "loai nha tai tro",
                "loai to chuc",
                "loai hinh to chuc",
                "loai hinh nha tai tro",
                "donor kind",
                "donor type",
                "organisation type",
                "organization type",
            ],
            Self::Province => &["tinh", "tinh thanh", "tinh thanh pho", "dia ban", "dia ban tinh", "province"],
            Self::District => &["huyen", "quan huyen", "huyen thi xa", "district"],
            Self::Commune => &["xa", "xa phuong", "xa phuong thi tran", "phuong xa", "commune", "ward"],
            Self::Sector => &["linh vuc", "linh vuc vien tro", "linh vuc hoat dong", "nganh", "sector"],
            Self::Status => &["trang thai", "tinh trang", "tien do", "status"],
            Self::DecisionNumber => &[
                "so quyet dinh",
                "so qd",
                "quyet dinh",
                "quyet dinh phe duyet",
                "so quyet dinh phe duyet",
                "decision",
                "decision number",
                "decision no",
                "approval decision",
            ],
            Self::DecisionDate => &[
                "ngay phe duyet",
                "ngay quyet dinh",
                "ngay qd",
                "ngay ky quyet dinh",
                "ngay ky",
                "decision date",
                "approval date",
                "approved on",
            ],
            Self::ApprovalLevel => &[
                "cap phe duyet",
                "cap quyet dinh",
                "tham quyen phe duyet",
                "co quan phe duyet",
                "approval level",
                "approved by",
            ],
            Self::StartDate => &["ngay bat dau", "thoi gian bat dau", "bat dau", "tu ngay", "start date", "start"],
            Self::EndDate => &["ngay ket thuc", "thoi gian ket thuc", "ket thuc", "den ngay", "end date", "end"],
            Self::Currency => &[
                "don vi tien te",
                "loai tien",
                "loai tien te",
                "tien te",
                "ngoai te",
                "don vi tinh",
                "dvt",
                "currency",
            ],
            Self::Committed => &[
                "cam ket",
                "gia tri cam ket",
                "tong von cam ket",
                "von cam ket",
                "kinh phi cam ket",
                "ngan sach cam ket",
                "gia tri",
                "tong gia tri",
                "kinh phi",
                "tong kinh phi",
                "tong von",
                "committed",
                "committed amount",
                "commitment",
                "amount",
                "budget",
                "value",
            ],
            Self::CommittedDate => {
                &["ngay cam ket", "thoi gian cam ket", "commitment date", "committed date", "committed on"]
            }
            Self::Disbursed => &[
                "giai ngan",
                "da giai ngan",
                "gia tri giai ngan",
                "giai ngan thuc te",
                "kinh phi giai ngan",
                "von giai ngan",
                "gia tri thuc hien",
                "disbursed",
                "disbursement",
                "disbursed amount",
                "spent",
            ],
            Self::DisbursedDate => {
                &["ngay giai ngan", "thoi gian giai ngan", "disbursement date", "disbursed date", "disbursed on"]
            }
            Self::Note => &["ghi chu", "mo ta", "note", "notes", "remarks", "description"],
        }
    }
}

/// The header folded to words: diacritics and case dropped, punctuation as spaces.
pub(crate) fn header_key(header: &str) -> String {
    let folded: String = text::fold(header).chars().map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How well a synonym names a header: 0 when absent; otherwise longer matches score higher, and an exact
/// match beats any match inside a longer header.
fn score(key: &str, synonym: &str) -> usize {
    if key == synonym {
        return 2 * synonym.len() + 1;
    }
    let padded = format!(" {key} ");
    if padded.contains(&format!(" {synonym} ")) { 2 * synonym.len() } else { 0 }
}

/// One column of a sheet and the field it fills (`None`: the column is ignored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMapping {
    /// The header as written in the sheet.
    pub header: String,
    /// The field it fills, or `null` to ignore the column.
    pub field: Option<Field>,
}

/// Which column fills which field; saved as JSON (`{"columns":[{"header":"Tên dự án","field":"title"}]}`)
/// and matched to a later sheet by header name, diacritic-insensitively, so column order may change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    /// One entry per column.
    pub columns: Vec<ColumnMapping>,
}

/// Why a mapping cannot be used for a sheet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    /// A required field has no column.
    #[error("the sheet has no column for {}; add it or map a column to it with --mapping", .0.iter().map(|f| format!("{} ({} / {})", f.as_str(), f.header(Lang::Vi), f.header(Lang::En))).collect::<Vec<_>>().join(", "))]
    MissingColumns(Vec<Field>),
    /// Two columns fill the same field.
    #[error("columns {} both fill {field}; ignore one of them in the mapping", .headers.iter().map(|h| format!("\"{h}\"")).collect::<Vec<_>>().join(" and "))]
    DuplicateField {
        /// The field code.
        field: &'static str,
        /// The headers as written.
        headers: Vec<String>,
    },
}

/// Suggests a field for each header: the synonym with the longest match wins a column, and when two columns
/// claim a field the better match keeps it (then the leftmost). Unrecognised columns map to `None`.
pub fn suggest_mapping(headers: &[String]) -> Mapping {
    let mut best: Vec<Option<(Field, usize)>> = headers
        .iter()
        .map(|h| {
            let key = header_key(h);
            let key = key.as_str();
            Field::ALL
                .iter()
                .flat_map(|&f| f.synonyms().iter().map(move |s| (f, score(key, s))))
                .filter(|&(_, s)| s > 0)
                .fold(None, |acc: Option<(Field, usize)>, (f, s)| match acc {
                    Some((_, b)) if b >= s => acc,
                    _ => Some((f, s)),
                })
        })
        .collect();
    for field in Field::ALL {
        let claims: Vec<(usize, usize)> =
            best.iter().enumerate().filter_map(|(i, b)| b.filter(|(f, _)| *f == field).map(|(_, s)| (i, s))).collect();
        if let Some(&(keep, _)) = claims.iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))) {
            for &(i, _) in &claims {
                if i != keep {
                    best[i] = None;
                }
            }
        }
    }
    Mapping {
        columns: headers
            .iter()
            .zip(best)
            .map(|(h, b)| ColumnMapping { header: h.clone(), field: b.map(|(f, _)| f) })
            .collect(),
    }
}

impl Mapping {
    /// The field of each column of `headers`: a column whose header the mapping names (compared
    /// diacritic-insensitively) gets that entry's field; any other column is ignored.
    ///
    /// Errors when a required field has no column or two columns fill one field.
    pub fn apply(&self, headers: &[String]) -> Result<Vec<Option<Field>>, MappingError> {
        let fields: Vec<Option<Field>> = headers
            .iter()
            .map(|h| {
                let key = header_key(h);
                self.columns.iter().find(|c| header_key(&c.header) == key).and_then(|c| c.field)
            })
            .collect();
        for field in Field::ALL {
            let used: Vec<String> =
                headers.iter().zip(&fields).filter(|(_, f)| **f == Some(field)).map(|(h, _)| h.clone()).collect();
            if used.len() > 1 {
                return Err(MappingError::DuplicateField { field: field.as_str(), headers: used });
            }
        }
        let missing: Vec<Field> =
            Field::ALL.into_iter().filter(|f| f.is_required() && !fields.contains(&Some(*f))).collect();
        if !missing.is_empty() {
            return Err(MappingError::MissingColumns(missing));
        }
        Ok(fields)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn suggested(headers: &[&str]) -> Vec<Option<Field>> {
        let headers: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
        suggest_mapping(&headers).columns.into_iter().map(|c| c.field).collect()
    }

    #[test]
    fn vietnamese_headers_of_provincial_sheets_are_recognised() {
        use Field::*;
        let cases: &[(&str, Field)] = &[
            ("Tên dự án", Title),
            ("Nhà tài trợ", Donor),
            ("Tổ chức tài trợ", Donor),
            ("Tỉnh", Province),
            ("Tỉnh, thành phố", Province),
            ("Xã", Commune),
            ("Lĩnh vực", Sector),
            ("Giá trị cam kết", Committed),
            ("Tổng vốn cam kết", Committed),
            ("Giải ngân", Disbursed),
            ("Giá trị giải ngân", Disbursed),
            ("Ngày phê duyệt", DecisionDate),
            ("Số quyết định", DecisionNumber),
            ("Đơn vị tiền tệ", Currency),
            ("Loại tiền", Currency),
            ("Tên dự án (tiếng Anh)", TitleEn),
            ("Giá trị cam kết (USD)", Committed),
            ("Ngày cam kết", CommittedDate),
            ("Loại hình tổ chức", DonorKind),
            ("Ghi chú", Note),
            ("TEN DU AN", Title),
        ];
        for (header, field) in cases {
            assert_eq!(suggested(&[header]), vec![Some(*field)], "{header}");
        }
        assert_eq!(suggested(&["STT"]), vec![None]);
    }

    #[test]
    fn template_headers_map_to_their_own_fields_in_both_languages() {
        for lang in [Lang::Vi, Lang::En] {
            let headers: Vec<String> = Field::ALL.iter().map(|f| f.header(lang).to_owned()).collect();
            let fields: Vec<Option<Field>> = suggest_mapping(&headers).columns.into_iter().map(|c| c.field).collect();
            assert_eq!(fields, Field::ALL.iter().copied().map(Some).collect::<Vec<_>>(), "{lang:?}");
        }
    }

    #[test]
    fn two_columns_claiming_one_field_leave_it_to_the_better_match() {
        assert_eq!(suggested(&["Giá trị", "Giá trị cam kết"]), vec![None, Some(Field::Committed)]);
        assert_eq!(suggested(&["Tên dự án", "Tên dự án"]), vec![Some(Field::Title), None]);
    }

    #[test]
    fn a_saved_mapping_round_trips_through_json_and_matches_headers_without_diacritics() {
        let headers = vec!["STT".to_owned(), "Tên dự án".to_owned(), "Nhà tài trợ".to_owned()];
        let mapping = suggest_mapping(&headers);
        let json = serde_json::to_string(&mapping).unwrap();
        assert!(json.contains(r#"{"header":"Tên dự án","field":"title"}"#), "{json}");
        let back: Mapping = serde_json::from_str(&json).unwrap();
        assert_eq!(back, mapping);
        let retyped = vec!["Nha tai tro".to_owned(), "ten du an".to_owned()];
        assert_eq!(back.apply(&retyped).unwrap(), vec![Some(Field::Donor), Some(Field::Title)]);
    }

    #[test]
    fn a_mapping_without_a_required_column_or_with_a_field_twice_is_refused() {
        let mapping = Mapping {
            columns: vec![
                ColumnMapping { header: "A".into(), field: Some(Field::Title) },
                ColumnMapping { header: "B".into(), field: Some(Field::Title) },
            ],
        };
        let e = mapping.apply(&["A".into(), "B".into()]).unwrap_err();
        assert!(matches!(e, MappingError::DuplicateField { field: "title", .. }), "{e:?}");
        let e = mapping.apply(&["A".into()]).unwrap_err();
        assert_eq!(e, MappingError::MissingColumns(vec![Field::Donor]));
        assert!(e.to_string().contains("Nhà tài trợ"), "{e}");
    }
}
