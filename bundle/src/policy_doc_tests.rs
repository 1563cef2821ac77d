use super::*;

#[test]
fn numbered_sections_and_title() {
    let doc = parse("# Policy\n\n*Intro*\n\n## 1. Data\n\n### 1.7 Cookies\n\nText one.\n\n- a\n- b\n\n## 2. Other.\n\nMore.");
    assert_eq!(doc.title, "Policy");
    let heads: Vec<(&str, &str, u8)> = doc.sections.iter().map(|s| (s.number.as_str(), s.title.as_str(), s.level)).collect();
    assert_eq!(heads, vec![("", "", 2), ("1", "Data", 2), ("1.7", "Cookies", 3), ("2", "Other.", 2)]);
    assert_eq!(doc.sections[0].blocks, vec![Block::Para(vec![Run::Em("Intro".into())])]);
    assert_eq!(doc.sections[2].blocks[1], Block::List(vec![vec![Run::Text("a".into())], vec![Run::Text("b".into())]]));
}

#[test]
fn hostile_markdown_is_inert() {
    let doc = parse("## 1. T\n\n<img src=x onerror=alert(1)>\n\n[click](javascript:alert(1)) <script>alert(2)</script>");
    let json = to_json(&doc, "nl", None).to_string();
    assert!(!json.contains("\"a\",\"click\""), "unsafe link kept: {json}");
    assert_eq!(doc.sections[0].blocks[0], Block::Para(vec![Run::Text("<img src=x onerror=alert(1)>".into())]));
    match &doc.sections[0].blocks[1] {
        Block::Para(runs) => assert!(runs.iter().all(|r| matches!(r, Run::Text(_))), "{runs:?}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn emails_become_mailto_links() {
    let doc = parse("## 9. Vragen\n\nMail ons op info@luxhost.nl. Of support@luxhost.nl");
    assert_eq!(
        doc.sections[0].blocks[0],
        Block::Para(vec![
            Run::Text("Mail ons op ".into()),
            Run::Link { text: "info@luxhost.nl".into(), href: "mailto:info@luxhost.nl".into() },
            Run::Text(". Of ".into()),
            Run::Link { text: "support@luxhost.nl".into(), href: "mailto:support@luxhost.nl".into() },
        ])
    );
}

mod properties {
    use super::super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_markdown_parses_and_links_stay_safe(src in "(\\PC|\\n|#|\\[|\\]|\\(|\\)|<|>|@|\\*|-){0,400}") {
            let doc = parse(&src);
            for s in &doc.sections {
                for b in &s.blocks {
                    let runs: Vec<&Run> = match b {
                        Block::Para(r) => r.iter().collect(),
                        Block::List(items) => items.iter().flatten().collect(),
                        Block::Table { .. } => vec![],
                    };
                    for r in runs {
                        if let Run::Link { href, .. } = r {
                            prop_assert!(is_safe_link(href), "unsafe link kept: {}", href);
                        }
                    }
                }
            }
            let _ = to_json(&doc, "nl", None);
        }
    }
}
