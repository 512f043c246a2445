"""The labels portals print, per language, beyond the generic dictionary: a template names its
own ids and its ad title, which the generic reader cannot tell apart."""

from __future__ import annotations

# Pseudo keys a provider's labels map to: read by the templates (providers.base), never handed
# to the builder as they are.
ENQUIRY_ID = "@enquiry_id"  # the enquiry's (message's) own id: the lead's external_id
AD_REFERENCE = "@ad_reference"  # the portal's number of the ad: a reference to the vehicle
AD_TITLE = "@ad_title"  # the ad's headline: make, model, trim, year without labels
IGNORE = "@ignore"  # a portal's label that carries nothing for the lead (its own footer fields)

DE = {
    "Fahrzeug": AD_TITLE, "Inserat": AD_TITLE, "Ihr Inserat": AD_TITLE, "Titel": AD_TITLE,
    "Inserat-Nr.": AD_REFERENCE, "Inserat-ID": AD_REFERENCE, "Inseratsnummer": AD_REFERENCE,
    "Angebots-Nr.": AD_REFERENCE, "Angebotsnummer": AD_REFERENCE, "Angebots-ID": AD_REFERENCE,
    "Fahrzeug-ID": AD_REFERENCE,
    "Anfrage-ID": ENQUIRY_ID, "Anfrage-Nr.": ENQUIRY_ID, "Anfragenummer": ENQUIRY_ID,
    "Interne Nr.": "vehicle.stock_number", "Interne Nummer": "vehicle.stock_number",
    "Ihre Fahrzeugnummer": "vehicle.stock_number", "Händler-Fahrzeugnummer": "vehicle.stock_number",
    "Erstzulassung": "vehicle.year", "EZ": "vehicle.year", "Kilometerstand": "vehicle.mileage",
    "Laufleistung": "vehicle.mileage", "Preis": "vehicle.price", "Verkaufspreis": "vehicle.price",
    "Name": "customer.full_name", "Vorname": "customer.first_name", "Nachname": "customer.last_name",
    "Telefon": "customer.phone", "Telefonnummer": "customer.phone", "Mobil": "customer.mobile",
    "E-Mail": "customer.email", "E-Mail-Adresse": "customer.email", "PLZ": "customer.postal_code",
    "Ort": "customer.city", "Nachricht": "comments", "Nachricht des Interessenten": "comments",
    "Ihre Nachricht": "comments", "Art der Anfrage": "lead_type", "Anfrageart": "lead_type",
    "Händler-ID": IGNORE, "Kundennummer": IGNORE,
}  # fmt: skip

NL = {
    "Advertentie": AD_TITLE, "Uw advertentie": AD_TITLE, "Titel": AD_TITLE, "Auto": AD_TITLE,
    "Voertuig": AD_TITLE, "Advertentienummer": AD_REFERENCE, "Advertentie-ID": AD_REFERENCE,
    "Advertentie ID": AD_REFERENCE, "Advertentienr.": AD_REFERENCE,
    "Zoekertjenummer": AD_REFERENCE, "Zoekertje-ID": AD_REFERENCE,
    "Aanvraag-ID": ENQUIRY_ID, "Aanvraagnummer": ENQUIRY_ID, "Lead-ID": ENQUIRY_ID,
    "Berichtnummer": ENQUIRY_ID, "Uw referentie": "vehicle.stock_number",
    "Voorraadnummer": "vehicle.stock_number", "Bouwjaar": "vehicle.year",
    "Kilometerstand": "vehicle.mileage", "Vraagprijs": "vehicle.price", "Prijs": "vehicle.price",
    "Naam": "customer.full_name", "Voornaam": "customer.first_name",
    "Achternaam": "customer.last_name", "Telefoon": "customer.phone",
    "Telefoonnummer": "customer.phone", "E-mail": "customer.email", "E-mailadres": "customer.email",
    "Postcode": "customer.postal_code", "Woonplaats": "customer.city", "Plaats": "customer.city",
    "Bericht": "comments", "Bericht van de koper": "comments", "Vraag": "comments",
    "Bericht van de geïnteresseerde": "comments", "Soort aanvraag": "lead_type",
    "Klantnummer": IGNORE,
}  # fmt: skip

