"""E-mails: composed in each language, really sent over SMTP to an aiosmtpd server and read
back; the token only in the link's fragment; header injection refused; Amazon SES (moto and
botocore's Stubber) with the exact From/To/Subject; failures as MailError; no address,
subject or token in the logs."""

from __future__ import annotations

import io
import json
import logging
import re
import secrets
import socket
import time
from urllib.parse import unquote, urlsplit

import pytest

import tomllib

from api_helpers import TEST_HUB, write_hub
from chalicelib import catalog, config, i18n, mailer, notifications

SITE_URL = "https://hub.example.org/"
TO = "someone@requester.test"
LANGS = config.hub_from_data(tomllib.loads(TEST_HUB)).languages  # the hub under test's


@pytest.fixture(autouse=True)
def hub_under_test(monkeypatch, tmp_path):
    """The links' languages are the hub's (hub.toml [hub] languages)."""
    monkeypatch.setenv("USINE_HUB_CONFIG", str(write_hub(tmp_path / "hub.toml")))
URL = re.compile(r"https?://\S+")


def token() -> str:
    return secrets.token_urlsafe(32)


def compose(kind: str, lang: str, link_token: str, to: str = TO) -> mailer.Message:
    if kind == "allocation_proposed":
        return notifications.allocation_proposed(lang, SITE_URL, "A-7K3M9Q2X", link_token,
                                                 "Face shield visor", 40, "2031-05-01", to)
    if kind == "shipment":
        return notifications.shipment(lang, SITE_URL, "R-7K3M9Q2X", link_token, 12, to)
    return notifications.reconfirm(lang, SITE_URL, "R-7K3M9Q2X", link_token, "2031-05-08", to)


KINDS = ("allocation_proposed", "shipment", "reconfirm")
PAGES = {"allocation_proposed": ("sites.html", "id", "A-7K3M9Q2X"),
         "shipment": ("status.html", "ref", "R-7K3M9Q2X"),
         "reconfirm": ("status.html", "ref", "R-7K3M9Q2X")}


def fragment_values(fragment: str) -> dict[str, str]:
    """As the pages' fromHash() reads it: split on & and =, decodeURIComponent."""
    out = {}
    for part in fragment.split("&"):
        key, _, value = part.partition("=")
        if key:
            out[unquote(key)] = unquote(value)
    return out


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


# --- the words ---------------------------------------------------------------------------

def test_every_mail_text_exists_in_every_language_with_the_same_placeholders():
    mail = {lang: catalog.section(lang, "mail") for lang in LANGS}
    for code in mail["en"]:
        entry = {lang: catalog.own_words(lang)[f"mail.{code}"] for lang in LANGS}
        names = {lang: set(re.findall(r"\{(\w+)\}", text)) for lang, text in entry.items()}
        assert all(n == names["en"] for n in names.values()), (code, names)
        if code.endswith("_body"):
            assert "link" in names["en"], code


def test_mail_falls_back_to_english():
    assert i18n.mail("shipment_subject", "de", reference="R-1", count=2) \
        == i18n.mail("shipment_subject", "en", reference="R-1", count=2)
    message = compose("shipment", "de", token())
    assert "/en/status.html#" in message.text


def test_mail_to_a_language_the_hub_lacks_uses_its_first_when_it_has_no_english(
        monkeypatch, tmp_path):
    hub = TEST_HUB.replace('languages = ["fr", "en", "ar"]', 'languages = ["ar", "fr"]')
    monkeypatch.setenv("USINE_HUB_CONFIG", str(write_hub(tmp_path / "ar-hub.toml", hub)))
    message = compose("shipment", "de", token())
    assert "/ar/status.html#" in message.text
    assert message.subject == i18n.mail("shipment_subject", "ar", reference="R-7K3M9Q2X",
                                        count=12)


