//! A user's template checked before it is rendered: handlebars renders
//! nested blocks and partials by recursion, so a template that nests
//! thousands of blocks deep, or a partial that includes itself
//! (`{{#*inline "p"}}{{> p}}{{/inline}}{{> p}}`), would overflow the stack
//! and abort the run. Both are refused here, with what was found.

use std::collections::BTreeMap;

use handlebars::template::{Parameter, Template, TemplateElement};

/// The deepest nesting of blocks a user's template may have; the built-in
/// card nests 4 deep.
pub const MAX_DEPTH: usize = 64;

/// Why a template is refused before it is rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unsafe {
    /// Blocks nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// A partial named by an expression, which no check can follow.
    DynamicPartial,
    /// Partials that include each other in a loop, in call order.
    Loop(Vec<String>),
}

impl std::fmt::Display for Unsafe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unsafe::TooDeep => write!(f, "blocks nested more than {MAX_DEPTH} deep"),
            Unsafe::DynamicPartial => f.write_str("a partial named by an expression"),
            Unsafe::Loop(names) => {
                let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
                write!(f, "partials that include themselves: {}", names.join(" -> "))
            }
        }
    }
}

/// Checks the nesting of `text` before it is parsed (the parser recurses
/// too), then, once parsed, that no partial includes itself, directly or
/// through others.
pub fn check_depth(text: &str) -> Result<(), Unsafe> {
    let mut depth = 0usize;
    for (i, _) in text.match_indices("{{") {
        match text[i + 2..].trim_start_matches('~').chars().next() {
            Some('#') => depth += 1,
            Some('/') => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > MAX_DEPTH {
            return Err(Unsafe::TooDeep);
        }
    }
    Ok(())
}

/// Checks that no partial of a parsed template includes itself.
pub fn check_partials(template: &Template) -> Result<(), Unsafe> {
    let mut graph: BTreeMap<String, Vec<String>> = BTreeMap::new();
    collect(template, "", &mut graph)?;
    let mut path = Vec::new();
    walk("", &graph, &mut path)
}

/// Records, under `owner` (the top level is `""`), every partial the
/// template calls, and the calls inside each inline partial it defines.
fn collect(
    template: &Template,
    owner: &str,
    graph: &mut BTreeMap<String, Vec<String>>,
) -> Result<(), Unsafe> {
    for element in &template.elements {
        match element {
            TemplateElement::PartialExpression(d) | TemplateElement::PartialBlock(d) => {
                let name = name_of(&d.name).ok_or(Unsafe::DynamicPartial)?;
                graph.entry(owner.to_string()).or_default().push(name);
                if let Some(t) = &d.template {
                    collect(t, owner, graph)?;
                }
            }
            TemplateElement::DecoratorBlock(d) | TemplateElement::DecoratorExpression(d) => {
                let inline = d.name.as_name() == Some("inline");
                let defined = d.params.first().and_then(name_of);
                let owner = match (inline, &defined) {
                    (true, Some(name)) => name.as_str(),
                    _ => owner,
                };
                graph.entry(owner.to_string()).or_default();
                if let Some(t) = &d.template {
                    collect(t, owner, graph)?;
                }
            }
            TemplateElement::HelperBlock(h) => {
                for t in h.template.iter().chain(&h.inverse) {
                    collect(t, owner, graph)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// A partial's or an inline partial's name, when it is written out.
fn name_of(p: &Parameter) -> Option<String> {
    match p {
        Parameter::Literal(serde_json::Value::String(s)) => Some(s.clone()),
        p => p.as_name().map(str::to_string),
    }
}

/// Follows the calls from `node`; a call back into `path` is a loop.
fn walk(
    node: &str,
    graph: &BTreeMap<String, Vec<String>>,
    path: &mut Vec<String>,
) -> Result<(), Unsafe> {
    if let Some(at) = path.iter().position(|n| n == node) {
        let mut names = path[at..].to_vec();
        names.push(node.to_string());
        return Err(Unsafe::Loop(names));
    }
    path.push(node.to_string());
    for callee in graph.get(node).into_iter().flatten() {
        walk(callee, graph, path)?;
    }
    path.pop();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<(), Unsafe> {
        check_depth(text)?;
        check_partials(&Template::compile(text).unwrap())
    }

    #[test]
    fn a_partial_that_includes_itself_is_a_loop() {
        let direct = r#"{{#*inline "p"}}{{> p}}{{/inline}}{{> p}}"#;
        assert_eq!(check(direct), Err(Unsafe::Loop(vec!["p".into(), "p".into()])));
        let through = r#"{{#*inline "a"}}{{#if x}}{{> b}}{{/if}}{{/inline}}{{#*inline "b"}}{{> a}}{{/inline}}{{> a}}"#;
        let names = ["a", "b", "a"].map(String::from).to_vec();
        assert_eq!(check(through), Err(Unsafe::Loop(names)));
        assert_eq!(check("{{> (lookup this \"x\")}}"), Err(Unsafe::DynamicPartial));
    }

    #[test]
    fn partials_that_end_and_the_built_in_card_pass() {
        let fine =
            r#"{{#*inline "row"}}| {{title}} |{{/inline}}{{#each metrics}}{{> row}}{{/each}}"#;
        assert_eq!(check(fine), Ok(()));
        assert_eq!(check(super::super::render::MODEL_CARD), Ok(()));
    }

    #[test]
    fn nesting_is_bounded_before_parsing() {
        let deep = "{{#if a}}".repeat(MAX_DEPTH + 1);
        assert_eq!(check_depth(&deep), Err(Unsafe::TooDeep));
        let wide = "{{#if a}}x{{/if}}".repeat(10_000);
        assert_eq!(check_depth(&wide), Ok(()));
    }
}
