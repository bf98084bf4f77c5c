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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_multiples_with_one_decimal() {
        assert_eq!(bytes(0, &BYTE_UNITS_EN), "0 B");
        assert_eq!(bytes(1023, &BYTE_UNITS_EN), "1023 B");
        assert_eq!(bytes(1536, &BYTE_UNITS_RU), "1.5 КБ");
        assert_eq!(bytes(3 * 1024 * 1024, &BYTE_UNITS_EN), "3.0 MiB");
        assert_eq!(bytes(u64::MAX, &BYTE_UNITS_EN), "16777216.0 TiB");
    }
}
