"""Infrastructure as code, from the one table definition in ``chalicelib/tables.py``.

- :func:`merge_template` is merged by ``chalice package --merge-template`` into the SAM
  template (a deep merge: its keys override or extend the resources chalice generates,
  ``APIHandler``, ``ApiHandlerRole`` and ``RestAPI``). It adds the hub's KMS key, which
  encrypts the table, the function's environment, the logs and the server secret; the
  DynamoDB table (on-demand, point-in-time recovery, TTL; no secondary index: GET /stats reads counters); the server secret
  (Secrets Manager, ``USINE_SECRET_ARN``); the function's IAM policy written by hand and
  scoped to those; X-Ray tracing; API access logs; reserved concurrency and API Gateway
  throttling that agree; e-mail through Amazon SES (``ses:SendEmail`` on the sending
  identity only, from the address of the ``MailFrom`` parameter: ``USINE_MAIL_FROM``,
  chalicelib/mailer.py); and ``GatewayResponses`` that carry the CORS headers (errors API
  Gateway makes itself, e.g. 429 when throttled, have none otherwise), valid JSON bodies
  and ``Retry-After``. Each scheduled function (``SCHEDULED_FUNCTIONS``: the daily sweep of
  stale requests) gets the API handler's settings and policy, and runs one at a time.
- Checks that are wrong for this API are skipped *in the template*, each with its reason
  (``Metadata.checkov.skip``), so ``checkov`` reports zero failures and says why.
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
ROLE_RESOURCE = "ApiHandlerRole"  # chalice's names for the function's role, the function
FUNCTION_RESOURCE = "APIHandler"  # and the API (SAM expands RestAPI into the RestApi,
API_RESOURCE = "RestAPI"          # its deployment and the stage RestAPI.Stage)
# The coordinator authorizer (app.py's @app.authorizer "coordinator"): chalice packages it
# as a function of its own with a role of its own; it reads coordinator records only.
AUTHORIZER_RESOURCE = "Coordinator"
AUTHORIZER_ROLE = "CoordinatorRole"
# Scheduled functions (app.py's @app.schedule): chalice packages each as a function of its
# own (a Schedule event) with a role of its own, named after the Python function in
# CamelCase. They run the API's code on its table, secret and mail: the API handler's
# settings and policy, and one run at a time.
SCHEDULED_FUNCTIONS = {"StaleRequests": "StaleRequestsRole"}  # function -> its role
SCHEDULED_CONCURRENCY = 1
KEY_RESOURCE = "UsineKey"
SECRET_RESOURCE = "UsineSecret"
ACCESS_LOGS_RESOURCE = "ApiAccessLogs"
FUNCTION_LOGS_RESOURCE = "FunctionLogs"
APIGW_LOGS_ROLE = "ApiGatewayLogsRole"
APIGW_ACCOUNT = "ApiGatewayAccount"
STAGES = ("local", "dev", "prod")
# Template parameters: the address e-mails come from, and the SES identity verified for it
# (the address itself, the default, or its domain).
MAIL_FROM_PARAMETER = "MailFrom"
MAIL_IDENTITY_PARAMETER = "MailIdentity"
MAIL_IDENTITY_IS_FROM = "MailIdentityIsMailFrom"  # a template condition

# Throttling and concurrency must agree, or API Gateway lets through more simultaneous
# calls than the function may run and the surplus fails as a 5XX instead of a clean 429.
# A call takes under REQUEST_SECONDS (warm p99 ~0.1 s; a cold start ~1 s), so at
# THROTTLE_RATE calls/s the function runs at most THROTTLE_RATE * REQUEST_SECONDS at once;
# a burst arrives all at once, so the burst itself must fit in the concurrency.
# RESERVED_CONCURRENCY covers both, and caps the bill and the DynamoDB load of a flood.
# A surge of hospitals filling forms is tens per minute: a flood beyond this is not people.
# (Reserving needs an account concurrency quota >= RESERVED_CONCURRENCY + 100; a new
# account's 10 is too low: ask for the default 1000 in Service Quotas.)
THROTTLE_RATE = 20          # requests per second, whole stage
THROTTLE_BURST = 20         # requests at once
REQUEST_SECONDS = 1.0
RESERVED_CONCURRENCY = 20
assert THROTTLE_BURST <= RESERVED_CONCURRENCY
assert THROTTLE_RATE * REQUEST_SECONDS <= RESERVED_CONCURRENCY

# Retry-After (seconds) on API Gateway's own 429 and 5XX: the throttle's bucket refills
# THROTTLE_RATE tokens a second, and a 5XX from the gateway (integration timeout, function
# throttled or failing to start) is worth one retry soon, as the API's own 503 says.
GATEWAY_RETRY_AFTER = 1
# What the client sees in "error" for API Gateway's own answers: the API's own codes where
# they mean the same (README "Errors"), "gateway_error" for the rest (e.g. 403 "Missing
# Authentication Token" on an unknown path, 413 over API Gateway's 10 MB).
# UNAUTHORIZED (401: no Authorization header, or the coordinator authorizer raised
# "Unauthorized") and ACCESS_DENIED (403: an authorizer's Deny; ours never denies, scope is
# the handler's 403) carry the API's own codes, as chalice local answers them
# (chalicelib/coordination_auth.py). An authorizer that fails otherwise (DynamoDB down) is
# API Gateway's AUTHORIZER_CONFIGURATION_ERROR, a 500 under DEFAULT_5XX: "unavailable".
GATEWAY_ERRORS = {"DEFAULT_4XX": "gateway_error", "DEFAULT_5XX": "unavailable",
                  "THROTTLED": "rate_limited", "UNAUTHORIZED": "unauthorized",
                  "ACCESS_DENIED": "forbidden"}
RETRY_KINDS = ("DEFAULT_5XX", "THROTTLED")  # answers worth a retry: Retry-After

# API access logs: no client IP, no user agent (personal data; README: logs carry no
# personal value). Kept a year: nothing personal, and incidents are found late.
ACCESS_LOG_FORMAT = json.dumps({
    "request_id": "$context.requestId", "time": "$context.requestTimeEpoch",
    "method": "$context.httpMethod", "resource": "$context.resourcePath",
    "status": "$context.status", "length": "$context.responseLength",
    "latency_ms": "$context.responseLatency",
    "integration_ms": "$context.integrationLatency",
    "gateway_error": "$context.error.responseType", "trace": "$context.xrayTraceId",
}, separators=(",", ":"))
LOG_RETENTION_DAYS = 365
# The server secret (tokens' HMAC key): alphanumeric so no escaping question arises
# anywhere; 64 characters is ~380 bits, over chalicelib/secret.py's 32-byte minimum.
SECRET_LENGTH = 64

DATA_ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem", "dynamodb:Query"]
# X-Ray has no resource-level permissions: these two on "*" are what tracing needs
# (the same as AWS's managed AWSXrayWriteOnlyAccess, minus the sampling reads).
XRAY_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]

# Checks that do not fit this API, skipped on their resource with the reason.
SKIP_DLQ = {"id": "CKV_AWS_116", "comment": (
    "Invoked synchronously by API Gateway only: the caller gets the error and retries "
    "with its Idempotency-Key; a dead-letter queue receives async events only, and there "
    "is nothing to redeliver.")}
SKIP_VPC = {"id": "CKV_AWS_117", "comment": (
    "Talks only to DynamoDB and Secrets Manager over their public AWS endpoints with IAM "
    "and TLS; a VPC would add NAT or endpoint cost and cold-start time for no isolation "
    "gain (no private resource to reach).")}
SKIP_DLQ_SCHEDULED = {"id": "CKV_AWS_116", "comment": (
    "A daily sweep started by its schedule: each run reads the state afresh and is "
    "idempotent, so the next run redoes whatever a failed one left; a dead-letter queue "
    "would only hold the schedule's empty event.")}
SKIP_CACHE = {"id": "CKV_AWS_120", "comment": (
    "Every answer is per request or no-store (tokens, POST/PUT/DELETE writes, /stats "
    "carries its own Cache-Control); a stage cache would serve one caller's answer to "
    "another and costs by the hour.")}


def checkov_skips(*skips: dict[str, str]) -> dict[str, Any]:
    return {"checkov": {"skip": [dict(s) for s in skips]}}


def policy_document(table_arn: Any, index_arn: Any, logs_arns: list[Any],
                    secret_arn: Any, key_arn: Any = None, mail_identity_arn: Any = None,
                    mail_from: Any = None) -> dict[str, Any]:
    """The function's only permissions: its table, its logs, its secret,
    traces (and the hub's key, to read the secret and its own environment; and SES, to
    send as one identity from one address)."""
    statements = [
        {"Sid": "OwnTable", "Effect": "Allow", "Action": list(DATA_ACTIONS),
         "Resource": [table_arn]},
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
         "Resource": list(logs_arns)},
        {"Sid": "ServerSecret", "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
         "Resource": [secret_arn]},
        {"Sid": "Traces", "Effect": "Allow", "Action": list(XRAY_ACTIONS), "Resource": ["*"]},
    ]
    if key_arn is not None:
        # The secret and the environment are encrypted with the hub's key.
        statements.append({"Sid": "HubKey", "Effect": "Allow", "Action": ["kms:Decrypt"],
                           "Resource": [key_arn]})
    if mail_identity_arn is not None:
        # SES v2 SendEmail, as the verified identity only, and only from MailFrom (with a
        # domain identity, any address of the domain would pass without the condition).
        mail: dict[str, Any] = {"Sid": "SendMail", "Effect": "Allow",
                                "Action": ["ses:SendEmail"], "Resource": [mail_identity_arn]}
        if mail_from is not None:
            mail["Condition"] = {"StringEquals": {"ses:FromAddress": mail_from}}
        statements.append(mail)
    return {"Version": "2012-10-17", "Statement": statements}


def authorizer_policy(table_arn: Any, logs_arns: list[Any], key_arn: Any) -> dict[str, Any]:
    """The coordinator authorizer's permissions: read its table's items, write its logs
    and traces, decrypt its environment."""
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "ReadCoordinators", "Effect": "Allow", "Action": ["dynamodb:GetItem"],
         "Resource": [table_arn],
         "Condition": {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["COORDINATORS"]}}},
        {"Sid": "Logs", "Effect": "Allow",
         "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": list(logs_arns)},
        {"Sid": "Traces", "Effect": "Allow", "Action": list(XRAY_ACTIONS), "Resource": ["*"]},
        {"Sid": "HubKey", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [key_arn]},
    ]}


def stage_policy(stage: str) -> dict[str, Any]:
    """``.chalice/policy-<stage>.json``: for ``chalice deploy`` with table ``usine-<stage>``
    and secret ``usine-<stage>-secret`` (Secrets Manager appends 6 random characters to
    a secret's ARN; it is encrypted with the account's default key, no grant needed)."""
    table = f"arn:*:dynamodb:*:*:table/usine-{stage}"
    return policy_document(table, f"{table}/index/*",
                           [f"arn:*:logs:*:*:log-group:/aws/lambda/usine-{stage}*"],
                           f"arn:*:secretsmanager:*:*:secret:usine-{stage}-secret-??????")


def cors_headers(origin: str) -> dict[str, str]:
    allowed = "Content-Type,Idempotency-Key,Authorization,Accept-Language"
    return {
        "gatewayresponse.header.Access-Control-Allow-Origin": f"'{origin}'",
        "gatewayresponse.header.Access-Control-Allow-Headers": f"'{allowed}'",
        "gatewayresponse.header.Access-Control-Allow-Methods": "'GET,POST,PUT,DELETE,OPTIONS'",
        "gatewayresponse.header.Vary": "'Origin'",
    }


def gateway_body(code: str) -> str:
    """The JSON body (a mapping template) of an error API Gateway makes itself.

    ``$context.error.messageString`` is already a JSON string, quotes included
    (``"Too Many Requests"``): it goes in as it is. ``$context.requestId`` is plain text.
    """
    return ('{"error": %s, "message": $context.error.messageString, '
            '"request_id": "$context.requestId"}' % json.dumps(code))


def gateway_response(kind: str, origin: str) -> dict[str, Any]:
    headers = cors_headers(origin)
    if kind in RETRY_KINDS:
        headers["gatewayresponse.header.Retry-After"] = f"'{GATEWAY_RETRY_AFTER}'"
    if kind == "UNAUTHORIZED":
        headers["gatewayresponse.header.WWW-Authenticate"] = "'Bearer'"
    return {
        "Type": "AWS::ApiGateway::GatewayResponse",
        "Properties": {
            "RestApiId": {"Ref": API_RESOURCE},
            "ResponseType": kind,
            "ResponseParameters": headers,
            "ResponseTemplates": {"application/json": gateway_body(GATEWAY_ERRORS[kind])},
        },
    }


def sub(text: str) -> dict[str, str]:
    return {"Fn::Sub": text}


def key_resource() -> dict[str, Any]:
    """The hub's customer-managed key: rotated yearly, kept when the stack goes (the
    retained table's data would be unreadable without it)."""
    account_root = sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")
    return {
        "Type": "AWS::KMS::Key",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {
            "Description": sub("Usine ${AWS::StackName}: table, function environment, "
                               "logs, server secret"),
            "EnableKeyRotation": True,
            "KeyPolicy": {"Version": "2012-10-17", "Statement": [
                {
                    # The account administers the key and IAM policies grant its use
                    # (the function's role: kms:Decrypt); DynamoDB and Secrets Manager
                    # use it through grants made by the deploying principal.
                    "Sid": "AccountAdministersAndIamGrants", "Effect": "Allow",
                    "Principal": {"AWS": account_root}, "Action": "kms:*", "Resource": "*",
                },
                {
                    "Sid": "StackLogGroups", "Effect": "Allow",
                    "Principal": {"Service": sub("logs.${AWS::Region}.amazonaws.com")},
                    "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*",
                               "kms:GenerateDataKey*", "kms:Describe*"],
                    "Resource": "*",
                    "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": sub(
                        "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:"
                        "log-group:/usine/${AWS::StackName}/*")}},
                },
            ]},
        },
    }


