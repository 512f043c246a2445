"""ADF XML wherever it hides in a message, and every part of the ADF 1.0 standard we read."""

from __future__ import annotations

import html
from email.message import EmailMessage

import pytest

from leadparser import MalformedInput, parse_message
from leadparser.adf import find_block

ADF = """<?xml version="1.0" encoding="UTF-8"?>
<?adf version="1.0"?>
<adf>
 <prospect status="resend">
  <id sequence="1" source="Gaspedaal">GP-1001</id>
  <requestdate>2026-11-02T08:30:00+01:00</requestdate>
  <vehicle interest="buy" status="used">
   <year>2019</year><make>Volkswagen</make><model>Golf</model><trim>1.5 TSI Highline</trim>
   <vin>wvw zzz1kz km123456</vin>
   <odometer status="original" units="mi">10000</odometer>
   <price type="msrp" currency="EUR">31000</price>
   <price type="offer" currency="EUR">21.950,00</price>
   <colorcombination><interiorcolor>Zwart</interiorcolor><exteriorcolor>Blauw</exteriorcolor>
   </colorcombination>
   <option><optionname>Trekhaak</optionname></option>
   <comments>Nog beschikbaar?</comments>
  </vehicle>
  <customer>
   <contact primarycontact="1">
    <name part="first">Jan</name><name part="middle">van der</name><name part="last">Berg</name>
    <email>Jan.Berg@Example.COM</email>
    <phone type="cellphone" preferredcontact="1">+31 6 22 33 44 55</phone>
    <phone type="voice">030 123 4567 ext. 12</phone>
    <phone type="fax">030 765 4321</phone>
    <address type="home">
     <street line="2">2e verdieping</street><street line="1">Oudegracht 1</street>
     <apartment>A</apartment><city>Utrecht</city><regioncode>UT</regioncode>
     <postalcode>3511 AA</postalcode><country>nl</country>
    </address>
   </contact>
   <timeframe><description>Within a week</description><earliestdate>2026-11-03</earliestdate>
   </timeframe>
   <comments>Bel liever 's avonds.</comments>
  </customer>
  <vendor><vendorname>Autohuis Utrecht</vendorname></vendor>
  <provider><name part="full">Gaspedaal.nl</name><service>Leadform</service>
   <email>leads@gaspedaal.example</email></provider>
 </prospect>
</adf>
"""


def _mail(subject: str = "Nieuwe lead") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Leads <leads@portal.example>"
    msg["To"] = "dealer@leads.dealerlms.example"
    msg["Subject"] = subject
    msg["Date"] = "Mon, 02 Nov 2026 08:31:00 +0100"
    return msg


def test_every_standard_element_is_read() -> None:
    lead = parse_message(ADF.encode())
    customer, vehicle = lead["customer"], lead["vehicle"]
    assert lead["format"] == "adf" and lead["source"] == "Gaspedaal.nl"
    assert lead["external_id"] == "GP-1001"
    assert lead["requested_at"] == "2026-11-02T08:30:00+01:00"
    assert customer["full_name"] == "Jan van der Berg"
    assert (customer["first_name"], customer["last_name"]) == ("Jan", "Berg")
    assert customer["email"] == "Jan.Berg@example.com"
    assert customer["phones"] == [
        {"number": "+31622334455", "kind": "mobile"},
        {"number": "+31301234567", "kind": "landline"},  # extension dropped
        {"number": "+31307654321", "kind": "fax"},
    ]
    assert customer["preferred_contact"] == "phone"
    assert customer["street"] == "Oudegracht 1, 2e verdieping, A"
    assert (customer["postal_code"], customer["city"], customer["country"]) == (
        "3511 AA",
        "Utrecht",
        "NL",
    )
    assert vehicle["vin"] == "WVWZZZ1KZKM123456"
    assert vehicle["mileage_km"] == 16093  # 10000 mi
    assert vehicle["price"] == {"amount": "21950", "currency": "EUR"}  # offer beats msrp
    assert (vehicle["model"], vehicle["trim"], vehicle["condition"]) == (
        "Golf",
        "1.5 TSI Highline",
        "used",
    )
    assert lead["comments"] == "Nog beschikbaar?\nBel liever 's avonds."
    extra = lead["extra"]
    assert extra["timeframe"] == "Within a week"
    assert extra["timeframe_earliest"] == "2026-11-03"
    assert extra["region"] == "UT" and extra["vendor"] == "Autohuis Utrecht"
    assert extra["exterior_color"] == "Blauw" and extra["options"] == "Trekhaak"
    assert extra["price_msrp"] == "31000" and extra["provider_service"] == "Leadform"
    assert extra["prospect_status"] == "resend"


def test_adf_escaped_inside_the_html_part() -> None:
    msg = _mail()
    msg.set_content("Zie de HTML-versie.")
    msg.add_alternative(
        "<html><body><p>Nieuwe lead:</p><pre>" + html.escape(ADF) + "</pre></body></html>",
        subtype="html",
    )
    lead = parse_message(msg.as_bytes())
    assert lead["format"] == "adf"
    assert lead["customer"]["full_name"] == "Jan van der Berg"


def test_adf_as_an_attachment_next_to_a_useless_body() -> None:
    msg = _mail()
    msg.set_content("Lead attached.")
    msg.add_attachment(
        ADF.encode(), maintype="application", subtype="octet-stream", filename="lead.dat"
    )
    lead = parse_message(msg.as_bytes())
    assert lead["format"] == "adf" and lead["external_id"] == "GP-1001"


