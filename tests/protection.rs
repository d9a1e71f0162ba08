//! The branch protection command of docs/workflows.md is a read-modify-write
//! that keeps what a branch already requires: run with jq on GitHub's own
//! example answer, its body is valid for `PUT .../protection` by GitHub's
//! OpenAPI description (`tests/protection_oracle.py`), adds the check, and
//! keeps the reviews, the other checks and every other setting.

use crate::util::{Gate, root};

#[test]
fn the_documented_protection_update_keeps_what_the_branch_requires() {
    let docs = root().join("docs/workflows.md");
    let openapi =
        root().join("tests/node/node_modules/@octokit/openapi/generated/api.github.com.json");
    let args = [docs.as_os_str(), openapi.as_os_str()];
    let out = Gate::python("protection_oracle.py", &args, "jsonschema, and jq on PATH");
    let (before, after) = (&out["example"]["before"], &out["example"]["after"]);
    let contexts = after["required_status_checks"]["contexts"].as_array().unwrap();
    for kept in before["required_status_checks"]["contexts"].as_array().unwrap() {
        assert!(contexts.contains(kept), "{kept} dropped: {after}");
    }
    assert!(contexts.contains(&"ER Precision Gate".into()), "{after}");
    let (was, now) =
        (&before["required_pull_request_reviews"], &after["required_pull_request_reviews"]);
    for key in
        ["dismiss_stale_reviews", "require_code_owner_reviews", "required_approving_review_count"]
    {
        assert_eq!(now[key], was[key], "{key}");
    }
    assert_eq!(
        now["dismissal_restrictions"]["users"][0],
        was["dismissal_restrictions"]["users"][0]["login"]
    );
    for key in ["required_linear_history", "allow_force_pushes", "lock_branch"] {
        assert_eq!(after[key], before[key]["enabled"], "{key}");
    }
    assert_eq!(after["enforce_admins"], true);
    // A branch without protection gets the check and nothing else.
    let none = &out["none"]["after"];
    assert!(none["required_pull_request_reviews"].is_null());
    assert_eq!(
        none["required_status_checks"]["contexts"],
        serde_json::json!(["ER Precision Gate"])
    );
}
