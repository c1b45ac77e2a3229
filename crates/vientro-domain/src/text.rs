//! Vietnamese text keys: diacritic-insensitive folding for search and a sort key for Vietnamese order.
//!
//! Folding is done here, once, in Rust, and stored; neither SQLite's FTS5 (which keeps `đ`) nor a
//! PostgreSQL extension is relied on. This module must stay free of any notion of records or storage.

use unicode_normalization::UnicodeNormalization;

/// Diacritic-insensitive search key: NFD, drop combining marks, `đ`→`d`, lowercase, collapse spaces.
///
/// "Đà Nẵng" → "da nang"; "Hoà" and "Hòa" both → "hoa".
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfd() {
        if ('\u{0300}'..='\u{036F}').contains(&c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            c => c,
        };
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// A key whose byte order is Vietnamese alphabetical order (a ă â b c d đ e ê … o ô ơ … u ư …),
/// with tone marks breaking ties (none, grave, hook, tilde, acute, dot below).
pub fn sort_key(s: &str) -> String {
    // Base letters get a rank; tones are appended after the letters so they only break ties.
    const ORDER: &str = "aăâbcdđeêghiklmnoôơpqrstuưvxy";
    let mut letters = String::new();
    let mut tones = String::new();
    for ch in s.nfc() {
        let lower: String = ch.to_lowercase().collect();
        let mut decomposed = lower.nfd();
        let Some(first) = decomposed.next() else { continue };
        let mut base = first;
        let mut tone = '0';
        for mark in decomposed {
            match mark {
                '\u{0306}' if base == 'a' => base = 'ă',
                '\u{0302}' if base == 'a' => base = 'â',
                '\u{0302}' if base == 'e' => base = 'ê',
                '\u{0302}' if base == 'o' => base = 'ô',
                '\u{031B}' if base == 'o' => base = 'ơ',
                '\u{031B}' if base == 'u' => base = 'ư',
                '\u{0300}' => tone = '1',
                '\u{0309}' => tone = '2',
                '\u{0303}' => tone = '3',
                '\u{0301}' => tone = '4',
                '\u{0323}' => tone = '5',
                _ => {}
            }
        }
        match ORDER.chars().position(|c| c == base) {
            Some(rank) => letters.push(char::from(b'A' + u8::try_from(rank).unwrap_or(0))),
            None if base.is_ascii_digit() => letters.push(base),
            None if base.is_whitespace() => letters.push(' '),
            None => letters.push('~'),
        }
        tones.push(tone);
    }
    letters.push('|');
    letters.push_str(&tones);
    letters
}

/// The text with its first letter in lower case, for a name used inside a sentence ("Tỉnh Cao Bằng" →
/// "tỉnh Cao Bằng").
pub fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folding_removes_tones_and_maps_d_stroke_to_d() {
        assert_eq!(fold("Đà Nẵng"), "da nang");
        assert_eq!(fold("Thừa Thiên  Huế"), "thua thien hue");
        assert_eq!(fold("Hoà"), fold("Hòa"));
        assert_eq!(fold("  Bắc   Kạn "), "bac kan");
    }

    #[test]
    fn vietnamese_order_puts_d_stroke_after_d_and_o_horn_after_o_circumflex() {
        let mut names =
            vec!["Đà Nẵng", "Điện Biên", "Dương Sơn", "Cao Bằng", "Ơn", "Ô Môn", "Bắc Kạn", "An Giang", "Ân Thi"];
        names.sort_by_key(|n| sort_key(n));
        let expected =
            vec!["An Giang", "Ân Thi", "Bắc Kạn", "Cao Bằng", "Dương Sơn", "Đà Nẵng", "Điện Biên", "Ô Môn", "Ơn"];
        assert_eq!(names, expected);
    }

    proptest! {
        #[test]
        fn folding_is_idempotent(s in "\\PC*") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once);
        }
    }
}
