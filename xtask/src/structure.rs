//! `cargo xtask structure`: the habits that keep the code's shape, checked.
//! Per crate, the graph of its files (an edge where one file names an item of
//! another through `crate::` or `super::`) must have no cycle; no Rust file is
//! over 400 lines; no function outside tests is over 60. `--graph` prints the
//! edges. Parsed with `syn`, so strings and comments never count.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use syn::spanned::Spanned;
use syn::visit::Visit;

/// Each crate of the workspace: its name and its source root.
const CRATES: [(&str, &str); 6] =
    [("consent-widget", "src"), ("consent-first-layer", "first_layer/src"), ("consent-wire", "wire/src"), ("consent-bundle", "bundle/src"), ("consent-server", "backend/src"), ("xtask", "xtask/src")];
/// Test files, checked for length only.
const TEST_DIRS: [&str; 3] = ["backend/tests", "wire/tests", "backend/benches"];
pub const MAX_FILE_LINES: usize = 400;
pub const MAX_FN_LINES: usize = 60;

pub fn run(print_graph: bool) -> Result<()> {
    let mut problems = Vec::new();
    for (name, root) in CRATES {
        let files = modules(Path::new(root))?;
        let graph = graph(&files)?;
        if print_graph {
            print(name, &graph);
        }
        for cycle in cycles(&graph) {
            problems.push(format!("{name}: import cycle {}", cycle.join(" → ")));
        }
        for file in files.values() {
            problems.extend(lengths(file)?);
        }
        for file in rust_files(Path::new(root))?.iter().filter(|f| is_test_file(f)) {
            problems.extend(file_length(file)?);
        }
    }
    for dir in TEST_DIRS {
        for file in rust_files(Path::new(dir))? {
            problems.extend(file_length(&file)?);
        }
    }
    if !problems.is_empty() {
        bail!("the code's shape ({} problems):\n  {}", problems.len(), problems.join("\n  "));
    }
    println!("structure: no import cycle, no file over {MAX_FILE_LINES} lines, no function over {MAX_FN_LINES} lines");
    Ok(())
}

/// A test module kept in a file of its own (`#[cfg(test)] #[path = "x_tests.rs"] mod tests;`).
fn is_test_file(path: &Path) -> bool {
    path.file_stem().is_some_and(|s| s.to_string_lossy().ends_with("_tests"))
}

/// Every `.rs` file under `root` but test modules, by module path (`crate`, `store`, `store::sqlite`).
fn modules(root: &Path) -> Result<BTreeMap<String, PathBuf>> {
    let mut out = BTreeMap::new();
    for file in rust_files(root)?.into_iter().filter(|f| !is_test_file(f)) {
        let rel = file.strip_prefix(root)?.with_extension("");
        let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
        if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
            parts.pop();
        }
        let module = if parts.is_empty() { "crate".to_owned() } else { parts.join("::") };
        out.entry(module).or_insert(file);
    }
    Ok(out)
}

fn rust_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if !dir.exists() {
        return Ok(out);
    }
    for e in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = e?.path();
        if path.is_dir() {
            out.extend(rust_files(&path)?);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// Module → the modules (files) it names items of.
type Graph = BTreeMap<String, BTreeSet<String>>;

fn graph(files: &BTreeMap<String, PathBuf>) -> Result<Graph> {
    let mut graph = Graph::new();
    for (module, path) in files {
        let ast = parse(path)?;
        let mut paths = Paths::default();
        paths.visit_file(&ast);
        let targets = graph.entry(module.clone()).or_default();
        for p in paths.0 {
            if let Some(target) = resolve(module, &p, files) {
                if &target != module && !module.starts_with(&format!("{target}::")) && target != "crate" {
                    targets.insert(target);
                }
            }
        }
    }
    Ok(graph)
}

fn parse(path: &Path) -> Result<syn::File> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    syn::parse_file(&text).with_context(|| format!("parsing {}", path.display()))
}

/// The file a path (`crate::a::b::Item`, `super::x`) lands in: its longest module prefix.
fn resolve(from: &str, path: &[String], files: &BTreeMap<String, PathBuf>) -> Option<String> {
    let mut segments: Vec<String> = match path.first()?.as_str() {
        "crate" => Vec::new(),
        "super" => {
            let mut base: Vec<String> = if from == "crate" { Vec::new() } else { from.split("::").map(str::to_owned).collect() };
            let mut rest = path;
            while rest.first().is_some_and(|s| s == "super") {
                base.pop();
                rest = &rest[1..];
            }
            return longest(base.into_iter().chain(rest.iter().cloned()).collect(), files);
        }
        _ => return None,
    };
    segments.extend(path[1..].iter().cloned());
    longest(segments, files)
}

