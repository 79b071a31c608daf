"""The launcher pieces every other test relies on: ports and DynamoDB Local."""

import socket

import boto3
import pytest

import dynamodb_local
from ports import ServiceError, free_port, port_is_free, require_free


def test_busy_port_is_refused_with_a_clear_message():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert not port_is_free(port)
        with pytest.raises(ServiceError, match=rf"port {port} \(DynamoDB Local\) is already in use"):
            require_free(port, "DynamoDB Local")
        with pytest.raises(ServiceError, match="already in use"):
            dynamodb_local.start(port)
    assert port_is_free(free_port())


def test_dynamodb_local_answers_real_api_calls(dynamodb_endpoint):
    client = boto3.client("dynamodb", endpoint_url=dynamodb_endpoint)
    client.create_table(TableName="probe", BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    client.put_item(TableName="probe", Item={"pk": {"S": "a"}})
    assert client.get_item(TableName="probe", Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}
    client.delete_table(TableName="probe")


def test_on_disk_data_survives_a_restart(tmp_path):
    port = free_port()
    server = dynamodb_local.start(port, db_path=tmp_path)
    try:
        client = boto3.client("dynamodb", endpoint_url=server.endpoint)
        client.create_table(TableName="kept", BillingMode="PAY_PER_REQUEST",
                            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
        client.put_item(TableName="kept", Item={"pk": {"S": "x"}})
    finally:
        server.stop()
    server = dynamodb_local.start(port, db_path=tmp_path)
    try:
        # Another access key sees the same data: -sharedDb.
        client = boto3.client("dynamodb", endpoint_url=server.endpoint,
                              aws_access_key_id="other", aws_secret_access_key="other")
        assert client.get_item(TableName="kept", Key={"pk": {"S": "x"}})["Item"]["pk"]["S"] == "x"
    finally:
        server.stop()