# --- really sent, read back ---------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", KINDS)
def test_each_message_is_sent_and_read_back_with_the_token_in_the_fragment_only(
        smtp_server, kind, lang):
    secret = token()
    message = compose(kind, lang, secret)
    mailer.send(message)
    (received,) = smtp_server.wait_for(1)
    envelope = smtp_server.received[0]

    assert envelope.mail_from == smtp_server.mail_from and envelope.rcpt_tos == [TO]
    assert received["From"] == smtp_server.mail_from and received["To"] == TO
    assert received["Subject"] == message.subject
    assert received.get_content_type() == "text/plain"
    assert received.get_content_charset() == "utf-8"
    body = received.get_content().replace("\r\n", "\n")  # SMTP's line ends
    assert body == message.text
    for text in (received["Subject"], body):
        assert "{" not in text and "}" not in text  # every placeholder filled
    assert message.subject == i18n.mail(f"{kind}_subject", lang, **{
        "allocation_proposed": {"quantity": 40, "design": "Face shield visor"},
        "shipment": {"reference": "R-7K3M9Q2X", "count": 12},
        "reconfirm": {"reference": "R-7K3M9Q2X"}}[kind])

    (url,) = URL.findall(body)
    parts = urlsplit(url)
    page, key, value = PAGES[kind]
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "hub.example.org",
                                                        f"/{lang}/{page}")
    assert parts.query == "" and secret not in parts.query and "token" not in parts.query
    assert fragment_values(parts.fragment) == {key: value, "token": secret}
    assert secret not in received["Subject"]
    assert body.count(secret) == 1  # only in the link
    assert "2031-05" in body or kind == "shipment"
    assert f"\n{url}\n" in body  # the link on a line of its own (right-to-left text)


def test_a_token_with_any_character_survives_the_fragment(smtp_server):
    odd = "a+b/c=d&e f#g%h"
    mailer.send(notifications.shipment("fr", "https://hub.example.org", "R-1", odd, 1, TO))
    (received,) = smtp_server.wait_for(1)
    (url,) = URL.findall(received.get_content())
    parts = urlsplit(url)
    assert parts.path == "/fr/status.html" and parts.query == ""
    assert fragment_values(parts.fragment) == {"ref": "R-1", "token": odd}


def test_several_messages_arrive_in_order(smtp_server):
    for count in (1, 2, 3):
        mailer.send(notifications.shipment("en", SITE_URL, "R-1", token(), count, TO))
    subjects = [m["Subject"] for m in smtp_server.wait_for(3)]
    assert subjects == [i18n.mail("shipment_subject", "en", reference="R-1", count=c)
                        for c in (1, 2, 3)]


# --- refused before anything is sent ------------------------------------------------------

@pytest.mark.parametrize("field,value", [
    ("to", "someone@requester.test\r\nBcc: other@evil.test"),
    ("to", "someone@requester.test\nBcc: other@evil.test"),
    ("to", "someone@requester.test\rBcc: other@evil.test"),
    ("subject", "Hello\r\nBcc: other@evil.test"),
    ("subject", "Hello\nX-Injected: yes"),
    ("to", "one@requester.test, two@requester.test"),
    ("to", "not an address"),
])
def test_header_injection_and_several_recipients_are_refused(smtp_server, field, value):
    message = compose("shipment", "en", token())
    bad = mailer.Message(**{**message.__dict__, field: value})
    with pytest.raises(mailer.MailError) as err:
        mailer.send(bad)
    assert err.value.code == "invalid_header"
    mailer.send(message)  # the server works: the bad one never reached it
    (received,) = smtp_server.wait_for(1)
    assert received["To"] == TO and "Bcc" not in received and "X-Injected" not in received
    time.sleep(0.1)
    assert len(smtp_server.messages) == 1


def test_the_standard_library_itself_refuses_a_line_break_in_a_header():
    from email.message import EmailMessage
    from email.policy import SMTP

    with pytest.raises(ValueError):
        EmailMessage(policy=SMTP)["Subject"] = "Hello\r\nBcc: other@evil.test"


# --- failures -----------------------------------------------------------------------------

def test_smtp_down_raises_mail_error_quickly(monkeypatch):
    monkeypatch.setenv("USINE_SMTP", f"127.0.0.1:{closed_port()}")
    monkeypatch.setenv("USINE_MAIL_FROM", "hub@usine.test")
    started = time.monotonic()
    with pytest.raises(mailer.MailError) as err:
        mailer.send(compose("reconfirm", "ar", token()))
    assert err.value.code == "smtp_unreachable"
    assert time.monotonic() - started < mailer.SMTP_TIMEOUT + 1


def test_smtp_timeout_is_at_most_five_seconds():
    assert 0 < mailer.SMTP_TIMEOUT <= 5


