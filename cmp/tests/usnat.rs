//! The `usnat` section of a `[gpp]` site: notices as configured, opt-outs
//! following the categories in force and Global Privacy Control.

use consent_cmp::usnat::UsSettings;

fn settings() -> UsSettings {
    serde_json::from_str(r#"{"notices": [1, 1, 1, 1, 2, 2], "sale": ["marketing"], "sharing": ["marketing"], "targeted": ["marketing", "analytics"], "mspa": [2, 0, 0]}"#).expect("settings")
}

fn cats(list: &[&str]) -> Vec<String> {
    list.iter().map(|c| (*c).to_owned()).collect()
}

#[test]
fn before_a_decision_nobody_has_opted_out_unless_the_browser_sends_gpc() {
    let s = settings();
    let u = s.section(None, false);
    assert_eq!([u.sharing_notice, u.sale_opt_out_notice, u.sensitive_data_processing_opt_out_notice], [1, 1, 2]);
    assert_eq!([u.sale_opt_out, u.sharing_opt_out, u.targeted_advertising_opt_out], [2, 2, 2]);
    assert_eq!((u.mspa_covered_transaction, u.gpc), (2, Some(false)));
    let g = s.section(None, true);
    assert_eq!([g.sale_opt_out, g.sharing_opt_out, g.targeted_advertising_opt_out, u8::from(g.gpc == Some(true))], [1, 1, 1, 1]);
}

#[test]
fn refusing_a_named_category_is_opting_out() {
    let s = settings();
    let all = s.section(Some(&cats(&["necessary", "analytics", "marketing"])), false);
    assert_eq!([all.sale_opt_out, all.sharing_opt_out, all.targeted_advertising_opt_out], [2, 2, 2]);
    let no_analytics = s.section(Some(&cats(&["necessary", "marketing"])), false);
    assert_eq!([no_analytics.sale_opt_out, no_analytics.targeted_advertising_opt_out], [2, 1], "targeted advertising names analytics too");
    let none = s.section(Some(&cats(&["necessary"])), false);
    assert_eq!([none.sale_opt_out, none.sharing_opt_out, none.targeted_advertising_opt_out], [1, 1, 1]);
    let unnamed: UsSettings = serde_json::from_str(r#"{"notices": [1, 2, 2, 2, 2, 2], "mspa": [2, 0, 0]}"#).expect("settings");
    assert_eq!(unnamed.section(Some(&cats(&["necessary"])), true).sale_opt_out, 0, "no category stands for it: not applicable");
}
