#!/usr/bin/env python3
"""The documented branch protection update, checked against GitHub's API.

Usage: protection_oracle.py DOCS OPENAPI

Takes the jq program of the read-modify-write in DOCS (docs/workflows.md),
runs it with jq on GitHub's own example answer to `GET .../protection`
(the OpenAPI description's `branch-protection` example) and on `{}` (a
branch without protection), and validates each body against the OpenAPI
schema of `PUT .../protection`. Prints the two bodies as JSON.
"""

import json
import re
import subprocess
import sys

import jsonschema


def resolve(node, spec):
    """The schema with every local `$ref` replaced by what it names, and
    OpenAPI 3.0's `nullable` as JSON Schema says it (`null` a type)."""
    if isinstance(node, dict):
        if "$ref" in node:
            target = spec
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            return resolve(target, spec)
        out = {k: resolve(v, spec) for k, v in node.items() if k != "nullable"}
        if node.get("nullable") and "type" in out:
            out["type"] = [out["type"], "null"]
        return out
    if isinstance(node, list):
        return [resolve(v, spec) for v in node]
    return node


def main(argv):
    docs, openapi = argv
    text = open(docs, encoding="utf-8").read()
    program = re.search(r"\njq '(.*?)' <<< \"\$protection\"", text, re.S).group(1)
    spec = json.load(open(openapi, encoding="utf-8"))
    path = spec["paths"]["/repos/{owner}/{repo}/branches/{branch}/protection"]
    schema = resolve(path["put"]["requestBody"]["content"]["application/json"]["schema"], spec)
    example = spec["components"]["examples"]["branch-protection"]["value"]
    out = {}
    for name, before in [("example", example), ("none", {})]:
        body = subprocess.run(
            ["jq", program], input=json.dumps(before), capture_output=True, text=True, check=True
        ).stdout
        body = json.loads(body)
        jsonschema.validate(body, schema)
        out[name] = {"before": before, "after": body}
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