def log_group(name: str) -> dict[str, Any]:
    return {"Type": "AWS::Logs::LogGroup", "Properties": {
        "LogGroupName": sub("/usine/${AWS::StackName}/" + name),
        "RetentionInDays": LOG_RETENTION_DAYS,
        "KmsKeyId": {"Fn::GetAtt": [KEY_RESOURCE, "Arn"]},
    }}


def mail_parameters() -> dict[str, Any]:
    """The template's e-mail parameters (``sam deploy --parameter-overrides
    MailFrom=noreply@hub.example.org``); the identity must be verified in SES first."""
    return {
        MAIL_FROM_PARAMETER: {
            "Type": "String",
            "Description": "The address the hub's e-mails come from (USINE_MAIL_FROM): "
                           "a bare address, verified in Amazon SES (itself or its domain).",
            "AllowedPattern": r"^[^@\s<>\"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$",
            "ConstraintDescription": "an e-mail address such as noreply@hub.example.org",
        },
        MAIL_IDENTITY_PARAMETER: {
            "Type": "String",
            "Default": "",
            "Description": "The Amazon SES identity verified for MailFrom when it is its "
                           "domain (hub.example.org); empty: the MailFrom address itself.",
            "AllowedPattern": r"^([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)?$",
            "ConstraintDescription": "a domain name such as hub.example.org, or nothing",
        },
    }


