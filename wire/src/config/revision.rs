//! The policy revision of a site: what brings the banner back when it changes.

use sha2::{Digest, Sha256};

use super::SiteConfig;

impl SiteConfig {
    /// The policy revision: a content hash of the policy sources (original and
    /// translations) and the cookie table, so changing either brings the banner
    /// back. Widget and backend both use this value. What is hashed is one
    /// canonical JSON document (keys sorted, strings escaped), so no two
    /// different inputs can be fed to the hash as the same bytes.
    pub fn revision(&self, policy_sources: &[&str]) -> String {
        self.revision_with(policy_sources, None)
    }

    /// [`Self::revision`], with a `[tcf]` site's vendors and TCF policy version:
    /// a vendor added or a new policy version asks again, as the TCF requires.
    /// Without TCF the document (and so the revision) is what it always was.
    pub fn revision_with(&self, policy_sources: &[&str], tcf: Option<(&[u16], Option<u8>)>) -> String {
        let categories: Vec<_> = self
            .categories
            .iter()
            .map(|c| {
                let services: Vec<_> = c.services.iter().map(|s| serde_json::json!({ "name": s.name, "provider": s.provider, "cookies": s.cookies })).collect();
                serde_json::json!({ "id": c.id, "required": c.required, "services": services })
            })
            .collect();
        let mut canonical = serde_json::json!({ "policy": policy_sources, "categories": categories });
        if let Some((vendors, policy_version)) = tcf {
            canonical["tcf"] = serde_json::json!({ "vendors": vendors, "policy_version": policy_version });
        }
        let canonical = canonical.to_string();
        hex::encode(&Sha256::digest(canonical.as_bytes())[..6])
    }
}
