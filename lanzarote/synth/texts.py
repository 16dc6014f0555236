"""Wording for the synthetic reports: each text signal in English, French, Spanish and German, several ways,
plus distractors (negated or quoted mentions that must NOT count) and neutral provider notes.

These are the generator's phrases. Triage does not read this file: it works from its own concept lexicons, and an
independent set of reports with other wording checks it.
"""

from __future__ import annotations

SIGNALS: dict[str, dict[str, tuple[str, ...]]] = {
    "T3": {
        "en": ("User posted that he abused his daughter last weekend.",
               "In a public post the account owner boasts about having sexually abused a child in his care.",
               "He wrote: I did it again with the little one, nobody will ever know."),
        "fr": ("L'utilisateur se vante d'avoir abusé de sa fille.",
               "Dans un message public, il raconte avoir agressé sexuellement un enfant dont il a la garde."),
        "es": ("El usuario presume de haber abusado de su hija.",
               "En una publicación afirma que ha abusado sexualmente de un niño a su cargo."),
        "de": ("Der Nutzer prahlt damit, seine Tochter missbraucht zu haben.",
               "In einem öffentlichen Beitrag schreibt er, dass er ein Kind in seiner Obhut sexuell missbraucht hat."),
    },
    "T4": {
        "en": ("His profile says he is a youth football coach.",
               "The reported user works as a primary school teacher.",
               "He volunteers as a mentor for children at a local club."),
        "fr": ("Il est entraîneur de football pour les jeunes.",
               "La personne signalée est enseignant en école primaire.",
               "Il est bénévole comme animateur dans une colonie de vacances."),
        "es": ("Es entrenador de un equipo de fútbol infantil.", "El usuario trabaja como profesor de primaria.",
               "Es monitor de campamento para niños."),
        "de": ("Er ist Jugendtrainer in einem Fußballverein.", "Der gemeldete Nutzer arbeitet als Grundschullehrer.",
               "Er ist als Betreuer in einer Kindergruppe tätig."),
    },
    "T5": {
        "en": ("He lives with his partner and her two young children.", "There is a newborn baby in his household.",
               "He mentions his stepdaughter living with him."),
        "fr": ("Il vit avec sa compagne et ses deux jeunes enfants.", "Un nouveau-né vit dans son foyer."),
        "es": ("Vive con su pareja y los dos hijos pequeños de ella.", "Hay un bebé recién nacido en su casa."),
        "de": ("Er lebt mit seiner Partnerin und ihren zwei kleinen Kindern zusammen.",
               "In seinem Haushalt lebt ein neugeborenes Baby."),
    },
    "T9": {
        "en": ("Payments were sent to the Philippines for live-streamed shows with children.",
               "He paid via money transfer to watch a live webcam show of a minor abroad."),
        "fr": ("Il a payé pour des diffusions en direct d'abus d'enfants aux Philippines.",),
        "es": ("Realizó pagos a Filipinas por transmisiones en directo con menores.",),
        "de": ("Er hat Zahlungen für Live-Streams mit Kindern auf die Philippinen überwiesen.",),
    },
    "T10": {
        "en": ("He threatened to share her pictures unless she sent more.",
               "The adult persuaded the 13-year-old to send nude images of herself."),
        "fr": ("Il a menacé de diffuser ses photos si elle n'en envoyait pas d'autres.",),
        "es": ("La amenazó con difundir sus fotos si no le enviaba más.",),
        "de": ("Er drohte, ihre Bilder zu verbreiten, wenn sie nicht mehr schickt.",),
    },
    "T11": {
        "en": ("The chat shows they already met in person and he touched her.",
               "Messages refer to what happened when they were alone together after training."),
        "fr": ("Les messages montrent qu'ils se sont déjà vus et qu'il l'a touchée.",),
        "es": ("Los mensajes muestran que ya se vieron en persona y que la tocó.",),
        "de": ("Der Chat zeigt, dass sie sich bereits getroffen haben und er sie angefasst hat.",),
    },
    "T13": {
        "en": ("The account contacted more than twenty different children.",
               "At least seven victims were identified in the chats."),
        "fr": ("Le compte a contacté plus de vingt enfants différents.",),
        "es": ("La cuenta contactó con más de veinte menores distintos.",),
        "de": ("Das Konto hat mehr als zwanzig verschiedene Kinder kontaktiert.",),
    },
    "T14": {
        "en": ("The user is an administrator of several groups sharing such material.",),
        "fr": ("L'utilisateur est administrateur de plusieurs groupes d'échange.",),
        "es": ("El usuario es administrador de varios grupos de intercambio.",),
        "de": ("Der Nutzer ist Administrator mehrerer Tauschgruppen.",),
    },
    "T15": {
        "en": ("He offered to let others abuse the child for money.",),
        "fr": ("Il a proposé l'enfant à d'autres personnes contre de l'argent.",),
        "es": ("Ofreció al menor a otras personas a cambio de dinero.",),
        "de": ("Er bot das Kind anderen gegen Geld an.",),
    },
    "T16": {
        "en": ("He told the contact he would wipe his phone and switch devices.",),
        "fr": ("Il a dit qu'il allait effacer son téléphone et changer d'appareil.",),
        "es": ("Dijo que iba a borrar el móvil y cambiar de dispositivo.",),
        "de": ("Er kündigte an, sein Handy zu löschen und das Gerät zu wechseln.",),
    },
    "T17": {
        "en": ("His wife takes part and sends the pictures herself.",),
        "fr": ("Sa compagne participe et envoie elle-même les images.",),
        "es": ("Su pareja participa y envía ella misma las imágenes.",),
        "de": ("Seine Frau macht mit und verschickt die Bilder selbst.",),
    },
    "T18": {
        "en": ("He pretends to be a 14-year-old girl in his profile.",),
        "fr": ("Il se fait passer pour une adolescente de 14 ans.",),
        "es": ("Se hace pasar por una chica de 14 años.",),
        "de": ("Er gibt sich als 14-jähriges Mädchen aus.",),
    },
    "T20": {
        "en": ("The victim appears to be a toddler.",),
        "fr": ("La victime semble être un nourrisson.",),
        "es": ("La víctima parece ser un bebé.",),
        "de": ("Das Opfer scheint ein Kleinkind zu sein.",),
    },
    "T22": {
        "en": ("He is planning a trip to Southeast Asia to meet children.",),
        "fr": ("Il prévoit un voyage en Asie du Sud-Est pour rencontrer des enfants.",),
        "es": ("Planea un viaje al sudeste asiático para encontrarse con menores.",),
        "de": ("Er plant eine Reise nach Südostasien, um Kinder zu treffen.",),
    },
}

