//! `[gpp]` in a site file: the IAB Global Privacy Platform (GPP 1.1) for
//! sites whose visitors' signals ad tech reads through `__gpp`. Its sections:
//! `tcfeuv2` (id 2, the TC string of `[tcf]`) and `usnat` (id 7, the US
//! National section: the notices the site gives, and opt-outs of sale,
//! sharing and targeted advertising that follow the visitor's choice of the
//! categories named here, and Global Privacy Control). Off unless present and
//! `enabled`; a site without it loads nothing more.

use serde::{Deserialize, Serialize};

use super::check::Checked;
use super::Category;

/// GPP section ids this server writes.
pub const TCFEUV2: i8 = 2;
pub const USNAT: i8 = 7;

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct GppConfig {
    #[serde(default)]
    pub enabled: bool,
    /// The CMP id `__gpp` reports: the IAB-registered id of `[tcf]` when that
    /// is on; else this one, or 1, which the GPP specification asks of a
    /// publisher with no registered CMP id where the section's policy (the
    /// MSPA for `usnat`) requires no registration.
    #[serde(default)]
    pub cmp_id: Option<u16>,
    #[serde(default)]
    pub cmp_version: Option<u16>,
    /// The sections that apply to the site's visitors (`applicableSections`):
    /// 2 (`tcfeuv2`, needs `[tcf]`) and/or 7 (`usnat`, needs `[gpp.usnat]`);
    /// `[-1]` when none does.
    pub applicable_sections: Vec<i8>,
    #[serde(default)]
    pub usnat: Option<UsNatConfig>,
}

/// The `usnat` section: which notices the site gives (true: given, false: not
/// given) and which of its categories each opt-out stands for (refusing any
/// of them, or sending GPC, is opting out; none named: not applicable).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct UsNatConfig {
    pub sharing_notice: bool,
    pub sale_opt_out_notice: bool,
    pub sharing_opt_out_notice: bool,
    pub targeted_advertising_opt_out_notice: bool,
    #[serde(default)]
    pub sensitive_data_processing_opt_out_notice: bool,
    #[serde(default)]
    pub sensitive_data_limit_use_notice: bool,
    #[serde(default)]
    pub sale_categories: Vec<String>,
    #[serde(default)]
    pub sharing_categories: Vec<String>,
    #[serde(default)]
    pub targeted_advertising_categories: Vec<String>,
    /// Whether the site's transactions are covered by the IAB's MSPA.
    #[serde(default)]
    pub mspa_covered_transaction: bool,
    /// Under the MSPA: `opt_out_option` or `service_provider` mode.
    #[serde(default)]
    pub mspa_mode: MspaMode,
}

#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MspaMode {
    #[default]
    None,
    OptOutOption,
    ServiceProvider,
}

impl GppConfig {
    /// The CMP id `__gpp` reports, given `[tcf]`'s when that is on.
    pub fn cmp_id(&self, tcf: Option<u16>) -> u16 {
        tcf.or(self.cmp_id).unwrap_or(1)
    }

    /// The rules `[gpp]` must keep when enabled; each error names its field.
    pub(super) fn check(&self, categories: &[Category], tcf_on: bool) -> Checked {
        let bad = |field: &str, message: &str| Err((format!("gpp.{field}"), message.to_owned()));
        if !self.enabled {
            return Ok(());
        }
        if !tcf_on && self.cmp_id.is_some_and(|id| !(1..=4095).contains(&id)) {
            return bad("cmp_id", "a registered CMP id (2 to 4095), or 1 for none (the default)");
        }
        if tcf_on && self.cmp_id.is_some() {
            return bad("cmp_id", "with [tcf] on, `__gpp` reports [tcf] cmp_id: leave this out");
        }
        if self.cmp_version.is_some_and(|v| v > 4095) {
            return bad("cmp_version", "0 to 4095");
        }
        let sections = &self.applicable_sections;
        if sections.is_empty() || (sections.contains(&-1) && sections.len() > 1) {
            return bad("applicable_sections", "the sections that apply (2, 7), or [-1] for none");
        }
        for (i, s) in sections.iter().enumerate() {
            match *s {
                -1 => {}
                TCFEUV2 if !tcf_on => return bad(&format!("applicable_sections[{i}]"), "section 2 (tcfeuv2) needs [tcf] enabled"),
                USNAT if self.usnat.is_none() => return bad(&format!("applicable_sections[{i}]"), "section 7 (usnat) needs [gpp.usnat]"),
                TCFEUV2 | USNAT => {}
                _ => return bad(&format!("applicable_sections[{i}]"), "this server writes sections 2 (tcfeuv2) and 7 (usnat)"),
            }
        }
        self.usnat.as_ref().map_or(Ok(()), |u| u.check(categories))
    }
}

impl UsNatConfig {
    fn check(&self, categories: &[Category]) -> Checked {
        for (field, list, notice) in [
            ("sale_categories", &self.sale_categories, self.sale_opt_out_notice),
            ("sharing_categories", &self.sharing_categories, self.sharing_opt_out_notice),
            ("targeted_advertising_categories", &self.targeted_advertising_categories, self.targeted_advertising_opt_out_notice),
        ] {
            for (i, id) in list.iter().enumerate() {
                match categories.iter().find(|c| &c.id == id) {
                    None => return Err((format!("gpp.usnat.{field}[{i}]"), "not a category of this site".into())),
                    Some(c) if c.required => return Err((format!("gpp.usnat.{field}[{i}]"), "a required category cannot be opted out of".into())),
                    Some(_) => {}
                }
            }
            if notice && list.is_empty() {
                return Err((format!("gpp.usnat.{field}"), "the opt-out notice is given: name the categories a visitor opts out of".into()));
            }
        }
        if self.mspa_covered_transaction == (self.mspa_mode == MspaMode::None) {
            return Err(("gpp.usnat.mspa_mode".into(), "under the MSPA, `opt_out_option` or `service_provider`; otherwise leave it out".into()));
        }
        Ok(())
    }
}
