//! IAB TCF v2.3 on the server (issue 19, begun): the Global Vendor List
//! (`gvl`), read from the config folder and cut to the vendors each TCF site
//! works with. The TC string itself is `consent_tcf`.

pub mod gvl;
