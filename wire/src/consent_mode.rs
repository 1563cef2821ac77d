//! Google Consent Mode v2: the signals a site's categories map onto.

/// Every Consent Mode v2 signal, in the order the widget reports them.
pub const SIGNALS: [&str; 7] = ["ad_storage", "analytics_storage", "ad_user_data", "ad_personalization", "functionality_storage", "personalization_storage", "security_storage"];
