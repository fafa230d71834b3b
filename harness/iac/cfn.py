"""CloudFormation templates: load (YAML with intrinsic tags, or JSON), diff into a change set.

shadow computes the change set of a stack update itself, the way CloudFormation does:
per logical resource Add, Modify or Remove, and for a Modify whether it needs
``Replacement`` (a create-only property changed: a new physical resource is made and
the old one deleted). Emulators return thinner change sets and often cannot replace a
resource in place, so the runner carries a replacement out as CloudFormation would
(old resource deleted, new one created) by giving the replaced resource a new logical
id (``rename``), and refuses it, as CloudFormation does, when the resource keeps a
custom name. The create-only properties below are data, from the CloudFormation
resource reference ("Update requires: Replacement").
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import yaml

# Resource type -> properties whose change requires replacement.
REPLACES: dict[str, tuple[str, ...]] = {
    "AWS::DynamoDB::Table": ("TableName", "KeySchema", "LocalSecondaryIndexes"),
    "AWS::SQS::Queue": ("QueueName", "FifoQueue"),
    "AWS::S3::Bucket": ("BucketName", "ObjectLockEnabled"),
    "AWS::SNS::Topic": ("TopicName", "FifoTopic"),
    "AWS::IAM::Role": ("RoleName", "Path"),
    "AWS::IAM::User": ("UserName",),
    "AWS::SecretsManager::Secret": ("Name",),
    "AWS::Lambda::Function": ("FunctionName",),
    "AWS::EC2::VPC": ("CidrBlock", "InstanceTenancy"),
    "AWS::EC2::Subnet": ("VpcId", "CidrBlock", "AvailabilityZone"),
    "AWS::EC2::SecurityGroup": ("GroupName", "GroupDescription", "VpcId"),
    "AWS::RDS::DBInstance": ("DBInstanceIdentifier", "DBName", "KmsKeyId", "StorageEncrypted"),
}
# Resource type -> the property that holds its custom physical name.
NAME_PROPERTY: dict[str, str] = {
    "AWS::DynamoDB::Table": "TableName", "AWS::SQS::Queue": "QueueName", "AWS::S3::Bucket": "BucketName",
    "AWS::SNS::Topic": "TopicName", "AWS::IAM::Role": "RoleName", "AWS::IAM::User": "UserName",
    "AWS::SecretsManager::Secret": "Name", "AWS::Lambda::Function": "FunctionName",
    "AWS::RDS::DBInstance": "DBInstanceIdentifier", "AWS::EC2::SecurityGroup": "GroupName",
}
REPLACED_SUFFIX = "Replacement"


class _Loader(yaml.SafeLoader):
    """SafeLoader that reads ``!Ref x`` as ``{"Ref": x}`` and ``!Sub`` as ``{"Fn::Sub": ...}``."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_Loader.add_multi_constructor("!", _intrinsic)


