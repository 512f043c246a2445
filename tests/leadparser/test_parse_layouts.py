"""Website-form and portal layouts: where the value stands relative to its label."""

from __future__ import annotations

import pytest

from leadparser import parse_message
from leadparser.html_text import html_content
from tests.leadparser.mails import lead_mail


def _mail(text: str | None = None, html: str | None = None, *, subject: str = "Aanvraag",
          sender: str = "Website <noreply@dealer-site.example>") -> bytes:  # fmt: skip
    return lead_mail(text, html, subject=subject, sender=sender)


def test_value_on_the_line_below_its_label() -> None:
    text = "Naam\nPieter Bakker\n\nE-mailadres\npieter@example.nl\n\nTelefoon:\n0628391745\n"
    customer = parse_message(_mail(text))["customer"]
    assert customer["full_name"] == "Pieter Bakker" and customer["email"] == "pieter@example.nl"
    assert customer["phones"][0]["number"] == "+31628391745"


def test_a_message_runs_over_lines_that_look_like_fields_up_to_a_known_label() -> None:
    text = "Bericht:\nHallo,\nIk heb een vraag: is de auto nog beschikbaar?\nNaam\nJan Vos\n"
    lead = parse_message(_mail(text))
    assert lead["comments"] == "Hallo, Ik heb een vraag: is de auto nog beschikbaar?"
    assert lead["customer"]["full_name"] == "Jan Vos"


def test_a_label_above_another_label_is_a_heading_not_a_value() -> None:
    text = "Voertuig\nMerk: Opel\nModel: Corsa\n\nNaam: Eva Smit\nAfspraak\nDatum: morgen\n"
    lead = parse_message(_mail(text))
    assert lead["vehicle"]["make"] == "Opel" and lead["customer"]["full_name"] == "Eva Smit"
    assert "vehicle" not in lead["extra"] and "appointment_at" not in lead["extra"]


def test_table_rows_become_label_tab_value_lines_in_document_order() -> None:
    html = (
        "<h3>Gegevens</h3><table><tr><td>Naam</td><td>Jan</td></tr>"
        "<tr><td>Bericht</td><td>regel een<br>regel twee</td></tr></table>"
    )
    assert html_content(html).text == "Gegevens\n\nNaam\tJan\n\nBericht\tregel een regel twee"


def test_text_before_a_nested_table_does_not_shift_its_cells() -> None:
    html = (
        "<table><tr><td>Klant<table><tr><td>Naam</td><td>Jan Vos</td></tr>"
        "<tr><td>E-mail</td><td>jan@example.nl</td></tr></table></td></tr></table>"
    )
    customer = parse_message(_mail(html=html))["customer"]
    assert (customer["full_name"], customer["email"]) == ("Jan Vos", "jan@example.nl")


def test_a_layout_cell_holding_the_whole_lead_is_not_one_line() -> None:
    html = "<table><tr><td>Logo</td><td>Naam: Jan Vos<br>E-mail: jan@example.nl</td></tr></table>"
    customer = parse_message(_mail(html=html))["customer"]
    assert (customer["full_name"], customer["email"]) == ("Jan Vos", "jan@example.nl")


def test_cells_that_each_hold_a_label_and_its_value() -> None:
    html = "<table><tr><td>Naam: Jan Vos</td><td>E-mail: jan@example.nl</td></tr></table>"
    customer = parse_message(_mail(html=html))["customer"]
    assert (customer["full_name"], customer["email"]) == ("Jan Vos", "jan@example.nl")


def test_label_row_then_value_row_as_gravity_forms_sends_them() -> None:
    row = (
        '<tr bgcolor="#EAF2FA"><td colspan="2"><strong>{}</strong></td></tr>'
        '<tr bgcolor="#FFFFFF"><td width="20">&nbsp;</td><td>{}</td></tr>'
    )
    html = "<table>" + row.format("Naam", "Sanne de Boer") + row.format("E-mail", "s@example.nl")
    html += row.format("Opmerkingen", "Eerste regel<br />\nTweede regel") + "</table>"
    lead = parse_message(_mail(html=html))
    assert lead["customer"]["full_name"] == "Sanne de Boer"
    assert lead["comments"] == "Eerste regel Tweede regel"  # a newline in markup is a space


def test_an_html_part_without_markup_keeps_its_lines() -> None:
    lead = parse_message(_mail(html="Naam: Jan Vos\nE-mail: jan@example.nl\n"))
    assert lead["customer"]["full_name"] == "Jan Vos"


def test_header_row_of_labels_then_a_row_of_values() -> None:
    html = (
        "<table><tr><th>Naam</th><th>E-mail</th><th>Model</th></tr>"
        "<tr><td>Yvonne Kramer</td><td>y@example.nl</td><td>Peugeot 2008</td></tr></table>"
    )
    lead = parse_message(_mail(html=html))
    assert lead["customer"]["full_name"] == "Yvonne Kramer"
    assert (lead["vehicle"]["make"], lead["vehicle"]["model"]) == ("Peugeot", "2008")


