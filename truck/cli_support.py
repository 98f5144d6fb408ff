"""Small pieces the truck's commands share: refusals and reading the journal."""

from __future__ import annotations

from sqlite_utils import Database

from tourkasse.money import format_eur
from tourkasse.receipt import Receipt
from truck.config import TruckConfig
from truck.store.database import open_for_reading


class Refused(Exception):
    """A request refused with a message for the user (exit code 1)."""


def journal_db(config: TruckConfig) -> Database:
    if not config.paths.journal.exists():
        raise Refused(f"Journal {config.paths.journal} gibt es noch nicht (noch nichts verkauft?)")
    return open_for_reading(config.paths.journal)


def summary(body: dict) -> str:
    """One line about an entry's body, for `journal show` and recovery messages."""
    if "receipt" in body:
        receipt = Receipt.from_dict(body["receipt"])
        text = f"Bon {body['number']} {receipt.bon_type.value} {format_eur(receipt.total)}"
        if receipt.void_of:
            text += f" Storno zu Bon {receipt.void_of}"
        tse = body.get("tse", {})
        text += (
            f" – {tse['failure']}"
            if "failure" in tse
            else f" – TSE {tse.get('transaction_number')}"
        )
        if receipt.stop:
            text += f" @ {receipt.stop}"
        if body.get("recovered"):
            text += " (nach Neustart)"
        return text + (f" – {receipt.note}" if receipt.note else "")
    if "amount" in body:
        return f"Beleg {body.get('number')} {body.get('movement', 'Anfangsbestand')} {format_eur(body['amount'])} {body.get('note', '')}".rstrip()
    if "closing_number" in body:
        return f"Abschluss {body['closing_number']}: gezählt {format_eur(body['counted'])}, Differenz {format_eur(body['difference'])}"
    if "tse_number" in body:
        return f"TSE-Transaktion {body['tse_number']} gestartet"
    if "receipt_number" in body:
        tse = body.get("tse", {})
        return f"späte TSE-Antwort zu Bon {body['receipt_number']}: TSE {tse.get('transaction_number')}"
    if "figures" in body:
        return f"X-Bericht: Umsatz {format_eur(body['figures']['turnover'])}"
    if "gps_time" in body and "stop" in body:
        return f"{body['name']} (GPS {body['gps_time'][11:19]} UTC)"
    if "stop" in body and "staff" in body:
        return f"{body['name']} – von Hand: {body['staff']['name']} ({body['staff']['number']})"
    if body.get("staff"):
        return f"{body['staff']['name']} ({body['staff']['number']})"
    return ", ".join(
        f"{k}: {v}" for k, v in body.items() if v is not None and not isinstance(v, dict | list)
    )
