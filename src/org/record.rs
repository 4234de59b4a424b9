//! Reading fields out of Salesforce query records, where relationship fields nest
//! (`Parent.Profile.Name` is `{"Parent":{"Profile":{"Name":…}}}`) and absent means `null`.

use serde_json::Value;
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

/// The value at a dotted path; `None` for a missing or null field.
pub fn at<'a>(record: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(record, |value, key| value.get(key)).filter(|value| !value.is_null())
}

pub fn text(record: &Value, path: &str) -> Option<String> {
    at(record, path).and_then(Value::as_str).map(str::to_string)
}

pub fn flag(record: &Value, path: &str) -> Option<bool> {
    at(record, path).and_then(Value::as_bool)
}

pub fn number(record: &Value, path: &str) -> Option<u64> {
    at(record, path).and_then(|v| v.as_u64().or_else(|| v.as_f64().map(|f| f as u64)))
}

/// A datetime field as unix seconds.
pub fn instant(record: &Value, path: &str) -> Option<i64> {
    at(record, path).and_then(Value::as_str).and_then(parse_datetime)
}

/// Salesforce writes `2024-05-01T12:34:56.000+0000`; RFC 3339 wants a colon in the offset.
pub fn parse_datetime(text: &str) -> Option<i64> {
    let text = text.trim();
    let normalized = match text.len().checked_sub(5).map(|i| text.split_at(i)) {
        Some((head, offset)) if offset.starts_with(['+', '-']) && offset[1..].bytes().all(|b| b.is_ascii_digit()) => {
            format!("{head}{}:{}", &offset[..3], &offset[3..])
        }
        _ => text.to_string(),
    };
    OffsetDateTime::parse(&normalized, &Rfc3339).ok().map(OffsetDateTime::unix_timestamp)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn paths_walk_relationships_and_treat_null_as_absent() {
        let record = json!({"Parent": {"Name": "X00e", "Profile": {"Name": "Admin"}}, "Other": null});
        assert_eq!(text(&record, "Parent.Profile.Name").as_deref(), Some("Admin"));
        assert_eq!(text(&record, "Parent.Missing.Name"), None);
        assert_eq!(at(&record, "Other"), None);
    }

    #[test]
    fn salesforce_datetimes_parse() {
        assert_eq!(parse_datetime("1970-01-01T00:01:00.000+0000"), Some(60));
        assert_eq!(parse_datetime("1970-01-01T01:00:00.000+0100"), Some(0));
        assert_eq!(parse_datetime("1970-01-01T00:00:05Z"), Some(5));
        assert_eq!(parse_datetime("yesterday"), None);
    }
}
