"""Master data and closing totals of one closing, made from its single records.

The totals (businesscases, payment, cash_per_currency and the two sums in cashpointclosing)
are sums over the rows written for the closing's transactions, never figures kept apart, so
they agree with the single records by construction. They count what moved money or revenue:
BON_TYP Beleg (voids included, negative) and AVTransfer. Training receipts (AVTraining) and
aborted receipts (AVBelegabbruch) are in the single records, and never in the totals.
"""

from __future__ import annotations

from typing import Any

from tourkasse.dsfinvk.closings import Journal, Period
from tourkasse.dsfinvk.master import MasterData, country_alpha3
from tourkasse.dsfinvk.transactions import Rows
from tourkasse.dsfinvk.values import Dec, eur

TAXONOMY_VERSION = "2.3"
COUNTED = ("Beleg", "AVTransfer")
VAT_KEYS = (
    (1, 1900, "Regelsteuersatz (19 %)"),
    (2, 700, "Ermäßigter Steuersatz (7 %)"),
    (5, 0, "Nicht steuerbar (Bargeldbewegungen)"),
    (6, 0, "Umsatzsteuerfrei (0 %)"),
)


def _cents(value: Dec) -> int:
    assert value.exp == 2, value  # every amount of the single records is written in cents
    return value.units


def closing_rows(journal: Journal, period: Period, master: MasterData, rows: Rows) -> None:
    """Add the closing's master data and totals to ``rows``."""
    files = rows.by_file
    counted = {head["BON_ID"] for head in files["transactions.csv"] if head["BON_TYP"] in COUNTED}
    business_case = {
        (line["BON_ID"], line["POS_ZEILE"]): line["GV_TYP"] for line in files["lines.csv"]
    }
    cases: dict[tuple[str, int], list[int]] = {}
    for line in files["lines_vat.csv"]:
        if line["BON_ID"] not in counted:
            continue
        key = (business_case[line["BON_ID"], line["POS_ZEILE"]], line["UST_SCHLUESSEL"])
        sums = cases.setdefault(key, [0, 0])
        sums[0] += _cents(line["POS_BRUTTO"])
        sums[1] += _cents(line["POS_UST"])
    for (gv_typ, key), (gross, vat) in sorted(cases.items()):
        rows.add(
            "businesscases.csv",
            GV_TYP=gv_typ,
            AGENTUR_ID=0,
            UST_SCHLUESSEL=key,
            Z_UMS_BRUTTO=eur(gross),
            Z_UMS_NETTO=eur(gross - vat),
            Z_UST=eur(vat),
        )
    payments: dict[tuple[str, str], int] = {}
    for payment in files["datapayment.csv"]:
        if payment["BON_ID"] in counted:
            key = (payment["ZAHLART_TYP"], payment["ZAHLART_NAME"])
            payments[key] = payments.get(key, 0) + _cents(payment["BASISWAEH_BETRAG"])
    for (kind, name), amount in sorted(payments.items()):
        rows.add("payment.csv", ZAHLART_TYP=kind, ZAHLART_NAME=name, Z_ZAHLART_BETRAG=eur(amount))
    cash = sum(amount for (kind, _), amount in payments.items() if kind == "Bar")
    rows.add("cash_per_currency.csv", ZAHLART_WAEH="EUR", ZAHLART_BETRAG_WAEH=eur(cash))

    heads = files["transactions.csv"]
    company, till = master.company, master.till
    rows.add(
        "cashpointclosing.csv",
        Z_BUCHUNGSTAG=period.day,
        TAXONOMIE_VERSION=TAXONOMY_VERSION,
        Z_START_ID=heads[0]["BON_ID"] if heads else None,
        Z_ENDE_ID=heads[-1]["BON_ID"] if heads else None,
        NAME=company.name,
        STRASSE=company.street,
        PLZ=company.postcode,
        ORT=company.city,
        LAND=country_alpha3(company.country),
        STNR=company.tax_number,
        USTID=company.vat_id,
        Z_SE_ZAHLUNGEN=eur(sum(payments.values())),
        Z_SE_BARZAHLUNGEN=eur(cash),
    )
    rows.add(
        "location.csv",
        LOC_NAME=company.name,
        LOC_STRASSE=company.street,
        LOC_PLZ=company.postcode,
        LOC_ORT=company.city,
        LOC_LAND=country_alpha3(company.country),
        LOC_USTID=company.vat_id,
    )
    rows.add(
        "cashregister.csv",
        KASSE_BRAND=till.brand,
        KASSE_MODELL=till.model,
        KASSE_SERIENNR=till.serial,
        KASSE_SW_BRAND=till.software,
        KASSE_SW_VERSION=till.version,
        KASSE_BASISWAEH_CODE="EUR",
        KEINE_UST_ZUORDNUNG="0",
    )
    for number, rate, text in VAT_KEYS:
        rows.add("vat.csv", UST_SCHLUESSEL=number, UST_SATZ=Dec(rate, 2), UST_BESCHR=text)
    for serial, tse_id in rows.tse_ids.items():
        rows.add("tse.csv", **_tse_master(journal, serial, tse_id))


def _tse_master(journal: Journal, serial: str, tse_id: int) -> dict[str, Any]:
    fields = journal.tses[serial]
    return {
        "TSE_ID": tse_id,
        "TSE_SERIAL": serial,
        "TSE_SIG_ALGO": fields.signature_algorithm,
        "TSE_ZEITFORMAT": fields.time_format,
        "TSE_PD_ENCODING": "UTF-8",
        "TSE_PUBLIC_KEY": fields.public_key,
        # the certificate is not in the journal: the TSE's own export (TAR) carries it
    }
