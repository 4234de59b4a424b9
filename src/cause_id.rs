//! Cause ids are types: `build.rs` generates one `CauseId` variant per catalog file
//! (`checks/<id>.md`), so a misspelt id in a check, a rule or a test does not compile.

use std::fmt;

use serde::Serialize;

include!(concat!(env!("OUT_DIR"), "/cause_ids.rs"));

impl CauseId {
    /// The id for its catalog name (`key.mangled`), as users write it in `-D`, `explain` and scripts.
    pub fn parse(id: &str) -> Option<CauseId> {
        CauseId::ALL.binary_search_by(|c| c.as_str().cmp(id)).ok().map(|i| CauseId::ALL[i])
    }

    /// The group part of the id: `key` for `key.mangled`.
    pub fn group(self) -> &'static str {
        self.as_str().split_once('.').map_or(self.as_str(), |(group, _)| group)
    }
}

impl fmt::Display for CauseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CauseId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_sorted() {
        assert!(CauseId::ALL.windows(2).all(|w| w[0].as_str() < w[1].as_str() && w[0] < w[1]));
        for id in CauseId::ALL {
            assert_eq!(CauseId::parse(id.as_str()), Some(*id));
        }
        assert_eq!(CauseId::parse("key.mangle"), None);
        assert_eq!(CauseId::ClaimsAudMyDomain.as_str(), "claims.aud-my-domain");
        assert_eq!(CauseId::KeyMangled.group(), "key");
    }
}
