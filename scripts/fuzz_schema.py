"""The schema the fuzz run uses: /api/schema/ as the server serves it, with HEAD and OPTIONS written
out for every path (drf-spectacular leaves them out, yet every DRF route answers both).

HEAD answers what GET answers, without a body. OPTIONS answers DRF's metadata (JSON) for anyone
who may read the route, else the route's own 401/403/404; it takes no parameters but the path's."""

import copy
import json
import sys
import urllib.request

METADATA = {
    "type": "object",
    "required": ["name"],
    "additionalProperties": True,
    "properties": {
        "name": {"type": "string"},
        "description": {"type": "string"},
        "renders": {"type": "array", "items": {"type": "string"}},
        "parses": {"type": "array", "items": {"type": "string"}},
        "actions": {"type": "object"},
    },
}


def with_head_and_options(schema: dict) -> dict:
    for path, item in schema["paths"].items():
        operations = {m: op for m, op in item.items() if m in ("get", "post", "put", "patch", "delete")}
        if not operations:
            continue
        first = next(iter(operations.values()))
        errors = {code: answer for code, answer in first["responses"].items() if code in ("401", "403", "404", "429")}
        path_parameters = [p for p in first.get("parameters", []) if p.get("in") == "path"]
        item["options"] = {
            "operationId": f"{first['operationId']}_options",
            "tags": first.get("tags", []),
            # Asked like a read: without credentials too, answered 401 where reading the route needs them.
            "parameters": copy.deepcopy(path_parameters),
            "security": [*first.get("security", []), *([{}] if {} not in first.get("security", []) else [])],
            "responses": {
                "200": {
                    "description": "DRF's metadata for the route.",
                    "content": {"application/json": {"schema": METADATA}},
                },
                **copy.deepcopy(errors),
            },
        }
        if "get" in operations:
            head = copy.deepcopy(operations["get"])
            head["operationId"] = f"{head['operationId']}_head"
            for answer in head["responses"].values():
                answer.pop("content", None)  # a HEAD answer has the headers of GET and no body
            item["head"] = head
    return schema


if __name__ == "__main__":
    base_url, out = sys.argv[1], sys.argv[2]
    with urllib.request.urlopen(f"{base_url}/api/schema/?format=json") as answer:
        schema = json.load(answer)
    with open(out, "w") as f:
        json.dump(with_head_and_options(schema), f, indent=1)