FR = {
    "Annonce": AD_TITLE, "Votre annonce": AD_TITLE, "Véhicule": AD_TITLE, "Titre": AD_TITLE,
    "Titre de l'annonce": AD_TITLE, "Référence annonce": AD_REFERENCE,
    "Référence de l'annonce": AD_REFERENCE, "N° d'annonce": AD_REFERENCE,
    "Numéro d'annonce": AD_REFERENCE, "N° de demande": ENQUIRY_ID, "ID de la demande": ENQUIRY_ID,
    "Référence de la demande": ENQUIRY_ID, "Votre référence": "vehicle.stock_number",
    "Référence interne": "vehicle.stock_number", "Année": "vehicle.year",
    "Mise en circulation": "vehicle.year", "Kilométrage": "vehicle.mileage",
    "Prix": "vehicle.price", "Nom": "customer.last_name", "Prénom": "customer.first_name",
    "Nom complet": "customer.full_name", "Téléphone": "customer.phone", "Tél.": "customer.phone",
    "E-mail": "customer.email", "Email": "customer.email", "Adresse e-mail": "customer.email",
    "Code postal": "customer.postal_code", "Ville": "customer.city", "Message": "comments",
    "Message de l'acheteur": "comments", "Type de demande": "lead_type",
}  # fmt: skip

IT = {
    "Annuncio": AD_TITLE, "Veicolo": AD_TITLE, "Titolo": AD_TITLE, "Numero annuncio": AD_REFERENCE,
    "N. annuncio": AD_REFERENCE, "ID annuncio": AD_REFERENCE, "ID richiesta": ENQUIRY_ID,
    "Numero richiesta": ENQUIRY_ID, "Il tuo riferimento": "vehicle.stock_number",
    "Anno": "vehicle.year", "Immatricolazione": "vehicle.year",
    "Chilometraggio": "vehicle.mileage", "Km": "vehicle.mileage", "Prezzo": "vehicle.price",
    "Nome": "customer.first_name", "Cognome": "customer.last_name",
    "Nome e cognome": "customer.full_name", "Telefono": "customer.phone",
    "Cellulare": "customer.mobile", "E-mail": "customer.email", "Email": "customer.email",
    "CAP": "customer.postal_code", "Città": "customer.city", "Messaggio": "comments",
    "Tipo di richiesta": "lead_type",
}  # fmt: skip

ES = {
    "Anuncio": AD_TITLE, "Vehículo": AD_TITLE, "Título": AD_TITLE,
    "Referencia del anuncio": AD_REFERENCE, "Ref. anuncio": AD_REFERENCE,
    "Número de anuncio": AD_REFERENCE, "ID del anuncio": AD_REFERENCE,
    "ID de la solicitud": ENQUIRY_ID, "ID del contacto": ENQUIRY_ID, "Nº de contacto": ENQUIRY_ID,
    "Tu referencia": "vehicle.stock_number", "Referencia interna": "vehicle.stock_number",
    "Año": "vehicle.year", "Kilómetros": "vehicle.mileage", "Kilometraje": "vehicle.mileage",
    "Precio": "vehicle.price", "Nombre": "customer.full_name", "Apellidos": "customer.last_name",
    "Teléfono": "customer.phone", "Móvil": "customer.mobile", "Email": "customer.email",
    "Correo electrónico": "customer.email", "E-mail": "customer.email",
    "Código postal": "customer.postal_code", "Provincia": "customer.city",
    "Población": "customer.city", "Mensaje": "comments", "Tipo de solicitud": "lead_type",
}  # fmt: skip

EN = {
    "Vehicle": AD_TITLE, "Advert": AD_TITLE, "Car": AD_TITLE, "Advert ID": AD_REFERENCE,
    "Advert reference": AD_REFERENCE, "Listing ID": AD_REFERENCE, "Enquiry ID": ENQUIRY_ID,
    "Enquiry reference": ENQUIRY_ID, "Lead ID": ENQUIRY_ID, "Deal ID": ENQUIRY_ID,
    "Your reference": "vehicle.stock_number", "Stock number": "vehicle.stock_number",
    "Stock ID": "vehicle.stock_number", "Registration": "vehicle.registration",
    "Year": "vehicle.year", "Mileage": "vehicle.mileage", "Price": "vehicle.price",
    "Advertised price": "vehicle.price", "Your offer price": "vehicle.price",
    "Name": "customer.full_name", "Customer name": "customer.full_name",
    "First name": "customer.first_name", "Last name": "customer.last_name",
    "Phone": "customer.phone", "Telephone": "customer.phone", "Mobile": "customer.mobile",
    "Email": "customer.email", "Email address": "customer.email",
    "Postcode": "customer.postal_code", "Customer postcode": "customer.postal_code",
    "Message": "comments", "Customer message": "comments", "Enquiry type": "lead_type",
}  # fmt: skip