@pytest.mark.parametrize("value", ["127.0.0.1", "127.0.0.1:", ":25", "host:port"])
def test_a_malformed_smtp_setting_is_a_mail_error(monkeypatch, value):
    monkeypatch.setenv("USINE_SMTP", value)
    monkeypatch.setenv("USINE_MAIL_FROM", "hub@usine.test")
    with pytest.raises(mailer.MailError) as err:
        mailer.send(compose("shipment", "en", token()))
    assert err.value.code == "smtp_misconfigured"


def test_no_sender_is_a_mail_error(smtp_server, monkeypatch):
    monkeypatch.delenv("USINE_MAIL_FROM")
    with pytest.raises(mailer.MailError) as err:
        mailer.send(compose("shipment", "en", token()))
    assert err.value.code == "mail_from_missing"


def test_the_environment_is_read_at_each_call(smtp_server, monkeypatch):
    message = compose("shipment", "en", token())
    monkeypatch.setenv("USINE_SMTP", f"127.0.0.1:{closed_port()}")
    with pytest.raises(mailer.MailError):
        mailer.send(message)
    monkeypatch.setenv("USINE_SMTP", f"{smtp_server.host}:{smtp_server.port}")
    mailer.send(message)
    assert smtp_server.wait_for(1)[0]["Subject"] == message.subject


# --- Amazon SES ---------------------------------------------------------------------------

@pytest.fixture
def ses(aws, monkeypatch):
    """moto's SES (v2 API) with the sender verified; USINE_SMTP unset: SES is used."""
    monkeypatch.delenv("USINE_SMTP", raising=False)
    monkeypatch.setenv("USINE_MAIL_FROM", "hub@usine.test")
    client = mailer.ses_client()
    client.create_email_identity(EmailIdentity="hub@usine.test")
    return client


def ses_sent():
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return ses_backends[DEFAULT_ACCOUNT_ID]["eu-west-3"].sent_messages


@pytest.mark.parametrize("lang", LANGS)
def test_ses_sends_from_the_sender_to_the_recipient_with_the_subject(ses, lang):
    message = compose("allocation_proposed", lang, token(), to="site@maker.test")
    mailer.send(message)
    (sent,) = ses_sent()
    assert sent.source == "hub@usine.test"
    assert sent.destinations == {"ToAddresses": ["site@maker.test"]}
    assert sent.subject == message.subject and sent.body == message.text