def load_template(text: str) -> dict[str, Any]:
    """A template as a dict; ValueError with the reason when it is not one."""
    try:
        doc = json.loads(text)
    except ValueError:
        try:
            doc = yaml.load(text, Loader=_Loader)
        except yaml.YAMLError as exc:
            raise ValueError(f"not valid YAML or JSON: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("Resources"), dict) or not doc["Resources"]:
        raise ValueError("a template needs a non-empty Resources mapping")
    for logical, res in doc["Resources"].items():
        if not isinstance(res, dict) or not isinstance(res.get("Type"), str):
            raise ValueError(f"resource {logical} has no Type")
    return doc


@dataclass
class ResourceChange:
    """One row of a change set, in CloudFormation's words."""

    logical_id: str
    type: str
    action: str  # Add | Modify | Remove
    replacement: bool = False
    properties: list[str] = field(default_factory=list)  # changed property names
    custom_name: str | None = None  # the physical name the template pins, if any

    def to_json(self) -> dict[str, Any]:
        return {"LogicalResourceId": self.logical_id, "ResourceType": self.type, "Action": self.action,
                "Replacement": "True" if self.replacement else ("False" if self.action == "Modify" else None),
                "ChangedProperties": self.properties, "CustomName": self.custom_name}


def change_set(old: dict[str, Any] | None, new: dict[str, Any]) -> list[ResourceChange]:
    """What updating a stack from template ``old`` (None: a new stack) to ``new`` does."""
    before = (old or {}).get("Resources") or {}
    after = new["Resources"]
    out: list[ResourceChange] = []
    for logical, res in after.items():
        name = (res.get("Properties") or {}).get(NAME_PROPERTY.get(res["Type"], ""))
        custom = name if isinstance(name, str) else None
        if logical not in before:
            out.append(ResourceChange(logical, res["Type"], "Add", custom_name=custom))
            continue
        if before[logical] == res:
            continue
        old_props = before[logical].get("Properties") or {}
        new_props = res.get("Properties") or {}
        changed = sorted(k for k in set(old_props) | set(new_props) if old_props.get(k) != new_props.get(k))
        replaced = before[logical].get("Type") != res["Type"] or any(
            k in REPLACES.get(res["Type"], ()) for k in changed)
        out.append(ResourceChange(logical, res["Type"], "Modify", replaced, changed, custom))
    for logical, res in before.items():
        if logical not in after:
            out.append(ResourceChange(logical, res["Type"], "Remove"))
    return out


def blocked_replacements(changes: list[ResourceChange], old: dict[str, Any] | None) -> list[ResourceChange]:
    """Replacements CloudFormation refuses: the resource keeps the same custom name."""
    before = (old or {}).get("Resources") or {}
    out = []
    for c in changes:
        if c.action == "Modify" and c.replacement and c.custom_name:
            old_name = (before[c.logical_id].get("Properties") or {}).get(NAME_PROPERTY.get(c.type, ""))
            if old_name == c.custom_name:
                out.append(c)
    return out


def keep_generated_names(old: dict[str, Any] | None, new: dict[str, Any],
                         physical: dict[str, str]) -> tuple[dict[str, Any], set[str]]:
    """``new`` with the names a stack already gave its resources kept where ``new`` leaves them out.

    A name CloudFormation generated stays with the resource across updates; in a sandbox
    stack it is pinned in the template (to match production), so without this every
    update would look like a rename. Returns the template and the logical ids given a name.
    """
    before = (old or {}).get("Resources") or {}
    doc = json.loads(json.dumps(new))
    carried: set[str] = set()
    for logical, res in doc["Resources"].items():
        prop = NAME_PROPERTY.get(res.get("Type", ""))
        was = before.get(logical) or {}
        pinned = (was.get("Properties") or {}).get(prop) if prop else None
        props = res.setdefault("Properties", {}) if prop else {}
        if prop and prop not in props and was.get("Type") == res.get("Type") and pinned \
                and str(physical.get(logical, "")).rstrip("/").endswith(str(pinned)):
            props[prop] = pinned
            carried.add(logical)
    return doc, carried


def rename(template: dict[str, Any], logical_ids: set[str]) -> dict[str, Any]:
    """``template`` with each of ``logical_ids`` under a new logical id, references rewritten."""
    mapping = {lid: f"{lid}{REPLACED_SUFFIX}" for lid in logical_ids}

    def walk(v: Any) -> Any:
        if isinstance(v, dict):
            out = {}
            for k, x in v.items():
                if k == "Ref" and isinstance(x, str) and x in mapping:
                    out[k] = mapping[x]
                elif k == "Fn::GetAtt" and isinstance(x, list) and x and x[0] in mapping:
                    out[k] = [mapping[x[0]], *x[1:]]
                elif k == "Fn::Sub" and isinstance(x, str | list):
                    out[k] = _sub(x, mapping)
                elif k == "DependsOn":
                    out[k] = ([mapping.get(d, d) for d in x] if isinstance(x, list) else mapping.get(x, x))
                else:
                    out[k] = walk(x)
            return out
        if isinstance(v, list):
            return [walk(x) for x in v]
        return v

    doc = walk(template)
    doc["Resources"] = {mapping.get(k, k): v for k, v in doc["Resources"].items()}
    return doc


def _sub(value: Any, mapping: dict[str, str]) -> Any:
    def fix(text: str) -> str:
        for old, new in mapping.items():
            text = text.replace("${" + old + "}", "${" + new + "}").replace("${" + old + ".", "${" + new + ".")
        return text

    if isinstance(value, str):
        return fix(value)
    return [fix(value[0]), *value[1:]] if value and isinstance(value[0], str) else value
