#!/usr/bin/env python3
"""Turns docs/openapi.yaml into a C++ source that serves it as JSON (GET /api/v1/openapi.json).

Usage: openapi_to_cc.py INPUT.yaml OUTPUT.cc
"""
import json
import sys

import yaml


def main() -> int:
    source, target = sys.argv[1], sys.argv[2]
    with open(source, encoding="utf-8") as f:
        document = yaml.safe_load(f)
    if not isinstance(document, dict) or not str(document.get("openapi", "")).startswith("3.1"):
        print(f"{source}: not an OpenAPI 3.1 document", file=sys.stderr)
        return 1
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    delimiter = "PARLEYOPENAPI"
    if ")" + delimiter in text:
        print(f"{source}: contains the raw-string delimiter", file=sys.stderr)
        return 1
    with open(target, "w", encoding="utf-8") as f:
        f.write("// Generated from docs/openapi.yaml by scripts/openapi_to_cc.py. Do not edit.\n")
        f.write("#include \"parley/app/routes.h\"\n\n")
        f.write("namespace parley::app {\n\n")
        f.write("std::string_view OpenApiJson() {\n")
        f.write(f"  return R\"{delimiter}({text}){delimiter}\";\n")
        f.write("}\n\n}  // namespace parley::app\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
