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