def test_adf_as_an_attachment() -> None:
    msg = _mail("Lead")
    msg.set_content("See attachment")
    msg.add_attachment(ADF.encode(), maintype="text", subtype="xml", filename="lead.xml")
    lead = parse_message(msg.as_bytes())
    assert lead["format"] == "adf" and lead["vehicle"]["make"] == "Volkswagen"


def test_adf_amid_prose() -> None:
    body = f"Beste dealer,\n\nHieronder de aanvraag.\n\n{ADF}\n\nMet vriendelijke groet,\nPortal\n"
    msg = _mail()
    msg.set_content(body)
    lead = parse_message(msg.as_bytes())
    assert lead["external_id"] == "GP-1001"
    block, first_line = find_block(body)
    assert block.startswith("<?xml") and block.endswith("</adf>")
    assert first_line == 4


def test_iso_8859_1_declared_encoding_with_accents() -> None:
    doc = ADF.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
    doc = doc.replace('<name part="first">Jan</name>', '<name part="first">Hélène</name>')
    doc = doc.replace('<name part="last">Berg</name>', '<name part="last">Müller-Lefèvre</name>')
    doc = doc.replace("Nog beschikbaar?", "Prijs 21.950 €?")
    raw = doc.encode("cp1252")  # what "ISO-8859-1" senders really send: € is 0x80
    assert b"\x80" in raw
    lead = parse_message(raw)
    assert lead["customer"]["full_name"] == "Hélène van der Müller-Lefèvre"
    assert "21.950 €" in lead["comments"]


def test_adf_with_namespace_and_upper_case_tags() -> None:
    doc = '<ADF xmlns="urn:adf"><PROSPECT><CUSTOMER><CONTACT><NAME>Ann Smit</NAME>'
    doc += "</CONTACT></CUSTOMER></PROSPECT></ADF>"
    lead = parse_message(doc.encode())
    assert lead["customer"]["full_name"] == "Ann Smit"


@pytest.mark.parametrize(
    ("interests", "lead_type"),
    [
        (["buy"], "info_request"),
        (["lease"], "info_request"),
        (["test-drive", "trade-in"], "test_drive"),
        (["trade-in"], "trade_in"),
        (["sell"], "trade_in"),
        ([], "info_request"),
    ],
)
def test_lead_type_from_the_first_vehicle_that_is_not_a_trade_in(
    interests: list[str], lead_type: str
) -> None:
    vehicles = "".join(
        f'<vehicle interest="{i}"><make>Renault</make><model>Clio</model></vehicle>'
        for i in interests
    )
    doc = f"<adf><prospect>{vehicles}<customer><contact><name>A B</name></contact></customer>"
    lead = parse_message((doc + "</prospect></adf>").encode())
    assert lead["lead_type"] == lead_type
    assert (lead["trade_in"] is not None) == any(i in ("trade-in", "sell") for i in interests)


def test_trade_in_in_miles_with_registration_in_comments() -> None:
    doc = """<adf><prospect><vehicle interest="trade-in" status="used"><year>2012</year>
      <make>VW</make><model>Polo</model><odometer units="mi">45,000</odometer>
      <comments>Registration AB12 CDE, one owner</comments></vehicle>
      <customer><contact><name>Sam Lee</name><phone>07911 123456</phone></contact></customer>
      </prospect></adf>"""
    lead = parse_message(doc.encode(), region="GB")
    trade_in = lead["trade_in"]
    assert trade_in["make"] == "Volkswagen"
    assert trade_in["mileage_km"] == 72420  # 45000 * 1.609344 = 72420.48
    assert trade_in["registration"] == "AB12CDE"
    assert lead["customer"]["phones"] == [{"number": "+447911123456", "kind": "mobile"}]
    assert lead["extra"]["trade_in_comments"] == "Registration AB12 CDE, one owner"


def test_malformed_adf_reports_its_line() -> None:
    doc = "<?xml version='1.0'?>\n<adf>\n<prospect>\n<customer>\n</prospect>\n</adf>\n"
    with pytest.raises(MalformedInput) as excinfo:
        parse_message(doc.encode())
    assert excinfo.value.line == 5
    assert "(line 5)" in str(excinfo.value)


def test_broken_adf_attachment_falls_back_to_the_html_table() -> None:
    msg = _mail("Proefrit aanvraag")
    msg.set_content("zie bijlage")
    msg.add_alternative(
        "<table><tr><td>Naam</td><td>Piet Bakker</td></tr>"
        "<tr><td>E-mail</td><td>piet@example.nl</td></tr></table>",
        subtype="html",
    )
    msg.add_attachment(b"<adf><prospect><customer>", maintype="text", subtype="xml",
                       filename="lead.xml")  # fmt: skip
    lead = parse_message(msg.as_bytes())
    assert lead["format"] == "html" and lead["customer"]["full_name"] == "Piet Bakker"
    assert lead["lead_type"] == "test_drive"


def test_adf_without_any_contact_is_no_lead() -> None:
    from leadparser import NoLeadFound

    with pytest.raises(NoLeadFound):
        parse_message(b"<adf><prospect><vehicle><make>Fiat</make></vehicle></prospect></adf>")
