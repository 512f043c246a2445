"""The standard inspection a new dealership starts from: (label, kind, unit). Labels are data in
the dealership's language, not UI strings, so they are not marked for translation."""

CHECK, NUMBER, TEXT = "check", "number", "text"

DEFAULT_CHECKLISTS = {
    "nl": [
        ("Carrosserie en lak", CHECK, ""),
        ("Bandenprofiel voor", NUMBER, "mm"),
        ("Bandenprofiel achter", NUMBER, "mm"),
        ("Remmen", CHECK, ""),
        ("Interieur", CHECK, ""),
        ("Onderhoudshistorie compleet", CHECK, ""),
        ("Aantal sleutels", NUMBER, ""),
        ("APK geldig", CHECK, ""),
        ("Schadefoto's gemaakt", CHECK, ""),
        ("Schade en opmerkingen", TEXT, ""),
    ],
    "fr": [
        ("Carrosserie et peinture", CHECK, ""),
        ("Pneus avant – profondeur", NUMBER, "mm"),
        ("Pneus arrière – profondeur", NUMBER, "mm"),
        ("Freins", CHECK, ""),
        ("Intérieur", CHECK, ""),
        ("Carnet d'entretien complet", CHECK, ""),
        ("Nombre de clés", NUMBER, ""),
        ("Contrôle technique valide", CHECK, ""),
        ("Photos des dommages prises", CHECK, ""),
        ("Dommages et remarques", TEXT, ""),
    ],
    "en": [
        ("Bodywork and paint", CHECK, ""),
        ("Front tyre tread", NUMBER, "mm"),
        ("Rear tyre tread", NUMBER, "mm"),
        ("Brakes", CHECK, ""),
        ("Interior", CHECK, ""),
        ("Full service history", CHECK, ""),
        ("Number of keys", NUMBER, ""),
        ("MOT valid", CHECK, ""),
        ("Damage photos taken", CHECK, ""),
        ("Damage and remarks", TEXT, ""),
    ],
}