def mail_identity_arn() -> dict[str, Any]:
    """The ARN of the SES identity the function sends as (MailIdentity, else MailFrom)."""
    arn = "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/"
    return {"Fn::If": [MAIL_IDENTITY_IS_FROM,
                       sub(arn + "${%s}" % MAIL_FROM_PARAMETER),
                       sub(arn + "${%s}" % MAIL_IDENTITY_PARAMETER)]}


def merge_template(origin: str, *, rate: int = THROTTLE_RATE,
                   burst: int = THROTTLE_BURST) -> dict[str, Any]:
    """What ``chalice package --merge-template`` adds to (and overrides in) its template."""
    key_arn = {"Fn::GetAtt": [KEY_RESOURCE, "Arn"]}
    table_arn = {"Fn::GetAtt": [TABLE_RESOURCE, "Arn"]}
    index_arn = {"Fn::Sub": "${%s.Arn}/index/*" % TABLE_RESOURCE}
    logs_arn = {"Fn::GetAtt": [FUNCTION_LOGS_RESOURCE, "Arn"]}
    secret_arn = {"Ref": SECRET_RESOURCE}  # a secret's Ref is its ARN
    table = tables.cloudformation_table()
    table["Properties"]["SSESpecification"] = {
        "SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": key_arn}

    def function(concurrency: int, *skips: dict[str, str]) -> dict[str, Any]:
        """What the API handler and each scheduled function get: the stack's table,
        secret and mail sender, the hub's key, traces, the function logs."""
        return {
            "Metadata": checkov_skips(*skips),
            "Properties": {
                "Environment": {"Variables": {
                    "TABLE_NAME": {"Ref": TABLE_RESOURCE},
                    "USINE_SECRET_ARN": secret_arn,
                    "USINE_MAIL_FROM": {"Ref": MAIL_FROM_PARAMETER}}},
                "KmsKeyArn": key_arn,
                "Tracing": "Active",
                "ReservedConcurrentExecutions": concurrency,
                "LoggingConfig": {"LogGroup": {"Ref": FUNCTION_LOGS_RESOURCE}},
            },
        }

    def api_role(policy_name: str) -> dict[str, Any]:
        return {"Properties": {"Policies": [{
            "PolicyName": policy_name,
            "PolicyDocument": policy_document(
                table_arn, index_arn, [logs_arn], secret_arn, key_arn,
                mail_identity_arn(), {"Ref": MAIL_FROM_PARAMETER}),
        }]}}

    scheduled: dict[str, Any] = {}
    for name, role in SCHEDULED_FUNCTIONS.items():
        scheduled[name] = function(SCHEDULED_CONCURRENCY, SKIP_DLQ_SCHEDULED, SKIP_VPC)
        scheduled[role] = api_role(f"Usine{name}Policy")
    return {
        "Parameters": mail_parameters(),
        "Conditions": {MAIL_IDENTITY_IS_FROM: {
            "Fn::Equals": [{"Ref": MAIL_IDENTITY_PARAMETER}, ""]}},
        "Resources": {
            KEY_RESOURCE: key_resource(),
            "UsineKeyAlias": {"Type": "AWS::KMS::Alias", "Properties": {
                "AliasName": sub("alias/usine-${AWS::StackName}"),
                "TargetKeyId": {"Ref": KEY_RESOURCE}}},
            TABLE_RESOURCE: {**table, "UpdateReplacePolicy": "Retain"},
            SECRET_RESOURCE: {
                # Kept when the stack goes, like the table whose tokens it keys.
                "Type": "AWS::SecretsManager::Secret",
                "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
                "Properties": {
                    "Description": sub("Usine ${AWS::StackName}: the key of the API's tokens "
                                       "(chalicelib/secret.py)"),
                    "KmsKeyId": key_arn,
                    "GenerateSecretString": {"PasswordLength": SECRET_LENGTH,
                                             "ExcludePunctuation": True},
                },
            },
            FUNCTION_LOGS_RESOURCE: log_group("function"),
            ACCESS_LOGS_RESOURCE: log_group("api-access"),
            FUNCTION_RESOURCE: function(RESERVED_CONCURRENCY, SKIP_DLQ, SKIP_VPC),
            **scheduled,
            # The authorizer: the stack's table (not the stage's name), the hub's key, the
            # same logs; it only reads (GetItem of COORDINATORS items).
            AUTHORIZER_RESOURCE: {
                "Metadata": checkov_skips(SKIP_DLQ, SKIP_VPC),
                "Properties": {
                    "Environment": {"Variables": {"TABLE_NAME": {"Ref": TABLE_RESOURCE}}},
                    "KmsKeyArn": key_arn,
                    "Tracing": "Active",
                    "LoggingConfig": {"LogGroup": {"Ref": FUNCTION_LOGS_RESOURCE}},
                },
            },
            AUTHORIZER_ROLE: {"Properties": {"Policies": [{
                "PolicyName": "UsineAuthorizerPolicy",
                "PolicyDocument": authorizer_policy(table_arn, [logs_arn], key_arn),
            }]}},
            ROLE_RESOURCE: api_role("UsineApiPolicy"),
            API_RESOURCE: {
                "Metadata": checkov_skips(SKIP_CACHE),
                # Access logging needs the account's API Gateway logging role first.
                "DependsOn": [APIGW_ACCOUNT],
                "Properties": {
                    "TracingEnabled": True,
                    "AccessLogSetting": {
                        "DestinationArn": {"Fn::GetAtt": [ACCESS_LOGS_RESOURCE, "Arn"]},
                        "Format": ACCESS_LOG_FORMAT},
                    "MethodSettings": [{
                        "ResourcePath": "/*", "HttpMethod": "*",
                        "ThrottlingRateLimit": rate, "ThrottlingBurstLimit": burst,
                    }],
                },
            },
            # API Gateway writes access logs with one role per account and region; set
            # here so a fresh account works. Kept when the stack goes: other APIs of the
            # account may rely on it by then.
            APIGW_LOGS_ROLE: {
                "Type": "AWS::IAM::Role",
                "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
                "Properties": {
                    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                        "Effect": "Allow", "Action": "sts:AssumeRole",
                        "Principal": {"Service": "apigateway.amazonaws.com"}}]},
                    "ManagedPolicyArns": [sub(
                        "arn:${AWS::Partition}:iam::aws:policy/service-role/"
                        "AmazonAPIGatewayPushToCloudWatchLogs")],
                },
            },
            APIGW_ACCOUNT: {
                "Type": "AWS::ApiGateway::Account",
                "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
                "Properties": {"CloudWatchRoleArn": {"Fn::GetAtt": [APIGW_LOGS_ROLE, "Arn"]}},
            },
            "GatewayResponseDefault4XX": gateway_response("DEFAULT_4XX", origin),
            "GatewayResponseDefault5XX": gateway_response("DEFAULT_5XX", origin),
            "GatewayResponseThrottled": gateway_response("THROTTLED", origin),
            "GatewayResponseUnauthorized": gateway_response("UNAUTHORIZED", origin),
            "GatewayResponseAccessDenied": gateway_response("ACCESS_DENIED", origin),
        },
        "Outputs": {"TableName": {"Value": {"Ref": TABLE_RESOURCE}},
                    "SecretArn": {"Value": secret_arn}},
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
