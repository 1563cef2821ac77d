//! Device class from the User-Agent header. Only the class is kept, never the header.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Device {
    Mobile,
    Tablet,
    Desktop,
    Bot,
}

impl Device {
    pub fn from_user_agent(ua: &str) -> Device {
        let ua = ua.to_ascii_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| ua.contains(w));
        if ua.is_empty() || has(&["bot", "crawler", "spider", "slurp", "curl/", "wget/", "python-requests", "headlesschrome"]) {
            Device::Bot
        } else if has(&["ipad", "tablet"]) || (ua.contains("android") && !ua.contains("mobile")) {
            Device::Tablet
        } else if has(&["mobi", "iphone", "ipod", "android"]) {
            Device::Mobile
        } else {
            Device::Desktop
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Device::Mobile => "mobile",
            Device::Tablet => "tablet",
            Device::Desktop => "desktop",
            Device::Bot => "bot",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148";
        let android_tab = "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 Chrome/120 Safari/537.36";
        let desktop = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36";
        assert_eq!(Device::from_user_agent(iphone), Device::Mobile);
        assert_eq!(Device::from_user_agent(android_tab), Device::Tablet);
        assert_eq!(Device::from_user_agent(desktop), Device::Desktop);
        assert_eq!(Device::from_user_agent("Googlebot/2.1"), Device::Bot);
        assert_eq!(Device::from_user_agent(""), Device::Bot);
    }
}