fn longest(segments: Vec<String>, files: &BTreeMap<String, PathBuf>) -> Option<String> {
    (0..=segments.len()).rev().map(|n| if n == 0 { "crate".to_owned() } else { segments[..n].join("::") }).find(|m| files.contains_key(m))
}

/// Every path starting with `crate` or `super`, in `use` trees and in code.
#[derive(Default)]
struct Paths(Vec<Vec<String>>);

impl<'ast> Visit<'ast> for Paths {
    fn visit_path(&mut self, p: &'ast syn::Path) {
        self.0.push(p.segments.iter().map(|s| s.ident.to_string()).collect());
        syn::visit::visit_path(self, p);
    }
    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let mut prefix = Vec::new();
        use_paths(&u.tree, &mut prefix, &mut self.0);
    }
}

fn use_paths(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_paths(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => out.push(prefix.iter().cloned().chain([n.ident.to_string()]).collect()),
        syn::UseTree::Rename(r) => out.push(prefix.iter().cloned().chain([r.ident.to_string()]).collect()),
        syn::UseTree::Glob(_) => out.push(prefix.clone()),
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| use_paths(t, prefix, out)),
    }
}

/// The cycles of `graph`, one per strongly connected component of two or more files.
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for start in graph.keys() {
        if seen.contains(start) {
            continue;
        }
        let component: BTreeSet<String> = reachable(graph, start).into_iter().filter(|m| reachable(graph, m).contains(start)).collect();
        if component.len() > 1 {
            out.push(component.iter().cloned().collect());
        }
        seen.extend(component);
    }
    out
}

fn reachable(graph: &Graph, from: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::from([from.to_owned()]);
    let mut todo = vec![from.to_owned()];
    while let Some(m) = todo.pop() {
        for next in graph.get(&m).into_iter().flatten() {
            if seen.insert(next.clone()) {
                todo.push(next.clone());
            }
        }
    }
    seen
}

fn print(name: &str, graph: &Graph) {
    println!("{name}");
    for (module, targets) in graph {
        if !targets.is_empty() {
            println!("  {module} → {}", targets.iter().cloned().collect::<Vec<_>>().join(", "));
        }
    }
}

fn file_length(path: &Path) -> Result<Option<String>> {
    let lines = std::fs::read_to_string(path)?.lines().count();
    Ok((lines > MAX_FILE_LINES).then(|| format!("{}: {lines} lines (at most {MAX_FILE_LINES})", path.display())))
}

/// The file's length, and each function outside `#[cfg(test)]` / `#[test]` over the limit.
fn lengths(path: &Path) -> Result<Vec<String>> {
    let mut out: Vec<String> = file_length(path)?.into_iter().collect();
    let mut fns = Functions::default();
    fns.visit_file(&parse(path)?);
    for (name, lines) in fns.0 {
        if lines > MAX_FN_LINES {
            out.push(format!("{}: fn {name} is {lines} lines (at most {MAX_FN_LINES})", path.display()));
        }
    }
    Ok(out)
}

/// Functions (free, in impls, in traits) and their lengths in lines, tests left out.
#[derive(Default)]
struct Functions(Vec<(String, usize)>);

fn is_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("test") || (a.path().is_ident("cfg") && matches!(&a.meta, syn::Meta::List(l) if l.tokens.to_string().contains("test"))))
}

fn span_lines(span: proc_macro2::Span) -> usize {
    span.end().line.saturating_sub(span.start().line) + 1
}

impl<'ast> Visit<'ast> for Functions {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if !is_test(&m.attrs) {
            syn::visit::visit_item_mod(self, m);
        }
    }
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        if !is_test(&f.attrs) {
            self.0.push((f.sig.ident.to_string(), span_lines(f.span())));
            syn::visit::visit_item_fn(self, f);
        }
    }
    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !is_test(&f.attrs) {
            self.0.push((f.sig.ident.to_string(), span_lines(f.span())));
            syn::visit::visit_impl_item_fn(self, f);
        }
    }
    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        self.0.push((f.sig.ident.to_string(), span_lines(f.span())));
        syn::visit::visit_trait_item_fn(self, f);
    }
}
