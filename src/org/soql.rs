//! The objects sfjwt reads, the permission each needs, and the text of SOQL and its URLs.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use serde::Serialize;

/// The sObjects the inspection queries (sf_facts.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SObject {
    User,
    UserLogin,
    Organization,
    ConnectedApplication,
    SetupEntityAccess,
    PermissionSetAssignment,
    OauthToken,
    LoginHistory,
}

impl SObject {
    pub fn name(self) -> &'static str {
        match self {
            SObject::User => "User",
            SObject::UserLogin => "UserLogin",
            SObject::Organization => "Organization",
            SObject::ConnectedApplication => "ConnectedApplication",
            SObject::SetupEntityAccess => "SetupEntityAccess",
            SObject::PermissionSetAssignment => "PermissionSetAssignment",
            SObject::OauthToken => "OauthToken",
            SObject::LoginHistory => "LoginHistory",
        }
    }

    /// The user permission that lets an admin session read this object. SetupEntityAccess,
    /// LoginHistory, PermissionSetAssignment and OauthToken are documented (§4); the others are
    /// the usual admin permissions for them, inferred.
    pub fn permission(self) -> &'static str {
        match self {
            SObject::SetupEntityAccess | SObject::ConnectedApplication | SObject::Organization => {
                "View Setup and Configuration"
            }
            SObject::PermissionSetAssignment => {
                "View Setup and Configuration (or Assign Permission Sets, Manage Users)"
            }
            SObject::User | SObject::UserLogin => "Manage Users",
            // Without it the query still answers, but only with the admin's own tokens.
            SObject::OauthToken => "Customize Application",
            SObject::LoginHistory => "Manage Users or Monitor Login History",
        }
    }
}

/// A SOQL string literal, quoted. Backslash and the single quote are what could end or bend the
/// literal; line breaks and tabs are escaped so the query stays on one line.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// `Name = 'a'`, or `Name IN ('a', 'b')` for several values.
pub fn equals_any(field: &str, values: &[String]) -> String {
    match values {
        [one] => format!("{field} = {}", quote(one)),
        many => format!("{field} IN ({})", many.iter().map(|v| quote(v)).collect::<Vec<_>>().join(", ")),
    }
}

/// Everything but RFC 3986's unreserved characters (`encodeURIComponent` less `!'()*`).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Percent-encodes a query-string value.
pub fn encode_component(value: &str) -> String {
    utf8_percent_encode(value, COMPONENT).to_string()
}

/// One SELECT: the fields it must have, the fields it can do without (an older API version or
/// an org without the feature rejects them), and what follows FROM.
#[derive(Debug, Clone)]
pub struct Select {
    pub object: SObject,
    pub fields: Vec<&'static str>,
    pub optional: Vec<&'static str>,
    /// ` WHERE … ORDER BY … LIMIT …`, with a leading space, or empty.
    pub tail: String,
}

impl Select {
    pub fn new(object: SObject, fields: &[&'static str]) -> Select {
        Select { object, fields: fields.to_vec(), optional: Vec::new(), tail: String::new() }
    }

    pub fn optional(mut self, fields: &[&'static str]) -> Select {
        self.optional = fields.to_vec();
        self
    }

    pub fn filter(mut self, condition: &str) -> Select {
        self.tail.push_str(&format!(" WHERE {condition}"));
        self
    }

    pub fn append(mut self, clause: &str) -> Select {
        self.tail.push(' ');
        self.tail.push_str(clause);
        self
    }

    pub fn text(&self) -> String {
        let fields: Vec<&str> = self.fields.iter().chain(&self.optional).copied().collect();
        format!("SELECT {} FROM {}{}", fields.join(", "), self.object.name(), self.tail)
    }

    /// The same query without an optional field the org rejected; `None` when `field` is not
    /// one of them (then there is nothing safe to drop).
    pub fn without(&self, field: &str) -> Option<Select> {
        let position = self.optional.iter().position(|f| f.eq_ignore_ascii_case(field))?;
        let mut narrower = self.clone();
        narrower.optional.remove(position);
        Some(narrower)
    }

    /// The same query with no optional fields, when the rejected field could not be named.
    pub fn required_only(&self) -> Option<Select> {
        (!self.optional.is_empty()).then(|| Select { optional: Vec::new(), ..self.clone() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_escape_quotes_and_backslashes() {
        assert_eq!(quote("o'brien\\x@example.com"), r"'o\'brien\\x@example.com'");
        assert_eq!(quote("a\nb"), r"'a\nb'");
    }

    #[test]
    fn one_value_is_an_equality_several_are_a_set() {
        assert_eq!(equals_any("Name", &["CI".into()]), "Name = 'CI'");
        assert_eq!(equals_any("Name", &["CI".into(), "C'I".into()]), r"Name IN ('CI', 'C\'I')");
    }

    #[test]
    fn components_are_percent_encoded() {
        assert_eq!(
            encode_component("SELECT Id FROM User WHERE Username = 'a+b@x.com'"),
            "SELECT%20Id%20FROM%20User%20WHERE%20Username%20%3D%20%27a%2Bb%40x.com%27"
        );
        assert_eq!(encode_component("é"), "%C3%A9");
    }

    #[test]
    fn optional_fields_can_be_dropped_one_at_a_time() {
        let select = Select::new(SObject::Organization, &["Id"]).optional(&["CreatedDate", "InstanceName"]);
        assert_eq!(select.text(), "SELECT Id, CreatedDate, InstanceName FROM Organization");
        assert_eq!(select.without("createddate").unwrap().text(), "SELECT Id, InstanceName FROM Organization");
        assert!(select.without("Id").is_none());
        assert_eq!(select.required_only().unwrap().text(), "SELECT Id FROM Organization");
        assert!(select.required_only().unwrap().required_only().is_none());
    }
}
