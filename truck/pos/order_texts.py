"""The till's texts for orders (Bestellungen), German and English; part of ``texts.TEXTS``."""

from __future__ import annotations

ORDER_TEXTS: dict[str, tuple[str, str]] = {
    "key.orders": ("Bestellungen", "Orders"),
    "key.open_order": ("Öffnen", "Open"),
    "key.not_collected": ("Nicht abgeholt", "Not collected"),
    "key.whole_day": ("Ganzer Tag", "Whole day"),
    "menu.orders": ("Bestellungen (Strg+B)", "Orders (Ctrl+B)"),
    "order.header": ("{count} Bestellung(en) offen: Strg+B", "{count} order(s) open: Ctrl+B"),
    "order.in_basket": ("Bestellung {number}", "Order {number}"),
    "order.title_stop": ("Bestellungen – {stop}, {day}", "Orders – {stop}, {day}"),
    "order.title_day": ("Packliste {day} – alle Halte", "Picking list {day} – all stops"),
    "order.none_here": (
        "Keine Bestellungen für diesen Halt heute",
        "No orders for this stop today",
    ),
    "order.none_day": ("Keine Bestellungen für {day}", "No orders for {day}"),
    "order.no_list": (
        "Noch keine Bestellungen von der Zentrale erhalten",
        "No orders received from the hub yet",
    ),
    "order.on_the_road": (
        "Kein Halt gesetzt – Packliste des ganzen Tages",
        "No stop set – the whole day's picking list",
    ),
    "order.hint": (
        "Enter: als Bon öffnen  N: nicht abgeholt  T: ganzer Tag / dieser Halt  Esc: zurück",
        "Enter: open as receipt  N: not collected  T: whole day / this stop  Esc: back",
    ),
    "order.state_open": ("offen", "open"),
    "order.state_collected": ("abgeholt", "collected"),
    "order.state_not_collected": ("nicht abgeholt", "not collected"),
    "order.approx_total": ("ca. {amount}", "approx. {amount}"),
    "order.note": ("Notiz: {note}", "Note: {note}"),
    "order.orderer": ("bestellt von {orderer}", "ordered by {orderer}"),
    "order.not_in_training": (
        "Bestellungen im Training nur ansehen – zum Abrechnen ohne Training anmelden",
        "In training orders can only be viewed – sign on without training to hand them over",
    ),
    "order.already_in_till": (
        "Bestellung {number} ist schon als Bon offen (oder geparkt)",
        "Order {number} is already open as a receipt (or parked)",
    ),
    "order.opened": ("Bestellung {number} als Bon geöffnet", "Order {number} opened as receipt"),
    "order.left_out": ("nicht im Bon: {lines}", "not on the receipt: {lines}"),
    "order.nothing_in": (
        "Nichts aus Bestellung {number} im Bon – nichts gebucht, Bestellung bleibt offen",
        "Nothing of order {number} on the receipt – nothing booked, the order stays open",
    ),
    "order.weigh_title": ("Bestellung {number}: {text}", "Order {number}: {text}"),
    "order.weigh_ordered": (
        "für {whom}: bestellt {grams} – bitte auf die Waage legen",
        "for {whom}: ordered {grams} – please place it on the scale",
    ),
    "order.weigh_hint": (
        "Enter: wiegen. Esc: diese Position auslassen.",
        "Enter: weigh. Esc: leave this line out.",
    ),
    "order.weigh": ("Wiegen", "Weigh"),
    "order.skip": ("Auslassen", "Leave out"),
    "order.weight_question": (
        "{weighed} g statt ca. {ordered} g bestellt – so übernehmen? J/N",
        "{weighed} g instead of approx. {ordered} g ordered – take it? Y/N",
    ),
    "order.weight_not_taken": (
        "{weighed} g nicht übernommen – bitte die bestellte Ware auflegen",
        "{weighed} g not taken – please place the ordered goods on the scale",
    ),
    "order.skipped": ("{text}: nicht gewogen", "{text}: not weighed"),
    "order.not_collected_question": (
        "Bestellung {number} als „nicht abgeholt“ vermerken?",
        'Mark order {number} as "not collected"?',
    ),
    "order.not_collected_done": (
        "Bestellung {number}: nicht abgeholt – im Journal vermerkt",
        "Order {number}: not collected – noted in the journal",
    ),
    "order.nothing_chosen": ("Keine Bestellung gewählt", "No order chosen"),
}
