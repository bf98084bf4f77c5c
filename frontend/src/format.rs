//! Human-readable numbers for the UI.

pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["Б", "КБ", "МБ", "ГБ", "ТБ"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} {}", UNITS[0])
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

pub fn seconds(s: u64) -> String {
    if s >= 60 {
        format!("{} мин {:02} с", s / 60, s % 60)
    } else {
        format!("{s} с")
    }
}
