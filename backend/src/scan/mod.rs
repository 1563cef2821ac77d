//! The cookie scanner (issue 18), as far as it is built: what a site stores,
//! checked against what its config declares. Here so far: the table of
//! well-known cookie names and storage keys (`known`) and the classification of
//! a seen name for one site, with the TOML to declare it (`classify`). The
//! crawler that drives Chromium and the reports are not built yet.

pub mod classify;
pub mod known;
