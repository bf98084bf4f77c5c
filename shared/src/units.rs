//! Human-readable sizes: one definition for the server's progress messages and the web app,
//! so the two never show different numbers for the same bytes. Binary multiples (what file
//! managers show for a file), one decimal.

/// Unit names, in English and in Russian.
pub const BYTE_UNITS_EN: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
pub const BYTE_UNITS_RU: [&str; 5] = ["Б", "КБ", "МБ", "ГБ", "ТБ"];

/// `1536` → `1.5 KiB` (with [`BYTE_UNITS_EN`]); whole bytes below 1 KiB.
pub fn bytes(n: u64, units: &[&str; 5]) -> String {
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < units.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} {}", units[0])
    } else {
        format!("{v:.1} {}", units[u])
    }
}

/// `1234567` → `1,234,567` with `sep` between groups of three digits.
pub fn grouped(n: u64, sep: &str) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * sep.len());
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(grouped(0, ","), "0");
        assert_eq!(grouped(999, ","), "999");
        assert_eq!(grouped(1000, ","), "1,000");
        assert_eq!(grouped(1_234_567, "\u{a0}"), "1\u{a0}234\u{a0}567");
        assert_eq!(grouped(u64::MAX, ","), "18,446,744,073,709,551,615");
    }

    #[test]
    fn binary_multiples_with_one_decimal() {
        assert_eq!(bytes(0, &BYTE_UNITS_EN), "0 B");
        assert_eq!(bytes(1023, &BYTE_UNITS_EN), "1023 B");
        assert_eq!(bytes(1536, &BYTE_UNITS_RU), "1.5 КБ");
        assert_eq!(bytes(3 * 1024 * 1024, &BYTE_UNITS_EN), "3.0 MiB");
        assert_eq!(bytes(u64::MAX, &BYTE_UNITS_EN), "16777216.0 TiB");
    }
}