def test_outlook_word_html() -> None:
    html = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office"><body><div class=WordSection1>'
        "<p class=MsoNormal><b><span style='font-size:11.0pt'>Naam:</span></b>"
        "<span style='font-size:11.0pt'>&nbsp;Marloes Visser<o:p></o:p></span></p>"
        "<p class=MsoNormal><b><span>Telefoon:</span></b><span> 06&nbsp;51&nbsp;73&nbsp;29&nbsp;84"
        "<o:p></o:p></span></p><p class=MsoNormal><o:p>&nbsp;</o:p></p></div></body></html>"
    )
    customer = parse_message(_mail(html=html))["customer"]
    assert customer["full_name"] == "Marloes Visser"
    assert customer["phones"][0]["number"] == "+31651732984"


@pytest.mark.parametrize(
    "text",
    [
        "*Naam:* Daan Vermeulen\n*E-mail:* daan_vermeulen@example.nl\n",
        "**Naam:** Daan Vermeulen\n__E-mail:__ daan_vermeulen@example.nl\n",
        "**Naam**\nDaan Vermeulen\n**E-mail**\ndaan_vermeulen@example.nl\n",
    ],
)
def test_starred_and_bold_labels(text: str) -> None:
    customer = parse_message(_mail(text))["customer"]
    assert customer["full_name"] == "Daan Vermeulen"
    assert customer["email"] == "daan_vermeulen@example.nl"  # underscores in a value are kept


def test_strong_label_line_break_value() -> None:
    html = (
        "<p><strong>Name</strong><br>Emily Carter</p><p><strong>E-mail</strong><br>e@example.nl</p>"
    )
    customer = parse_message(_mail(html=html))["customer"]
    assert (customer["full_name"], customer["email"]) == ("Emily Carter", "e@example.nl")


def test_definition_list() -> None:
    html = "<dl><dt>Prénom</dt><dd>Camille</dd><dt>Nom</dt><dd>Girard</dd>"
    html += "<dt>Adresse e-mail</dt><dd>camille@example.fr</dd></dl>"
    customer = parse_message(_mail(html=html))["customer"]
    assert customer["full_name"] == "Camille Girard"


def test_a_forms_own_question_above_its_answer() -> None:
    html = (
        "<p>Naam</p><p>Sanne</p><p>Welke auto wilt u proefrijden?</p><p>Volkswagen Polo</p>"
        "<p>Hoe kent u ons?</p><p>Instagram</p>"
    )
    lead = parse_message(_mail(html=html))
    assert (lead["vehicle"]["make"], lead["vehicle"]["model"]) == ("Volkswagen", "Polo")
    assert lead["extra"]["Hoe kent u ons"] == "Instagram"


def test_contact_form_7_default_mail_names_the_customer_in_its_from_line() -> None:
    text = (
        "From: Tom Hartley <tom@example.co.uk>\nSubject: Kuga\n\nMessage Body:\nIs it available?"
        "\n\n-- \nThis e-mail was sent from a contact form on Riverside Motors (https://x.example)\n"
    )
    lead = parse_message(_mail(text))
    assert lead["customer"]["full_name"] == "Tom Hartley"
    assert lead["customer"]["email"] == "tom@example.co.uk"
    assert lead["comments"] == "Is it available?"


def test_a_from_line_without_the_form_plugins_marks_is_not_the_customer() -> None:
    text = "From: Portal <leads@portal.example>\nNaam: Jan Vos\nTelefoon: 0612345678\n"
    lead = parse_message(_mail(text))
    assert lead["customer"]["email"] is None and lead["customer"]["full_name"] == "Jan Vos"


def test_contact_form_7_field_names_and_unfilled_tags() -> None:
    text = "your-name: Kevin Smits\nyour-email: kevin@example.nl\n[your-postcode]: 5611 AB\n"
    text += "your-tel: [your-tel]\n"
    lead = parse_message(_mail(text))
    assert lead["customer"]["full_name"] == "Kevin Smits"
    assert lead["customer"]["postal_code"] == "5611 AB"
    assert lead["customer"]["phones"] == [] and "your-tel" not in lead["extra"]


def test_elementor_submission_lines_are_no_customer_data() -> None:
    html = (
        "Name: Priya Shah<br>Email: priya@example.co.uk<br>Message: Still available?<br><br>---<br>"
        "<br>Date: October 17, 2026<br>Time: 8:22 pm<br>Page URL: https://site.example/yaris/<br>"
        "User Agent: Mozilla/5.0 (iPhone)<br>Remote IP: 203.0.113.77<br>Powered by: Elementor<br>"
    )
    lead = parse_message(_mail(html=html), region="GB")
    assert lead["extra"] == {"page_url": "https://site.example/yaris/"}
    assert lead["requested_at"] == "2026-10-17T20:22:00+01:00"  # when sent, not an appointment
    assert lead["appointment_at"] is None and lead["lead_type"] == "info_request"


def test_a_reply_to_address_under_an_ad_label_is_the_email() -> None:
    text = "Naam: Lotte Hendriks\nAntwoorden op: lotte@example.nl\n"
    assert parse_message(_mail(text))["customer"]["email"] == "lotte@example.nl"


def test_buyers_offer_is_not_the_asking_price() -> None:
    text = "Name: Hannah Brooks\nPrice: £21,750\nYour offer price: £20,500\n"
    lead = parse_message(_mail(text), region="GB")
    assert lead["vehicle"]["price"] == {"amount": "21750", "currency": "GBP"}
    assert lead["extra"]["offer_price"] == "£20,500"
