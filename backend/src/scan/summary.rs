//! The report as a terminal table: violations first, then undeclared and
//! stale names, then the pages that could not be scanned.

use std::fmt::Write;

use super::report::Report;

/// Longest cell printed in the terminal (the JSON and HTML reports keep all of it).
const CELL: usize = 60;

fn cell(s: &str) -> String {
    // Control characters from a page never reach the terminal.
    let clean: String = s.chars().map(|c| if c.is_control() { '?' } else { c }).collect();
    match clean.char_indices().nth(CELL) {
        Some((at, _)) => format!("{}…", &clean[..at]),
        None => clean,
    }
}

/// Rows padded into columns under a heading.
fn table(out: &mut String, title: &str, header: &[&str], rows: Vec<Vec<String>>) {
    let _ = writeln!(out, "\n{title} ({})", rows.len());
    if rows.is_empty() {
        return;
    }
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |out: &mut String, cells: Vec<&str>| {
        let padded: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        let _ = writeln!(out, "  {}", padded.join("  ").trim_end());
    };
    line(out, header.to_vec());
    for row in &rows {
        line(out, row.iter().map(String::as_str).collect());
    }
}

pub fn render(report: &Report) -> String {
    let scanned = report.scanned();
    let skipped = report.pages.len() - scanned;
    let per_page = if scanned > 0 { report.seconds / scanned as f64 } else { 0.0 };
    let mut out = format!("scan of site {}: {scanned} pages scanned, {skipped} skipped, in {:.1} s ({per_page:.1} s a page)\n", cell(&report.site), report.seconds);
    let violations =
        report.violations.iter().map(|v| vec![v.rule.as_str().to_owned(), v.phase.as_str().to_owned(), cell(&v.subject), cell(&v.detail), cell(v.set_by.as_deref().unwrap_or("-"))]).collect();
    table(&mut out, "VIOLATIONS", &["rule", "when", "what", "detail", "set by"], violations);
    let undeclared = report
        .undeclared
        .iter()
        .map(|u| {
            vec![
                cell(&u.name),
                u.area.as_str().to_owned(),
                u.category.clone().unwrap_or_else(|| "unclassified".into()),
                cell(u.provider.as_deref().unwrap_or("-")),
                cell(u.set_by.as_deref().unwrap_or("-")),
            ]
        })
        .collect();
    table(&mut out, "UNDECLARED", &["name", "where", "category", "provider", "set by"], undeclared);
    let stale = report.stale.iter().map(|s| vec![cell(&s.pattern), cell(&s.service), cell(&s.category)]).collect();
    table(&mut out, "STALE (declared, never seen)", &["name", "service", "category"], stale);
    let skipped_rows: Vec<Vec<String>> = report.pages.iter().filter_map(|p| Some(vec![cell(&p.url), cell(p.skipped.as_deref()?)])).collect();
    if !skipped_rows.is_empty() {
        table(&mut out, "SKIPPED PAGES", &["url", "why"], skipped_rows);
    }
    out
}