DISTRACTORS: dict[str, dict[str, tuple[str, ...]]] = {
    "T4": {
        "en": ("He is not her coach and has no contact with children through work.",),
        "fr": ("Il n'est pas son entraîneur.",),
        "es": ("No es su entrenador.",),
        "de": ("Er ist nicht ihr Trainer.",),
    },
    "T3": {
        "en": ('The user shared a news article: "Local man admits he abused his daughter".',),
        "fr": ('Il a partagé un article : « un homme avoue avoir abusé de sa fille ».',),
        "es": ('Compartió una noticia: "un hombre confiesa que abusó de su hija".',),
        "de": ('Er teilte einen Zeitungsartikel: „Mann gesteht, seine Tochter missbraucht zu haben“.',),
    },
    "T11": {
        "en": ("They never met in person.",),
        "fr": ("Ils ne se sont jamais rencontrés.",),
        "es": ("Nunca se vieron en persona.",),
        "de": ("Sie haben sich nie persönlich getroffen.",),
    },
}

MEME_NOTES: dict[str, tuple[str, ...]] = {
    "en": ("User shared the widely circulated video to express outrage.",
           "Shared in a group with the comment that this is disgusting and should be reported."),
    "fr": ("L'utilisateur a partagé la vidéo virale pour exprimer son indignation.",),
    "es": ("El usuario compartió el vídeo viral para expresar su indignación.",),
    "de": ("Der Nutzer teilte das virale Video, um seine Empörung auszudrücken.",),
}

NEUTRAL: dict[str, tuple[str, ...]] = {
    "en": ("Automated detection of uploaded content.", "The file was uploaded to a private conversation.",
           "Content detected by hash matching on upload."),
    "fr": ("Détection automatique du contenu téléversé.",),
    "es": ("Detección automática del contenido subido.",),
    "de": ("Automatische Erkennung hochgeladener Inhalte.",),
}
