//! IAB TCF v2.3 on the server: the Global Vendor List (`gvl`), read from the
//! config folder and cut to the vendors each TCF site works with, and kept
//! current from the IAB's published list (`refresh`, `--gvl-url`). The TC
//! string itself is `consent_tcf`; the CMP is `consent_cmp`.

pub mod gvl;
pub mod refresh;
