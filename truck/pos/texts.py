"""Every text the till's screen shows, in German and English: one catalogue.

``t("key", name=…)`` gives the text in the language the till was started with. Messages
that come from the shop logic underneath (a refused barcode, a payment that does not add up)
are German; the screen shows them as they are.
"""

from __future__ import annotations

from dataclasses import replace

from truck.pos.order_texts import ORDER_TEXTS

TEXTS: dict[str, tuple[str, str]] = {
    # the session
    "session.wrong_pin": ("Personalnummer oder PIN falsch", "Staff number or PIN wrong"),
    "session.open_receipt": (
        "Erst den offenen Bon abschließen, parken oder abbrechen",
        "First finish, park or abort the open receipt",
    ),
    "session.parked_left": ("Es sind noch Bons geparkt", "Receipts are still parked"),
    "session.park_empty": (
        "Der Bon ist leer – nichts zu parken",
        "The receipt is empty – nothing to park",
    ),
    "session.no_parked": ("Diesen geparkten Bon gibt es nicht", "No such parked receipt"),
    "session.pay_interrupted": (
        "Bezahlung unterbrochen ({reason}); {count} Vorgang/Vorgänge nachgetragen – bitte im Journal prüfen",
        "Payment interrupted ({reason}); {count} event(s) completed – please check the journal",
    ),
    "session.no_receipt": ("Bon {number} gibt es nicht", "There is no receipt {number}"),
    "session.sign_on_first": ("Bitte zuerst anmelden", "Please sign on first"),
    "session.plu_unknown": (
        "PLU {number} ist nicht in der Artikelliste",
        "PLU {number} is not in the article list",
    ),
    "receipts.none_for": ("Kein Bon zu „{wanted}“", 'No receipt for "{wanted}"'),
    "receipts.none": ("Noch keine Bons", "No receipts yet"),
    "preview.none": ("Noch kein Bon in dieser Sitzung", "No receipt yet in this session"),
    "pay.card_part_range": (
        "Kartenteil zwischen 0,01 € und {amount}",
        "Card part between 0.01 € and {amount}",
    ),
    "closing.count_wrong": (
        "{which}: bitte eine Anzahl eingeben",
        "{which}: please enter a number",
    ),
    "discount.whole_percent": (
        "Rabatt in ganzen Prozent, z. B. 10%",
        "Discount in whole percent, e.g. 10%",
    ),
    # the app
    "app.quit_open": (
        "Es sind noch Bons offen, geparkt oder ungedruckt. Kasse trotzdem beenden?",
        "Receipts are still open, parked or unprinted. Quit the till anyway?",
    ),
    # sign-on
    "signon.title": ("Anmelden", "Sign on"),
    "signon.number": ("Personalnummer", "Staff number"),
    "signon.pin": ("PIN", "PIN"),
    "signon.training": ("Trainingsmodus (F8)", "Training mode (F8)"),
    "signon.hint": (
        "Nummer, Enter, PIN, Enter. F8: Training für neue Kolleginnen und Kollegen.",
        "Number, Enter, PIN, Enter. F8: training for new staff.",
    ),
    "signon.wrong": ("Personalnummer oder PIN falsch", "Staff number or PIN wrong"),
    "signon.clock_hint": (
        "Stimmt die Uhrzeit doch? Dann F9: Uhrzeit freigeben. Mit GPS-Empfang bestätigt der "
        "Agent die Zeit von selbst – dann einfach noch einmal anmelden.",
        "Is the time right after all? Then F9: confirm the clock. With GPS reception the agent "
        "confirms the time by itself – then simply sign on again.",
    ),
    "signon.training_on": ("Training: an", "Training: on"),
    "signon.training_off": ("Training: aus", "Training: off"),
    # sale screen
    "sale.input": ("Scannen oder PLU / Suchbegriff eingeben", "Scan, or type PLU / search"),
    "sale.col_text": ("Artikel", "Article"),
    "sale.col_qty": ("Menge", "Qty"),
    "sale.col_price": ("Preis", "Price"),
    "sale.col_total": ("Betrag", "Amount"),
    "sale.total": ("Summe", "Total"),
    "sale.change": ("Rückgeld", "Change"),
    "sale.paid_out": ("Ausgezahlt", "Paid out"),
    "sale.training_banner": ("TRAINING – kein Verkauf", "TRAINING – no sale"),
    "sale.ready": ("Bereit", "Ready"),
    "sale.parked": ("Geparkt: {count}", "Parked: {count}"),
    "sale.parked_done": ("Bon geparkt – nächste Kundin, bitte", "Receipt parked – next customer"),
    "sale.resumed": ("Geparkter Bon wieder aufgenommen", "Parked receipt resumed"),
    "sale.aborted": ("Bon abgebrochen", "Receipt aborted"),
    "sale.nothing": ("Der Bon ist leer", "The receipt is empty"),
    "sale.paid": ("Bon {number} bezahlt", "Receipt {number} paid"),
    "sale.printed": ("Bon {number} gedruckt", "Receipt {number} printed"),
    "sale.not_printed": (
        "Bon {number} ist gebucht, aber nicht gedruckt: {reason} – später drucken mit F12",
        "Receipt {number} is booked but not printed: {reason} – print later with F12",
    ),
    "sale.scan_kept": (
        "Scan gemerkt: {code} – wird nach dem Dialog erfasst",
        "Scan kept: {code} – rung up after the dialog",
    ),
    "sale.voided_line": ("Position storniert", "Line voided"),
    "sale.no_line": ("Keine Position gewählt", "No line selected"),
    "sale.allergens": ("Allergene {name}: {text}", "Allergens {name}: {text}"),
    "sale.no_allergens": ("{name}: keine Allergene angegeben", "{name}: no allergens listed"),
    "sale.age_refused": ("Nicht verkauft: Altersgrenze", "Not sold: age limit"),
    # keys
    "stop.no_tours": (
        "Keine Tourdatei eingerichtet (Konfiguration: tour.file)",
        "No tour file set up (configuration: tour.file)",
    ),
    "stop.tour_file_broken": ("Tourdatei fehlerhaft: {problem}", "Tour file broken: {problem}"),
    "download.failed": (
        "Neue Artikelliste/Tourplan noch nicht übernommen ({reason}) – nächster Versuch gleich",
        "New article list/tour plan not taken over yet ({reason}) – trying again shortly",
    ),
    "stop.choose": ("Wo steht der Wagen?", "Where is the truck?"),
    "stop.chosen": ("Halt gesetzt: {name}", "Stop set: {name}"),
    "stop.on_the_road": ("unterwegs", "on the road"),
    "stop.by_hand": ("von Hand", "set by hand"),
    "menu.stop": ("Halt wählen (GPS aus oder falsch)", "Choose the stop (GPS out or wrong)"),
    "status.gps": ("GPS", "GPS"),
    "weigh.again": ("Nochmal wiegen", "Weigh again"),
    "weigh.hint": (
        "Ware richtig auflegen, dann Enter: nochmal wiegen. Esc: nicht wiegen.",
        "Place the goods properly, then Enter: weigh again. Esc: do not weigh.",
    ),
    "weigh.cancelled": ("Nicht gewogen – nichts gebucht", "Not weighed – nothing entered"),
    "key.department": ("Warengr.", "Dept."),
    "key.search": ("Suchen", "Search"),
    "key.weigh": ("Waage", "Scale"),
    "key.void_line": ("Storno", "Void"),
    "key.price": ("Preis", "Price"),
    "key.discount": ("Rabatt", "Discount"),
    "key.take_back": ("Leergut", "Empties"),
    "key.park": ("Parken", "Park"),
    "key.abort": ("Abbruch", "Abort"),
    "key.pay": ("Bezahlen", "Pay"),
    "key.info": ("Allergene", "Allergens"),
    "key.menu": ("Menü", "Menu"),
    "key.back": ("Zurück", "Back"),
    "key.ok": ("OK", "OK"),
    "key.yes": ("Ja", "Yes"),
    "key.no": ("Nein", "No"),
    "key.training": ("Training", "Training"),
    # payment
    "pay.title": ("Bezahlen", "Payment"),
    "pay.due": ("Zu zahlen", "Due"),
    "pay.payout": ("Auszuzahlen", "To pay out"),
    "pay.tendered": ("Gegeben (Enter)", "Tendered (Enter)"),
    "pay.exact": ("Passend", "Exact"),
    "pay.card": ("Karte", "Card"),
    "pay.card_part": ("Teil Karte", "Part card"),
    "pay.card_confirm": (
        "Kartenzahlung über {amount}: am Terminal bestätigt?",
        "Card payment of {amount}: confirmed on the terminal?",
    ),
    "pay.card_rest": ("Karte {amount} – Rest bar: {rest}", "Card {amount} – rest in cash: {rest}"),
    "pay.changed": (
        "Der Bon hat sich beim Bezahlen geändert – bitte noch einmal bezahlen",
        "The receipt changed during payment – please pay again",
    ),
    "pay.card_kept": (
        "Kartenteil {amount} ist schon bezahlt – bitte den Rest kassieren",
        "Card part {amount} is already paid – please take the rest",
    ),
    "pay.payout_confirm": ("{amount} bar auszahlen?", "Pay out {amount} in cash?"),
    # dialogs
    "age.question": (
        "{name}: Käufer mindestens {age} Jahre alt?",
        "{name}: is the buyer at least {age} years old?",
    ),
    "price.title": ("Preis ändern: {name}", "Change price: {name}"),
    "price.new": ("Neuer Preis", "New price"),
    "price.reason": ("Grund", "Reason"),
    "discount.title": ("Rabatt: {name}", "Discount: {name}"),
    "discount.value": (
        "Betrag (z. B. 0,50) oder Prozent (z. B. 10%)",
        "Amount (0.50) or percent (10%)",
    ),
    "department.title": ("Warengruppe (offener Preis)", "Department (open price)"),
    "department.price": ("Preis (z. B. 2,50 oder 3*2,50)", "Price (e.g. 2.50 or 3*2.50)"),
    "department.none": (
        "Keine Warengruppentasten in der Artikelliste",
        "No department keys in the article list",
    ),
    "search.title": ("Artikel suchen", "Search articles"),
    "search.input": ("Name oder PLU", "Name or PLU"),
    "search.none": ("Nichts gefunden", "Nothing found"),
    "park.title": ("Geparkte Bons", "Parked receipts"),
    "takeback.title": ("Leergut oder Rückgabe", "Empties or return"),
    "takeback.input": ("EAN oder PLU, z. B. 2x9010", "EAN or PLU, e.g. 2x9010"),
    "abort.question": ("Bon wirklich abbrechen?", "Really abort this receipt?"),
    # menu
    "menu.title": ("Menü", "Menu"),
    "menu.float": ("Anfangsbestand buchen", "Opening float"),
    "menu.movement": ("Ein- oder Auszahlung", "Cash in or out"),
    "menu.x_report": ("X-Bericht (Zwischenstand)", "X report (interim)"),
    "menu.closing": ("Tagesabschluss (Z) mit Zählung", "Daily closing (Z) with count"),
    "menu.void_receipt": ("Bon stornieren", "Void a receipt"),
    "menu.reprint": ("Bon nachdrucken (Kopie)", "Reprint a receipt (copy)"),
    "menu.print_open": ("Offene Bons drucken ({count})", "Print pending receipts ({count})"),
    "menu.preview": ("Letzten Bon ansehen", "View last receipt"),
    "menu.sign_off": ("Abmelden", "Sign off"),
    "menu.clock": ("Uhrzeit freigeben", "Confirm the clock"),
    "closing.open_receipts": (
        "Erst den offenen und die geparkten Bons abschließen",
        "First finish the open and parked receipts",
    ),
    "float.carried": (
        "Aus dem letzten Abschluss sind {amount} in der Kasse. Anfangsbestand trotzdem dazubuchen?",
        "{amount} from the last closing are in the drawer. Book an opening float on top?",
    ),
    "menu.not_in_training": (
        "Im Training nicht möglich – dafür bitte ohne Training anmelden",
        "Not in training – sign on without training for this",
    ),
    "clock.reason": (
        "Warum stimmt die Uhrzeit? (z. B. mit Funkuhr verglichen)",
        "Why is the time right? (e.g. checked against a radio clock)",
    ),
    "clock.done": (
        "Uhrzeit freigegeben – im Journal vermerkt",
        "Clock confirmed – noted in the journal",
    ),
    "cash.amount": ("Betrag", "Amount"),
    "cash.note": ("Wofür (Notiz)", "What for (note)"),
    "cash.kind": ("Art", "Kind"),
    "cash.booked": (
        "{what} {amount} gebucht (Beleg {number})",
        "{what} {amount} booked (no. {number})",
    ),
    "receipts.title": ("Bon wählen (Nummer oder Uhrzeit)", "Choose a receipt (number or time)"),
    "receipts.filter": (
        "Bonnummer oder Uhrzeit (z. B. 10:4), leer für die letzten",
        "Receipt number or time (e.g. 10:4), empty for the latest",
    ),
    "void.done": (
        "Bon {original} storniert mit Bon {number}",
        "Receipt {original} voided by {number}",
    ),
    "closing.title": ("Tagesabschluss: Kasse zählen", "Daily closing: count the drawer"),
    "closing.counted": ("Gezählt", "Counted"),
    "closing.expected": ("Soll", "Expected"),
    "closing.difference": ("Differenz", "Difference"),
    "closing.confirm": ("Jetzt abschließen? (J/N)", "Close now? (Y/N)"),
    "closing.done": (
        "Tagesabschluss Nr. {number} – Differenz {difference}",
        "Closing no. {number} – difference {difference}",
    ),
    "report.title": ("X-Bericht", "X report"),
    "preview.title": ("Bon {number}", "Receipt {number}"),
    # status line
    "status.printer": ("Drucker", "Printer"),
    "status.scale": ("Waage", "Scale"),
    "status.tse": ("TSE", "TSE"),
    "status.ok": ("ok", "ok"),
    "status.failed": ("Störung", "fault"),
    "status.tse_failed": ("ausgefallen", "failed"),
}

TEXTS.update(ORDER_TEXTS)

_language = 0  # 0 German, 1 English


def use(language: str) -> None:
    global _language
    _language = 1 if language == "en" else 0


def t(key: str, **values: object) -> str:
    text = TEXTS[key][_language]
    return text.format(**values) if values else text


def localize_bindings(node: object) -> None:
    """Translate the key descriptions a screen shows in its footer.

    BINDINGS name their descriptions by catalogue key (e.g. "key.pay"), because class
    attributes are made before the till knows its language; each screen calls this on creation.
    """
    bindings = node._bindings.key_to_bindings  # type: ignore[attr-defined]
    for key, items in bindings.items():
        bindings[key] = [
            replace(item, description=t(item.description)) if item.description in TEXTS else item
            for item in items
        ]
