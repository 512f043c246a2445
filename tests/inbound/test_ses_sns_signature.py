"""Amazon SES inbound mail arrives through SNS, and only a message SNS signed gets in: the
signature is checked (SignatureVersion 1 and 2) against a certificate fetched only from
https://sns.<region>.amazonaws.com/….pem, in addition to the webhook's basic auth. The
certificate host is faked at its HTTP edge (tests/sns_edge.py); the messages are really signed."""

import json

import pytest
from django.test import Client

from core import sns
from leads.models import InboundMessage, Lead
from tests import inbound_payloads as wire
from tests.factories import DealershipFactory, SourceFactory
from tests.sns_edge import CERT_URL, key_and_certificate, sign

pytestmark = pytest.mark.django_db
TO = "doesburg@leads.dealerlms.example"
RAW = wire.email_to(wire.sample("adf-tradein.eml"), TO)


@pytest.fixture(autouse=True)
def doesburg(settings):
    settings.ANYMAIL = dict(wire.ANYMAIL_SETTINGS)
    dealership = DealershipFactory(inbound_address=TO)
    SourceFactory(dealership=dealership, name="Marktplaats", sender_patterns="portal.example")
    return dealership


def post(body: dict, **kwargs):
    return wire.post_sns(Client(), body, **kwargs)


def refused(response, reason: str) -> None:
    assert response.status_code == 403, response.content
    assert reason in response.json()["error"]
    assert not InboundMessage.objects.exists()


@pytest.mark.parametrize("version", ["1", "2"])
def test_a_message_signed_by_sns_is_stored_and_becomes_a_lead(
    version, sns_edge, django_capture_on_commit_callbacks
):
    body = sign(wire.ses_notification(RAW, TO), version=version)

    with django_capture_on_commit_callbacks(execute=True):
        response = post(body)

    assert response.status_code == 200, response.content
    assert Lead.objects.get().customer.full_name == "Joop Jansen"
    assert sns_edge.fetched == [CERT_URL]


def test_a_changed_message_is_refused(sns_edge):
    body = sign(wire.ses_notification(RAW, TO))
    body["Message"] = body["Message"].replace("leads@portal.example", "evil@portal.example")

    refused(post(body), "signature does not match")


def test_a_message_signed_with_another_key_is_refused(sns_edge):
    other_key, _ = key_and_certificate("someone else")

    refused(post(sign(wire.ses_notification(RAW, TO), key=other_key)), "does not match")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://sns.eu-west-1.amazonaws.com/cert.pem", "not https"),
        ("https://evil.example/cert.pem", "not on sns.<region>.amazonaws.com"),
        ("https://sns.eu-west-1.amazonaws.com.evil.example/cert.pem", "not on sns."),
        ("https://s3.eu-west-1.amazonaws.com/cert.pem", "not on sns."),
        ("https://sns.eu-west-1.amazonaws.com/cert.txt", "not a .pem file"),
        ("https://sns.eu-west-1.amazonaws.com:8443/cert.pem", "port"),
        ("https://x@sns.eu-west-1.amazonaws.com/cert.pem", "user"),
    ],
)
def test_a_certificate_from_anywhere_but_sns_is_never_fetched(sns_edge, url, reason):
    sns_edge.served[url] = sns_edge.served[CERT_URL]

    refused(post(sign(wire.ses_notification(RAW, TO), cert_url=url)), reason)
    assert sns_edge.fetched == []


def test_china_regions_are_sns_too(sns_edge):
    url = "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-x.pem"
    sns_edge.served[url] = sns_edge.served[CERT_URL]

    assert post(sign(wire.ses_notification(RAW, TO), cert_url=url)).status_code == 200


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"SignatureVersion": "3"}, "SignatureVersion is not 1 or 2"),
        ({"Signature": "not base64!"}, "not base64"),
        ({"Signature": None}, "without SigningCertURL or Signature"),
    ],
)
def test_an_unsigned_or_oddly_signed_message_is_refused(sns_edge, change, reason):
    body = {**sign(wire.ses_notification(RAW, TO)), **change}
    body = {k: v for k, v in body.items() if v is not None}

    refused(post(body), reason)


def test_signed_fields_missing_are_refused(sns_edge):
    body = wire.ses_notification(RAW, TO)
    del body["TopicArn"]
    body = sign({**body, "TopicArn": "x"})
    del body["TopicArn"]

    refused(post(body), "without TopicArn")


def test_the_certificate_is_fetched_once(sns_edge):
    for n in range(3):
        raw = RAW.replace(b"4711@portal", f"{n}@portal".encode())
        assert post(sign(wire.ses_notification(raw, TO))).status_code == 200

    assert sns_edge.fetched == [CERT_URL]
    assert InboundMessage.objects.count() == 3


def test_no_certificate_now_answers_503_and_the_retry_gets_in(sns_edge):
    body = sign(wire.ses_notification(RAW, TO))
    sns_edge.down = True

    response = post(body)
    assert response.status_code == 503 and not InboundMessage.objects.exists()

    sns_edge.down = False
    assert post(body).status_code == 200
    assert InboundMessage.objects.count() == 1


def test_a_signed_message_still_needs_the_basic_auth(sns_edge):
    body = sign(wire.ses_notification(RAW, TO))

    response = post(body, auth=wire.basic_auth("anymail-user:guess"))

    assert response.status_code == 400 and not InboundMessage.objects.exists()


def test_tracking_posts_are_checked_too(sns_edge):
    body = {**wire.ses_notification(RAW, TO), "Signature": "AAAA", "SignatureVersion": "1"}
    body["SigningCertURL"] = CERT_URL

    response = post(body, path="/anymail/amazon_ses/tracking/")

    assert response.status_code == 403 and "does not match" in response.json()["error"]


def test_a_subscription_confirmation_is_verified_with_its_own_fields(sns_edge):
    confirmation = {
        "Type": "SubscriptionConfirmation",
        "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
        "Token": "2336412f37f",
        "TopicArn": "arn:aws:sns:eu-west-1:111122223333:inbound",
        "Message": "You have chosen to subscribe to the topic …",
        "SubscribeURL": "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=2",
        "Timestamp": "2026-10-15T08:15:02.000Z",
    }
    sns.verify(json.loads(json.dumps(sign(confirmation, version="2"))))

    with pytest.raises(sns.Refused, match="does not match"):
        sns.verify({**sign(confirmation), "Token": "another"})
    with pytest.raises(sns.Refused, match="without Token"):
        sns.verify(sign({**confirmation, "Token": None}))
    with pytest.raises(sns.Refused, match="SubscribeURL"):
        sns.verify(sign({**confirmation, "SubscribeURL": "https://evil.example/x"}))


def test_an_expired_certificate_is_refused(sns_edge, monkeypatch):
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    key, _ = key_and_certificate()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    past = datetime.now(UTC) - timedelta(days=400)
    old = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(past)
        .not_valid_after(past + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    url = "https://sns.eu-west-1.amazonaws.com/old.pem"
    sns_edge.served[url] = old.public_bytes(serialization.Encoding.PEM)

    refused(post(sign(wire.ses_notification(RAW, TO), cert_url=url)), "expired")
