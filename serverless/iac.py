"""Infrastructure as code, from the one table definition in ``chalicelib/tables.py``.

- :func:`merge_template` is merged by ``chalice package --merge-template`` into the SAM
  template: the DynamoDB table (on-demand, point-in-time recovery, encryption, TTL, the
  ``by_listing`` index), the function's IAM policy written by hand and scoped to that
  table, API Gateway throttling, and ``GatewayResponses`` that carry the CORS headers
  (errors API Gateway makes itself, e.g. 429 when throttled, have none otherwise).
- :func:`policy_document` also writes ``.chalice/policy-<stage>.json`` for ``chalice
  deploy`` (``python serverless/iac.py --write-policies``; a test checks they agree).

Not packaged into the Lambda (only ``app.py`` and ``chalicelib/`` are).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from chalicelib import tables  # noqa: E402

TABLE_RESOURCE = "UsineTable"
ROLE_RESOURCE = "ApiHandlerRole"  # chalice's name for the function's role
FUNCTION_RESOURCE = "APIHandler"
API_RESOURCE = "RestAPI"
STAGES = ("local", "dev", "prod")

# API Gateway throttling for the whole stage (requests per second, burst). A surge of
# hospitals filling forms is tens per minute; a flood beyond this is not people.
THROTTLE_RATE = 20
THROTTLE_BURST = 50

DATA_ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem", "dynamodb:Query"]


def policy_document(table_arn: Any, index_arn: Any, logs_arn: Any) -> dict[str, Any]:
    """The function's only permissions: its table, its index, its logs."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "OwnTable", "Effect": "Allow", "Action": list(DATA_ACTIONS),
             "Resource": [table_arn]},
            {"Sid": "ListingIndex", "Effect": "Allow", "Action": ["dynamodb:Query"],
             "Resource": [index_arn]},
            {
                # Personal items are read one by one (a maker's own, with its token),
                # never listed: no query or batch read may start in a PERSONAL# partition.
                "Sid": "NeverListPersonalData", "Effect": "Deny",
                "Action": ["dynamodb:Query", "dynamodb:BatchGetItem"],
                "Resource": [table_arn, index_arn],
                "Condition": {"ForAnyValue:StringLike": {"dynamodb:LeadingKeys": ["PERSONAL#*"]}},
            },
            {"Sid": "NoScans", "Effect": "Deny", "Action": ["dynamodb:Scan"],
             "Resource": [table_arn, index_arn]},
            {"Sid": "Logs", "Effect": "Allow",
             "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
             "Resource": [logs_arn]},
        ],
    }


def stage_policy(stage: str) -> dict[str, Any]:
    """``.chalice/policy-<stage>.json``: for ``chalice deploy`` with table ``usine-<stage>``."""
    table = f"arn:*:dynamodb:*:*:table/usine-{stage}"
    return policy_document(table, f"{table}/index/*",
                           f"arn:*:logs:*:*:log-group:/aws/lambda/usine-{stage}*")


def cors_headers(origin: str) -> dict[str, str]:
    allowed = "Content-Type,Idempotency-Key,Authorization,Accept-Language"
    return {
        "gatewayresponse.header.Access-Control-Allow-Origin": f"'{origin}'",
        "gatewayresponse.header.Access-Control-Allow-Headers": f"'{allowed}'",
        "gatewayresponse.header.Access-Control-Allow-Methods": "'GET,POST,PUT,DELETE,OPTIONS'",
        "gatewayresponse.header.Vary": "'Origin'",
    }


def gateway_response(kind: str, origin: str) -> dict[str, Any]:
    return {
        "Type": "AWS::ApiGateway::GatewayResponse",
        "Properties": {
            "RestApiId": {"Ref": API_RESOURCE},
            "ResponseType": kind,
            "ResponseParameters": cors_headers(origin),
            "ResponseTemplates": {"application/json": json.dumps(
                {"error": kind.lower(), "message": "$context.error.messageString"})},
        },
    }


def merge_template(origin: str, *, rate: int = THROTTLE_RATE,
                   burst: int = THROTTLE_BURST) -> dict[str, Any]:
    """What ``chalice package --merge-template`` adds to (and overrides in) its template."""
    table_arn = {"Fn::GetAtt": [TABLE_RESOURCE, "Arn"]}
    index_arn = {"Fn::Sub": "${%s.Arn}/index/*" % TABLE_RESOURCE}
    logs_arn = {"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:"
                           "log-group:/aws/lambda/${AWS::StackName}-*"}
    return {
        "Resources": {
            TABLE_RESOURCE: {**tables.cloudformation_table(), "UpdateReplacePolicy": "Retain"},
            FUNCTION_RESOURCE: {"Properties": {"Environment": {"Variables": {
                "TABLE_NAME": {"Ref": TABLE_RESOURCE}}}}},
            ROLE_RESOURCE: {"Properties": {"Policies": [{
                "PolicyName": "UsineApiPolicy",
                "PolicyDocument": policy_document(table_arn, index_arn, logs_arn),
            }]}},
            API_RESOURCE: {"Properties": {"MethodSettings": [{
                "ResourcePath": "/*", "HttpMethod": "*",
                "ThrottlingRateLimit": rate, "ThrottlingBurstLimit": burst,
            }]}},
            "GatewayResponseDefault4XX": gateway_response("DEFAULT_4XX", origin),
            "GatewayResponseDefault5XX": gateway_response("DEFAULT_5XX", origin),
            "GatewayResponseThrottled": gateway_response("THROTTLED", origin),
        },
        "Outputs": {"TableName": {"Value": {"Ref": TABLE_RESOURCE}}},
    }


def write_policies(folder: Path = HERE / ".chalice") -> list[Path]:
    written = []
    for stage in STAGES:
        path = folder / f"policy-{stage}.json"
        path.write_text(json.dumps(stage_policy(stage), indent=2) + "\n")
        written.append(path)
    return written


if __name__ == "__main__":
    if sys.argv[1:] == ["--write-policies"]:
        for p in write_policies():
            print(f"wrote {p}")
    else:
        sys.exit("usage: python serverless/iac.py --write-policies")
