"""Every text of the hub's pages, in German and English: one catalogue.

The page's language comes from the ``lang`` cookie (German unless the user chose English).
Messages from the layers underneath (a refused login, a config problem) are German and are
shown as they are. Live pages get the catalogue as JSON for their script.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

Language = Literal["de", "en"]
LANGUAGES: tuple[Language, ...] = ("de", "en")

TEXTS: dict[str, tuple[str, str]] = {
    "app.title": ("Tourkasse Zentrale", "Tourkasse hub"),
    "nav.live": ("Live", "Live"),
    "nav.alerts": ("Warnungen", "Alerts"),
    "nav.turnover": ("Tagesumsätze", "Daily turnover"),
    "nav.users": ("Benutzer", "Users"),
    "nav.accounts": ("Buchhaltung", "Accounts"),
    "nav.cashbook": ("Kassenbuch", "Cash book"),
    "nav.receipts": ("Bons", "Receipts"),
    "accounts.title": ("Tagessummen und Abschlüsse", "Daily sums and closings"),
    "accounts.from": ("Von", "From"),
    "accounts.to": ("Bis", "To"),
    "accounts.all_trucks": ("alle Wagen", "all trucks"),
    "accounts.show": ("Anzeigen", "Show"),
    "accounts.downloads": ("Herunterladen", "Download"),
    "accounts.csv": ("CSV (Excel)", "CSV (Excel)"),
    "accounts.datev": ("DATEV-Buchungsstapel", "DATEV batch"),
    "accounts.pdf": ("Monatsübersicht (PDF)", "Monthly summary (PDF)"),
    "accounts.json": ("JSON", "JSON"),
    "accounts.dsfinvk": (
        "DSFinV-K für die Betriebsprüfung (Tagesabschlüsse des Zeitraums)",
        "DSFinV-K for a tax audit (the period's daily closings)",
    ),
    "accounts.dsfinvk_get": ("DSFinV-K herunterladen", "Download DSFinV-K"),
    "accounts.day": ("Tag", "Day"),
    "accounts.sums": ("Tagessummen je Wagen", "Daily sums per truck"),
    "accounts.sums_truck": ("Tagessummen je Halt", "Daily sums per stop"),
    "accounts.rate": ("Steuersatz", "VAT rate"),
    "accounts.none": ("Keine Bons in diesem Zeitraum.", "No receipts in this period."),
    "accounts.period_total": ("Summe des Zeitraums", "Total of the period"),
    "accounts.not_turnover": ("Nicht im Umsatz", "Not turnover"),
    "accounts.training": ("Trainingsbons", "training receipts"),
    "accounts.aborted": ("abgebrochene Bons", "aborted receipts"),
    "accounts.closings": ("Tagesabschlüsse (Z)", "Daily closings (Z)"),
    "accounts.closing_no": ("Z-Nr.", "Z no."),
    "accounts.time": ("Zeit", "Time"),
    "accounts.counted": ("Gezählt", "Counted"),
    "accounts.expected": ("Soll", "Expected"),
    "accounts.difference": ("Differenz", "Difference"),
    "accounts.no_closings": ("Keine Abschlüsse in diesem Zeitraum.", "No closings in this period."),
    "accounts.cards": (
        "Kartenzahlungen je Tag (zum Abgleich mit dem Kartenterminal)",
        "Card payments per day (to compare with the card terminal)",
    ),
    "accounts.no_cards": ("Keine Kartenzahlungen.", "No card payments."),
    "cashbook.title": ("Kassenbuch", "Cash book"),
    "cashbook.choose": ("Bitte einen Wagen wählen.", "Please choose a truck."),
    "cashbook.opening": ("Anfangsbestand des Zeitraums", "Balance at the start"),
    "cashbook.closing": ("Bestand am Ende des Zeitraums", "Balance at the end"),
    "cashbook.document": ("Beleg", "Document"),
    "cashbook.text": ("Text", "Text"),
    "cashbook.income": ("Einnahme", "In"),
    "cashbook.spent": ("Ausgabe", "Out"),
    "cashbook.balance": ("Bestand", "Balance"),
    "cashbook.csv": ("Als CSV herunterladen", "Download as CSV"),
    "receipts.title": ("Bons suchen", "Find receipts"),
    "receipts.number": ("Bonnummer", "Receipt number"),
    "receipts.amount": ("Betrag", "Amount"),
    "receipts.search": ("Suchen", "Search"),
    "receipts.none": ("Kein Bon gefunden.", "No receipt found."),
    "receipts.found": ("Gefunden", "Found"),
    "receipts.more": (
        "Es gibt mehr Treffer; gezeigt werden die ersten {most}. Bitte die Suche eingrenzen: "
        "Wagen, Bonnummer, Betrag oder ein kürzerer Zeitraum.",
        "There are more; the first {most} are shown. Please narrow the search: truck, receipt "
        "number, amount or a shorter period.",
    ),
    "nav.logout": ("Abmelden", "Log out"),
    "nav.language": ("English", "Deutsch"),
    "login.title": ("Anmeldung", "Log in"),
    "login.name": ("Benutzername", "User name"),
    "login.password": ("Passwort", "Password"),
    "login.submit": ("Anmelden", "Log in"),
    "login.expired": (
        "Das Formular war veraltet – bitte noch einmal anmelden.",
        "The form had expired – please log in again.",
    ),
    "logout.done": ("Sie sind abgemeldet.", "You are logged out."),
    "forbidden.title": ("Kein Zugriff", "No access"),
    "forbidden.text": (
        "Diese Seite gehört zu einer Rolle, die Ihr Benutzer nicht hat.",
        "This page belongs to a role your user does not hold.",
    ),
    "csrf.refused": (
        "Das Formular kam nicht von dieser Seite oder war veraltet – bitte neu laden.",
        "The form did not come from this page or had expired – please reload.",
    ),
    "live.map": ("Karte", "Map"),
    "live.no_tiles": (
        "Ohne Kartenkacheln: nur Wagen und Halte (Kachelserver in der hub.toml, [web] tile_url)",
        "No map tiles: trucks and stops only (tile server in hub.toml, [web] tile_url)",
    ),
    "live.fleet": ("Flotte", "Fleet"),
    "live.sales": ("Verkäufe", "Sales"),
    "live.turnover": ("Umsatz heute je Halt", "Turnover today per stop"),
    "live.turnover_trucks": ("Umsatz heute je Wagen", "Turnover today per truck"),
    "live.alerts": ("Warnungen", "Alerts"),
    "live.no_alerts": ("Keine Warnungen", "No alerts"),
    "live.no_sales": ("Heute noch keine Verkäufe", "No sales yet today"),
    "live.connection_lost": (
        "Verbindung zur Zentrale unterbrochen – verbinde neu …",
        "Connection to the hub lost – reconnecting …",
    ),
    "fleet.truck": ("Wagen", "Truck"),
    "fleet.state": ("Zustand", "State"),
    "fleet.online": ("online", "online"),
    "fleet.offline": ("offline", "offline"),
    "fleet.last_contact": ("Letzter Kontakt", "Last contact"),
    "fleet.backlog": ("Nicht übertragen", "Not synced"),
    "fleet.devices": ("Geräte", "Devices"),
    "fleet.clock": ("Uhr", "Clock"),
    "fleet.stop": ("Halt jetzt / nächster", "Stop now / next"),
    "fleet.turnover": ("Umsatz heute", "Turnover today"),
    "fleet.on_the_road": ("unterwegs", "on the road"),
    "sale.training": ("Training", "Training"),
    "sale.void": ("Storno", "Void"),
    "sale.lines": ("Pos.", "lines"),
    "stop.none": ("ohne Halt", "no stop"),
    "turnover.title": ("Tagesumsätze", "Daily turnover"),
    "turnover.day": ("Tag", "Day"),
    "turnover.show": ("Anzeigen", "Show"),
    "turnover.receipts": ("Bons", "Receipts"),
    "turnover.stop": ("Halt", "Stop"),
    "turnover.gross": ("Brutto", "Gross"),
    "turnover.net": ("Netto", "Net"),
    "turnover.vat": ("USt", "VAT"),
    "turnover.cash": ("Bar", "Cash"),
    "turnover.card": ("Karte", "Card"),
    "turnover.total": ("Summe", "Total"),
    "turnover.none": ("Keine Umsätze an diesem Tag", "No turnover on this day"),
    "users.title": ("Benutzer", "Users"),
    "users.roles": ("Rollen", "Roles"),
    "users.add": ("Benutzer anlegen oder ändern", "Add or change a user"),
    "users.save": ("Speichern", "Save"),
    "users.saved_new": ("Benutzer {name} angelegt.", "User {name} added."),
    "users.saved_old": (
        "Benutzer {name}: Passwort und Rollen neu gesetzt.",
        "User {name}: password and roles changed.",
    ),
    "alerts.title": ("Warnungen", "Alerts"),
    "nav.loading": ("Ladeliste", "Loading list"),
    "nav.articles": ("Artikel", "Articles"),
    "nav.tours": ("Touren", "Tours"),
    "nav.arrivals": ("Ankunftszeiten", "Arrivals"),
    "arrivals.title": ("Ankunftszeiten", "Arrival times"),
    "arrivals.explained": (
        "Was die Anzeige jedes Halts jetzt sagt. Ein Link öffnet nur die Anzeige seines Halts "
        "(ohne Anmeldung); nach „Link erneuern“ zeigt der alte nichts mehr.",
        "What each stop's board says now. A link opens only its stop's board (no login); "
        "after “Renew link” the old one shows nothing.",
    ),
    "arrivals.stop": ("Halt", "Stop"),
    "arrivals.board_says": ("Anzeige", "Board"),
    "arrivals.link": ("Link der Anzeige", "Board link"),
    "arrivals.today": ("Heute", "Today"),
    "arrivals.renew": ("Link erneuern", "Renew link"),
    "arrivals.reason": ("Grund", "Reason"),
    "arrivals.cancel": ("Halt heute absagen", "Cancel stop today"),
    "arrivals.uncancel": ("Absage zurücknehmen", "Take back cancellation"),
    "arrivals.cancelled_elsewhere": (
        "ganze Tour oder Feiertag (unter Touren)",
        "whole tour or holiday (under Tours)",
    ),
    "arrivals.stop_timetable": ("Fahrplan des Halts", "Stop timetable"),
    "arrivals.tour_timetable": ("Fahrplan der Tour", "Tour timetable"),
    "arrivals.no_tour": ("Heute fährt keine Tour.", "No tour today."),
    "arrivals.others": ("Halte, die heute nicht angefahren werden", "Stops not visited today"),
    "tours.title": ("Touren und Halte", "Tours and stops"),
    "tours.new": ("Neue Tour", "New tour"),
    "tours.state": ("Bundesland (Feiertage)", "Federal state (holidays)"),
    "tours.tour": ("Tour", "Tour"),
    "tours.weekdays": ("Wochentage", "Weekdays"),
    "tours.stops": ("Halte", "Stops"),
    "tours.assignments": ("Wagentausch an einem Datum", "Another truck on a date"),
    "tours.exceptions": ("Ausnahmen", "Exceptions"),
    "tours.cancelled": ("fällt aus", "cancelled"),
    "tours.runs": ("fährt zusätzlich", "runs anyway"),
    "tours.skip": ("Halte fallen aus", "Stops skipped"),
    "tours.note": ("Hinweis", "Note"),
    "tours.add": ("Hinzufügen", "Add"),
    "tours.delete": ("Löschen", "Delete"),
    "tours.none": ("Noch kein Tourplan – eine Tour anlegen", "No tour plan yet – add a tour"),
    "tours.map_hint": (
        "Halte auf der Karte ziehen, um sie zu verschieben; ein Klick in die Karte setzt den "
        "neuen Halt (letzte Zeile).",
        "Drag stops on the map to move them; a click on the map places the new stop (last row).",
    ),
    "tours.id": ("Kurzname", "Short name"),
    "tours.depot": ("Lager", "Depot"),
    "tours.lat": ("Breite", "Latitude"),
    "tours.lon": ("Länge", "Longitude"),
    "tours.leave": ("Abfahrt", "Leaves"),
    "tours.address": ("Anschrift", "Address"),
    "tours.arrive": ("Ankunft", "Arrives"),
    "tours.depart": ("Abfahrt", "Departs"),
    "tours.radius": ("Radius m", "Radius m"),
    "tours.contact": ("Kontakt", "Contact"),
    "articles.title": ("Artikel und Preise", "Articles and prices"),
    "articles.csv": (
        "Liste des Großhändlers (CSV) oder Artikelliste (TOML)",
        "Wholesaler's list (CSV) or article list (TOML)",
    ),
    "articles.preview": ("Vorschau", "Preview"),
    "articles.push": ("An die Wagen senden", "Send to the trucks"),
    "articles.last_push": ("Zuletzt gesendet", "Last sent"),
    "articles.version": ("Version", "version"),
    "articles.upcoming": ("Geplante Preisänderungen", "Scheduled price changes"),
    "articles.number": ("Nr.", "No."),
    "articles.name": ("Bezeichnung", "Name"),
    "articles.price": ("Preis", "Price"),
    "articles.group": ("Warengruppe", "Group"),
    "articles.unit": ("Einheit", "Unit"),
    "articles.allergens": ("Allergene", "Allergens"),
    "articles.none": (
        "Noch keine Artikel – Liste des Großhändlers hochladen",
        "No articles yet – upload the wholesaler's list",
    ),
    "articles.history": ("Änderungen", "Changes"),
    "articles.import_title": ("Import", "Import"),
    "articles.new": ("neu", "new"),
    "articles.changed": ("geändert", "changed"),
    "articles.unchanged": ("unverändert", "unchanged"),
    "articles.refused": ("abgewiesen", "refused"),
    "articles.refused_rows": ("Abgewiesene Zeilen", "Refused rows"),
    "articles.changed_rows": ("Geänderte Artikel", "Changed articles"),
    "articles.new_rows": ("Neue Artikel", "New articles"),
    "articles.line": ("Zeile", "Line"),
    "articles.why": ("Grund", "Reason"),
    "articles.take_over": ("Übernehmen", "Take over"),
    "articles.cancel": ("Abbrechen", "Cancel"),
    "articles.back": ("Zurück", "Back"),
    "articles.price_from": ("Neuer Preis gilt ab", "New price valid from"),
    "articles.prices": ("Preise", "Prices"),
    "articles.from": ("ab", "from"),
    "nav.stops": ("Halte", "Stops"),
    "loading.title": ("Ladeliste für", "Loading list for"),
    "loading.weeks": ("Wochen", "Weeks"),
    "loading.print": ("Drucken", "Print"),
    "loading.basis": (
        "Aus den Verkäufen vom {first} bis {last} am selben Wochentag; je Besuch, aufgerundet",
        "From the sales of {first} to {last} on the same weekday; per visit, rounded up",
    ),
    "loading.article": ("Artikel", "Article"),
    "loading.load": ("Laden", "Load"),
    "loading.expected": ("Erwartet", "Expected"),
    "loading.visits": ("{count} Besuche an diesem Wochentag", "{count} visits on this weekday"),
    "loading.no_history": (
        "Noch keine Verkäufe an diesem Wochentag",
        "No sales on this weekday yet",
    ),
    "loading.no_tour": ("An diesem Tag fährt keine Tour", "No tour on this day"),
    "stops.title": ("Halte", "Stops"),
    "stops.from": ("Von", "From"),
    "stops.to": ("Bis", "To"),
    "stops.visits": ("Besuche / Plan", "Visits / planned"),
    "stops.basket": ("Ø Bon", "Avg. basket"),
    "stops.minutes": ("Minuten / Plan", "Minutes / planned"),
    "stops.per_hour": ("Umsatz je Stunde", "Turnover per hour"),
    "stops.explained": (
        "Minuten: zwischen Ankunft und Abfahrt laut GPS; Besuche ohne diese Zeiten zählen "
        "nicht zum Umsatz je Stunde. Stornos zählen im Umsatz, nicht bei den Bons.",
        "Minutes: between arrival and departure by GPS; visits without them do not count "
        "towards turnover per hour. Voids count in turnover, not as receipts.",
    ),
    "stops.none": ("Keine Besuche in diesem Zeitraum", "No visits in this period"),
    "nav.orders": ("Bestellungen", "Orders"),
    "nav.ordering": ("Bestellen", "Order"),
    "orders.order_for": ("Bestellen für", "Order for"),
    "orders.explained": (
        "Bestellen Sie für einen der nächsten Besuche des Verkaufswagens; bezahlt wird beim "
        "Abholen am Wagen. Bis zum Bestellschluss lässt sich die Bestellung ändern oder "
        "stornieren. Gewogene Ware: ungefähre Menge, berechnet wird das echte Gewicht.",
        "Order for one of the truck's next visits; you pay when you collect at the truck. Until "
        "the order deadline you can change or cancel it. Goods by weight: an approximate "
        "amount, the real weight is charged.",
    ),
    "orders.browser_only": (
        "Ihre Bestellungen sehen Sie nur in diesem Browser. Nur hier lassen sie sich ändern "
        "oder stornieren; wer den Link in einem anderen Browser oder auf einem anderen Gerät "
        "öffnet, sieht sie nicht. Löschen Sie die Cookies dieses Browsers, bleibt die "
        "Bestellung bestehen, aber Sie sehen sie hier nicht mehr. Der Betreiber des Wagens und, "
        "wo es einen Zugang hat, das Heim an diesem Halt sehen sie auch.",
        "You see your orders only in this browser. Only here can you change or cancel them; "
        "anyone who opens the link in another browser or on another device does not see "
        "them. If you delete this browser's cookies, the order stands, but you no longer see "
        "it here. The shop's operator and, where it has an account, the home at this stop see "
        "them too.",
    ),
    "orders.visits": ("Nächste Besuche", "Next visits"),
    "orders.no_visits": ("Zurzeit sind keine Besuche geplant.", "No visits planned at present."),
    "orders.visit_cancelled": ("fällt aus", "cancelled"),
    "orders.visit_open": ("Bestellschluss {at}", "order by {at}"),
    "orders.visit_closed": (
        "Bestellschluss war {at} – keine Bestellungen mehr",
        "the deadline was {at} – no more orders",
    ),
    "orders.new_title": ("Neue Bestellung", "New order"),
    "orders.change_title": ("Bestellung {number} ändern", "Change order {number}"),
    "orders.visit": ("Für den Besuch am", "For the visit on"),
    "orders.rows_hint": (
        "Je Zeile ein Artikel: Menge in Stück, bei gewogener Ware in Gramm (z. B. 500) oder "
        "kg (z. B. 1,5 kg). Ohne Namen gilt die Zeile für den Namen der Zeile darüber.",
        "One article per line: pieces, or for goods by weight grams (e.g. 500) or kg (e.g. "
        "1.5 kg). A line without a name is for the name of the line above.",
    ),
    "orders.article": ("Artikel", "Article"),
    "orders.quantity": ("Menge", "Quantity"),
    "orders.for_whom": ("Für (Name)", "For (name)"),
    "orders.gone_article": ("nicht mehr im Sortiment", "no longer sold"),
    "orders.more_rows": ("Weitere Zeilen", "More lines"),
    "orders.note": ("Anmerkung", "Note"),
    "orders.send": ("Bestellung senden", "Send order"),
    "orders.change_send": ("Änderung senden", "Send change"),
    "orders.back": ("Zurück", "Back"),
    "orders.nothing_open": (
        "Zurzeit kann für keinen Besuch bestellt werden (Bestellschluss vorbei oder Besuch "
        "fällt aus).",
        "No visit can be ordered for at present (deadline passed or visit cancelled).",
    ),
    "orders.articles": ("Sortiment", "Articles"),
    "orders.base_price": ("Grundpreis", "Unit price"),
    "orders.deposit": ("Pfand", "Deposit"),
    "orders.no_articles": ("Noch keine Artikelliste.", "No article list yet."),
    "orders.placed_list": ("Bestellungen", "Orders"),
    "orders.none_yet": ("Noch keine Bestellungen.", "No orders yet."),
    "orders.order": ("Bestellung", "Order"),
    "orders.for_visit": ("Besuch am", "visit on"),
    "orders.state_OPEN": ("offen", "open"),
    "orders.state_CANCELLED": ("storniert", "cancelled"),
    "orders.state_COLLECTED": ("abgeholt", "collected"),
    "orders.state_NOT_COLLECTED": ("nicht abgeholt", "not collected"),
    "orders.placed_by": ("Bestellt von", "Ordered by"),
    "orders.channel_HOME": ("Zugang des Heims", "home's account"),
    "orders.channel_BOARD": ("Link des Aushangs", "board link"),
    "orders.changed_at": ("geändert", "changed"),
    "orders.approx": ("ca. Preis", "approx. price"),
    "orders.decision": ("Entscheidung", "Decision"),
    "orders.decision_OPEN": ("offen", "open"),
    "orders.decision_CONFIRMED": ("bestätigt", "confirmed"),
    "orders.decision_DECLINED": ("abgelehnt", "declined"),
    "orders.confirm": ("Bestätigen", "Confirm"),
    "orders.decline": ("Ablehnen", "Decline"),
    "orders.reason": ("Grund der Ablehnung", "Reason for declining"),
    "orders.confirm_all": ("Alle offenen Zeilen bestätigen", "Confirm all open lines"),
    "orders.approx_total": ("Summe ca.", "Total approx."),
    "orders.collected_at": ("Abgeholt {at} (Wagen {truck})", "Collected {at} (truck {truck})"),
    "orders.not_collected_at": (
        "Nicht abgeholt – so vermerkt {at} (Wagen {truck})",
        "Not collected – noted {at} (truck {truck})",
    ),
    "orders.receipt": ("Bon Nr.", "receipt no."),
    "orders.real_total": ("bezahlt", "paid"),
    "orders.ordered": ("bestellt", "ordered"),
    "orders.sold": ("verkauft", "sold"),
    "orders.amount": ("Betrag", "Amount"),
    "orders.change": ("Ändern", "Change"),
    "orders.cancel": ("Stornieren", "Cancel"),
    "orders.visit_off": (
        "Dieser Besuch fällt aus ({reason}). Bitte stornieren und für einen anderen Besuch neu "
        "bestellen.",
        "This visit is called off ({reason}). Please cancel and order again for another visit.",
    ),
    "orders.cancel_confirm": (
        "Ja, Bestellung {number} ganz stornieren",
        "Yes, cancel the whole order {number}",
    ),
    "orders.placed": ("Bestellung {number} ist eingegangen.", "Order {number} received."),
    "orders.changed": ("Bestellung {number} ist geändert.", "Order {number} changed."),
    "orders.cancelled": ("Bestellung {number} ist storniert.", "Order {number} cancelled."),
    "orders.not_changeable": (
        "Bestellung {number} lässt sich nicht mehr ändern (Bestellschluss vorbei, Besuch "
        "fällt aus, storniert oder schon abgeholt).",
        "Order {number} can no longer be changed (deadline passed, visit cancelled, "
        "cancelled or collected).",
    ),
    "orders.no_stop": (
        "Ihrem Zugang ist kein Halt zugeordnet – bitte beim Betreiber des Verkaufswagens melden.",
        "Your account has no stop – please ask the truck's operator.",
    ),
    "orders.gone_title": ("Bestellung nicht gefunden", "Order not found"),
    "orders.gone_text": ("Diese Bestellung gibt es hier nicht.", "There is no such order here."),
    "orders.office_title": ("Bestellungen für", "Orders for"),
    "orders.not_planned": ("nicht mehr im Tourplan", "no longer in the tour plan"),
    "orders.deadline": ("Bestellschluss", "Order deadline"),
    "orders.hours_before": ("Std. vor der Ankunft", "hours before arrival"),
    "orders.count": ("{count} Bestellung(en)", "{count} order(s)"),
    "orders.none_for_visit": ("Keine Bestellungen.", "No orders."),
    "orders.no_tour": ("An diesem Tag fährt keine Tour.", "No tour on this day."),
    "orders.said_decided": ("Entscheidung gespeichert.", "Decision saved."),
    "orders.said_deadline": ("Bestellschluss gespeichert.", "Deadline saved."),
    "orders.sent_sent": ("An die Wagen gesendet.", "Sent to the trucks."),
    "orders.sent_later": (
        "Wird gesendet, sobald der Broker erreichbar ist.",
        "Will be sent as soon as the broker can be reached.",
    ),
    "orders.sent_nothing": ("", ""),
    # the operator's page (issue 11 review)
    "orders.changed_meanwhile": (
        "Die Bestellung {number} wurde inzwischen geändert – bitte die Seite neu laden und "
        "noch einmal entscheiden.",
        "Order {number} has been changed meanwhile – please reload the page and decide again.",
    ),
    "orders.count_cancelled": ("{count} storniert", "{count} cancelled"),
    "users.stop": ("Halt (Heim)", "Stop (home)"),
}


def translator(language: Language) -> Callable[..., str]:
    index = LANGUAGES.index(language)

    def t(key: str, **values: object) -> str:
        text = TEXTS[key][index]
        return text.format(**values) if values else text

    return t


def catalogue(language: Language) -> dict[str, str]:
    index = LANGUAGES.index(language)
    return {key: texts[index] for key, texts in TEXTS.items()}
