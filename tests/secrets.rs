//! Secrets never leave the process (issue #31, items 1c and 2): every
//! secret value the run holds is `***` in everything it writes, even where
//! an input or a file smuggles it in, and URL credentials are shown hidden.

use crate::util::{Gate, Ran, free_port, tree};

/// Everything a run printed or wrote, but its `::add-mask::` commands.
fn everything(ran: &Ran) -> String {
    let files: String =
        tree(&ran.dir).values().map(|bytes| String::from_utf8_lossy(bytes).into_owned()).collect();
    let stdout: Vec<&str> = ran.stdout.lines().filter(|l| !l.starts_with("::add-mask::")).collect();
    format!("{}{}{}{:?}{files}", stdout.join("\n"), ran.stderr, ran.summary, ran.outputs)
}

#[test]
fn a_secret_copied_into_an_input_is_redacted_in_every_file_and_stream() {
    let token = "ghs_Sm6gg1edT0kenValue";
    let cloud = "aws/Secret+Key=Value";
    let ran = Gate::with_fixture("sample_validation.parquet")
        .any_metric()
        .input("github_token", token)
        .env("AWS_SECRET_ACCESS_KEY", cloud)
        .input("limitations", &format!("see {token} and {cloud}"))
        .input("model_card", "card.md")
        .input("model_card_json", "card.json")
        .input("report_json", "r.json")
        .input("metrics_file", "m.prom")
        .run();
    assert_eq!(ran.code, 0, "{ran:#?}");
    let all = everything(&ran);
    assert!(!all.contains(token) && !all.contains(cloud), "{all}");
    let card = std::fs::read_to_string(ran.dir.join("card.md")).unwrap();
    assert!(card.contains("see *** and ***"), "{card}");
    let limitations = ran.json("card.json")["limitations"].clone();
    assert!(
        limitations.as_array().unwrap().iter().any(|l| l == "see *** and ***"),
        "{limitations}"
    );
    // The runner is told to mask both, before anything else is printed.
    let masks: Vec<&str> =
        ran.stdout.lines().take_while(|l| l.starts_with("::add-mask::")).collect();
    assert!(masks.contains(&format!("::add-mask::{token}").as_str()), "{}", ran.stdout);
    assert!(masks.contains(&format!("::add-mask::{cloud}").as_str()), "{}", ran.stdout);
}

#[test]
fn a_secret_in_a_failing_inputs_message_is_redacted_too() {
    let token = "ghs_B4dInputT0kenValue";
    let ran = Gate::with_fixture("sample_validation.parquet")
        .input("github_token", token)
        .input("label_column", token)
        .run();
    ran.assert_cannot_evaluate("`***`");
    assert!(!everything(&ran).contains(token), "{ran:#?}");
}

#[test]
fn pushgateway_url_credentials_are_sent_nowhere_but_the_request_and_shown_hidden() {
    let port = free_port();
    let url = format!("http://gate:pushP4ssword@127.0.0.1:{port}/?token=queryT0ken");
    let ran = Gate::with_fixture("sample_validation.parquet")
        .any_metric()
        .input("pushgateway_url", &url)
        .input("report_json", "r.json")
        .run();
    assert_eq!(ran.code, 0, "a failed push is a warning: {ran:#?}");
    let all = everything(&ran);
    assert!(!all.contains("pushP4ssword") && !all.contains("queryT0ken"), "{all}");
    assert!(ran.stdout.contains("::warning"), "{ran:#?}");
}
