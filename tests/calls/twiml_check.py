"""TwiML checked against the grammar of Twilio's TwiML for the verbs we use. No XSD of TwiML
ships in any package we can install here (Twilio publishes none in its helper libraries), so
this is the structural check: root, which verb may hold which, the attributes Twilio documents
for each, and their values where they are enumerated; parsed with entity expansion off."""

from __future__ import annotations

from defusedxml import ElementTree

CHILDREN = {
    "Response": {
        "Say",
        "Play",
        "Pause",
        "Gather",
        "Dial",
        "Record",
        "Redirect",
        "Hangup",
        "Reject",
        "Enqueue",
        "Leave",
        "Sms",
        "Connect",
    },
    "Gather": {"Say", "Play", "Pause"},
    "Dial": {"Number", "Client", "Sip", "Conference", "Queue"},
    "Say": set(),
    "Number": set(),
    "Pause": set(),
    "Redirect": set(),
    "Hangup": set(),
    "Record": set(),
}
ATTRIBUTES = {
    "Response": set(),
    "Say": {"voice", "language", "loop"},
    "Pause": {"length"},
    "Gather": {
        "action",
        "method",
        "timeout",
        "numDigits",
        "finishOnKey",
        "input",
        "language",
        "actionOnEmptyResult",
    },
    "Dial": {
        "action",
        "method",
        "timeout",
        "callerId",
        "record",
        "recordingStatusCallback",
        "recordingStatusCallbackEvent",
        "recordingStatusCallbackMethod",
        "timeLimit",
        "hangupOnStar",
        "answerOnBridge",
        "ringTone",
        "trim",
    },
    "Number": {
        "url",
        "method",
        "sendDigits",
        "statusCallback",
        "statusCallbackEvent",
        "statusCallbackMethod",
        "machineDetection",
        "amdStatusCallback",
        "machineDetectionTimeout",
    },
    "Record": {
        "action",
        "method",
        "timeout",
        "finishOnKey",
        "maxLength",
        "playBeep",
        "trim",
        "recordingStatusCallback",
        "recordingStatusCallbackEvent",
        "recordingStatusCallbackMethod",
        "transcribe",
    },
    "Redirect": {"method"},
    "Hangup": set(),
}
VALUES = {
    "method": {"GET", "POST"},
    "record": {
        "do-not-record",
        "record-from-answer",
        "record-from-ringing",
        "record-from-answer-dual",
        "record-from-ringing-dual",
    },
    "machineDetection": {"Enable", "DetectMessageEnd"},
    "playBeep": {"true", "false"},
    "recordingStatusCallbackEvent": {"in-progress", "completed", "absent"},
}
NUMERIC = {"timeout", "numDigits", "length", "maxLength", "loop", "timeLimit"}
TEXT_REQUIRED = {"Say", "Number", "Redirect"}


def check_twiml(body: bytes | str) -> ElementTree.Element:
    root = ElementTree.fromstring(body)
    assert root.tag == "Response", f"root is <{root.tag}>, not <Response>"
    _check(root)
    return root


def _check(element) -> None:
    tag = element.tag
    assert tag in CHILDREN, f"<{tag}> is not a TwiML verb we know"
    extra = set(element.attrib) - ATTRIBUTES[tag]
    assert not extra, f"<{tag}> has attributes TwiML does not define: {extra}"
    for name, value in element.attrib.items():
        if name in VALUES:
            assert value in VALUES[name], f"<{tag} {name}={value!r}> is not allowed"
        if name in NUMERIC:
            assert value.isdigit(), f"<{tag} {name}={value!r}> is not a number"
        if name in ("action", "url", "recordingStatusCallback"):
            assert value.startswith(("http://", "https://")), f"{name} is not absolute: {value}"
    if tag in TEXT_REQUIRED:
        assert (element.text or "").strip(), f"<{tag}> needs text"
    for child in element:
        assert child.tag in CHILDREN[tag], f"<{child.tag}> may not stand inside <{tag}>"
        _check(child)
