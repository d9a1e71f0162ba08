//! `INPUT_*` environments and flags through input parsing: any text may be
//! refused, none may panic, and an error message never holds a line break
//! that came from the input.
#![no_main]

use er_precision_gate::env::Env;
use er_precision_gate::{INPUTS, Inputs};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Lines of `NAME=value`; a name that is a number picks a declared input.
    let mut pairs = vec![("INPUT_VALIDATION_SET".to_string(), "v.parquet".to_string())];
    let mut args = vec!["er-precision-gate".to_string()];
    for line in text.split('\n') {
        let (name, value) = line.split_once('=').unwrap_or((line, ""));
        let name = match name.parse::<usize>() {
            Ok(i) => INPUTS[i % INPUTS.len()].name.to_uppercase(),
            Err(_) => name.to_string(),
        };
        if let Some(flag) = name.strip_prefix("--") {
            args.push(format!("--{flag}"));
            args.push(value.to_string());
        } else {
            pairs.push((format!("INPUT_{name}"), value.replace("\\n", "\n")));
        }
    }
    if let Err(err) = Inputs::load(&Env::from_pairs(pairs), args.into_iter().map(Into::into)) {
        let message = err.to_string();
        assert!(!message.contains('\n'), "{message:?}");
        assert!(!message.contains("##["), "{message:?}");
    }
});
