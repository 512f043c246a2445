"""What a customer wrote in a reply: the quoted history cut off, HTML read as text."""

from inbound.reply_text import html_to_text, reply_text


def test_the_quoted_history_is_cut_off_in_every_language():
    assert reply_text("Saturday works.\n\nOn Mon, 1 Dec 2026, Sanne wrote:\n> Hello") == (
        "Saturday works."
    )
    assert reply_text(
        "Zaterdag past.\nOp ma 1 dec. 2026 om 10:00 schreef Sanne <s@x.nl>:\n> Hoi"
    ) == ("Zaterdag past.")
    assert reply_text("Samedi.\nLe lun. 1 déc. 2026, Camille a écrit :\n> Bonjour") == "Samedi."
    assert reply_text("Yes\n-----Original Message-----\nFrom: x") == "Yes"
    assert reply_text("Yes\nFrom: Sanne <sanne@dealer.example>\nSent: today") == "Yes"
    assert reply_text("Fine\n> quoted\nmore") == "Fine"
    assert reply_text("Fine\nOn Mon, 1 Dec 2026 at 10:00, Sanne <s@x.nl>\nwrote:\n> q") == "Fine"


def test_html_is_read_as_text_never_kept_as_html():
    html = "<p>Can I come <b>Saturday</b>?</p><script>alert(1)</script><p>&lt;b&gt;ok</p>"
    assert html_to_text(html).split("\n")[0] == "Can I come Saturday?"
    text = reply_text("", html)
    assert "Can I come Saturday?" in text and "alert" not in text and "<b>ok" in text
