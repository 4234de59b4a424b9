//! The check functions of the registry, one module per group. Each is a pure function of the
//! evidence that returns an `Outcome`; none prints.

pub mod assertion;
pub mod cert;
pub mod claims;
pub mod host;
pub mod key;
pub mod pair;

/// "3 days", "2 hours", "45 seconds": the largest unit that fits.
pub fn duration(seconds: i64) -> String {
    let seconds = seconds.unsigned_abs();
    let (value, unit) = match seconds {
        s if s >= 2 * 86_400 => (s / 86_400, "day"),
        s if s >= 2 * 3_600 => (s / 3_600, "hour"),
        s if s >= 2 * 60 => (s / 60, "minute"),
        s => (s, "second"),
    };
    format!("{value} {unit}{}", if value == 1 { "" } else { "s" })
}

/// `2026-11-22 21:40:42 UTC`
pub fn date(unix: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| format!("{unix} (out of range)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(1), "1 second");
        assert_eq!(duration(-3 * 86_400 - 5), "3 days");
        assert_eq!(duration(90), "90 seconds");
        assert_eq!(duration(3 * 3_600), "3 hours");
        assert_eq!(date(0), "1970-01-01 00:00:00 UTC");
    }
}