def test_ses_request_is_exactly_this(aws, monkeypatch):
    """botocore's Stubber: the SES v2 call's parameters, exactly."""
    from botocore.stub import Stubber

    monkeypatch.delenv("USINE_SMTP", raising=False)
    monkeypatch.setenv("USINE_MAIL_FROM", "hub@usine.test")
    message = compose("reconfirm", "fr", token())
    client = mailer.ses_client()
    with Stubber(client) as stub:
        stub.add_response("send_email", {"MessageId": "m-1"}, {
            "FromEmailAddress": "hub@usine.test",
            "Destination": {"ToAddresses": [TO]},
            "Content": {"Simple": {
                "Subject": {"Data": message.subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": message.text, "Charset": "UTF-8"}}}},
        })
        mailer.send(message)
        stub.assert_no_pending_responses()


def test_ses_rejecting_is_a_mail_error(aws, monkeypatch):
    monkeypatch.delenv("USINE_SMTP", raising=False)
    monkeypatch.setenv("USINE_MAIL_FROM", "unverified@usine.test")
    with pytest.raises(mailer.MailError) as err:
        mailer.send(compose("shipment", "en", token()))
    assert err.value.code == "ses_MessageRejected"
    assert ses_sent() == []


def test_ses_client_is_short_lived_on_failure(moto):  # built after moto: never real AWS
    """Like the table's client: 1 s to connect, 3 s to read, 2 attempts in all."""
    client = mailer.ses_client("eu-west-3")
    assert client.meta.config.connect_timeout == 1 and client.meta.config.read_timeout == 3
    assert client.meta.config.retries["total_max_attempts"] == 2
    assert client.meta.service_model.service_name == "sesv2"


# --- logs ---------------------------------------------------------------------------------

@pytest.fixture
def mail_logs():
    """The lines logger ``usine.mail`` writes, formatted as the app formats them (JSON)."""
    from chalicelib import logs

    logger = logging.getLogger("usine.mail")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_logs_name_the_kind_and_status_never_an_address_a_subject_or_a_token(
        smtp_server, mail_logs, monkeypatch):
    secret = token()
    sent = compose("allocation_proposed", "fr", secret, to="canary.address@maker.test")
    mailer.send(sent)
    smtp_server.wait_for(1)
    monkeypatch.setenv("USINE_SMTP", f"127.0.0.1:{closed_port()}")
    failed = compose("shipment", "en", secret, to="canary.address@maker.test")
    with pytest.raises(mailer.MailError):
        mailer.send(failed)
    with pytest.raises(mailer.MailError):
        mailer.send(mailer.Message(to="x@y.test\r\nBcc: canary.address@maker.test",
                                   subject="s", text="t", kind="reconfirm"))

    lines = mail_logs.getvalue().splitlines()
    records = [json.loads(line) for line in lines]
    assert all(r["logger"] == "usine.mail" for r in records)
    assert [(r["mail"], r["status"], r.get("error")) for r in records] == [
        ("allocation_proposed", "sent", None),
        ("shipment", "failed", "smtp_unreachable"),
        ("reconfirm", "failed", "invalid_header"),
    ]
    everything = "\n".join(lines)
    for leak in ("canary.address", "maker.test", secret, sent.subject, failed.subject,
                 "hub@usine.test", "https://"):
        assert leak not in everything


# --- the template (SES, least privilege) ---------------------------------------------------

def test_the_function_may_send_only_as_its_identity_and_from_its_address():
    import iac

    merged = iac.merge_template("https://prod.example.org")
    params = merged["Parameters"]
    assert set(params) == {"MailFrom", "MailIdentity"} and "Default" not in params["MailFrom"]
    assert re.fullmatch(params["MailFrom"]["AllowedPattern"], "noreply@hub.example.org")
    for bad in ("Hub <noreply@hub.example.org>", "a@b.org\r\nBcc: c@d.org", "noreply"):
        assert not re.fullmatch(params["MailFrom"]["AllowedPattern"], bad)
    env = merged["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert env["USINE_MAIL_FROM"] == {"Ref": "MailFrom"}
    (policy,) = merged["Resources"]["ApiHandlerRole"]["Properties"]["Policies"]
    sending = [s for s in policy["PolicyDocument"]["Statement"] if "ses" in json.dumps(s)]
    assert sending == [{
        "Sid": "SendMail", "Effect": "Allow", "Action": ["ses:SendEmail"],
        "Resource": [{"Fn::If": ["MailIdentityIsMailFrom",
                                 {"Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:"
                                             "${AWS::AccountId}:identity/${MailFrom}"},
                                 {"Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:"
                                             "${AWS::AccountId}:identity/${MailIdentity}"}]}],
        "Condition": {"StringEquals": {"ses:FromAddress": {"Ref": "MailFrom"}}},
    }]
    assert merged["Conditions"]["MailIdentityIsMailFrom"] == {
        "Fn::Equals": [{"Ref": "MailIdentity"}, ""]}


# --- make run's mail server ----------------------------------------------------------------

def test_make_runs_mail_server_saves_each_message_as_a_file(tmp_path, monkeypatch, capsys):
    import email
    import email.policy

    import run_local
    from smtp_fixture import free_port

    port = free_port()
    server = run_local.start_mail_server(port, tmp_path / "mail")
    try:
        monkeypatch.setenv("USINE_SMTP", f"127.0.0.1:{port}")
        monkeypatch.setenv("USINE_MAIL_FROM", run_local.LOCAL_MAIL_FROM)
        message = compose("reconfirm", "ar", token())
        mailer.send(message)
        deadline = time.monotonic() + 5
        while not list((tmp_path / "mail").glob("*.eml")) and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        server.stop()
    (saved,) = (tmp_path / "mail").glob("*.eml")
    parsed = email.message_from_bytes(saved.read_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == message.subject and parsed["To"] == TO
    assert parsed.get_content().replace("\r\n", "\n") == message.text
    assert str(saved) in capsys.readouterr().out
    assert not list((tmp_path / "mail").glob("*.part"))


def test_make_run_reads_the_mail_port_from_hub_toml():
    import tomllib

    from api_helpers import REPO

    assert tomllib.loads((REPO / "hub.toml").read_text())["local"]["smtp_port"] == 8025
