"""Lead e-mails for the parser's tests, built as a mail program writes them: a text part, an
HTML part, or both as multipart/alternative."""

from __future__ import annotations

from email.message import EmailMessage


def lead_mail(
    text: str | None = None,
    html: str | None = None,
    *,
    subject: str,
    sender: str,
    date: str = "Fri, 16 Oct 2026 20:03:44 +0200",
    reply_to: str | None = None,
    charset: str = "utf-8",
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "dealer@leads.dealerlms.example"
    msg["Subject"] = subject
    msg["Date"] = date
    if reply_to:
        msg["Reply-To"] = reply_to
    if text is not None:
        msg.set_content(text, charset=charset)
    if html is not None:
        if text is None:
            msg.set_content(html, subtype="html")
        else:
            msg.add_alternative(html, subtype="html")
    return msg.as_bytes()
