"""The basket on the counter: lines being rung up, before the customer pays.

Pure logic: the till hands in articles (already looked up) and weights (already read from
the scale); the basket builds self-contained receipt lines and keeps the totals exact.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from tourkasse.article import Article, Department, Unit
from tourkasse.money import Cents, divide_half_up, format_eur
from tourkasse.receipt import (
    BonType,
    LineKind,
    Payment,
    PriceOverride,
    Receipt,
    ReceiptLine,
    Staff,
    Weighing,
    line_amount,
)
from tourkasse.vat import VatRate

MAX_QUANTITY = 999
MAX_GRAMS = 100_000  # 100 kg: more than any counter scale weighs
MAX_LINE_CENTS = 1_000_000  # 10.000 €: a typing slip, not a sale


class BasketError(ValueError):
    """A request the basket refuses; str() is a German message for the sales staff."""


@dataclass(frozen=True)
class WeighedPrice:
    """The result of weighing: grams, and the price if the scale computed it."""

    grams: int
    total: Cents | None = None  # computed by a legal-for-trade scale (Dialog 06)
    source: str = "scale"


class Basket:
    def __init__(self, *, training: bool = False, till_may_compute_weight_prices: bool = False):
        self._lines: list[ReceiptLine] = []
        self.training = training
        self.till_may_compute_weight_prices = till_may_compute_weight_prices

    @property
    def lines(self) -> tuple[ReceiptLine, ...]:
        return tuple(self._lines)

    @property
    def total(self) -> Cents:
        return sum(line.total for line in self._lines)

    def is_empty(self) -> bool:
        return not self._lines

    def age_limit(self) -> int | None:
        """The highest age limit among the lines, for the till's prompt."""
        limits = [line.age_limit for line in self._lines if line.age_limit]
        return max(limits) if limits else None

    # --- adding -------------------------------------------------------------------------

    def add_article(
        self,
        article: Article,
        quantity: int = 1,
        *,
        deposit: Article | None = None,
        gtin: str | None = None,
    ) -> ReceiptLine:
        """Add pieces of an article (the multiplier is ``quantity``) and its deposit line."""
        if article.unit is Unit.KG:
            raise BasketError(f"{article.name} wird gewogen – bitte auf die Waage legen")
        if article.is_deposit:
            raise BasketError(f"{article.name} ist ein Pfandartikel – bitte als Pfand buchen")
        _check_quantity(quantity)
        self._check_deposit(article, deposit)
        line = self._append(
            ReceiptLine(
                kind=LineKind.SALE,
                text=article.name,
                quantity=quantity,
                unit=Unit.PIECE,
                unit_price=article.price,
                vat_rate=article.vat_rate,
                total=_limited(quantity * article.price),
                group=article.group,
                article_no=article.number,
                gtin=gtin,
                age_limit=article.age_limit,
            )
        )
        if article.deposit is not None and deposit is not None:
            self._add_deposit(deposit, quantity, article.vat_rate, len(self._lines) - 1)
        return line

    @staticmethod
    def _check_deposit(article: Article, deposit: Article | None) -> None:
        """A drink with a deposit is sold with it or not at all: never half a line."""
        if article.deposit is None:
            return
        if deposit is None:
            raise BasketError(f"Pfandartikel {article.deposit} zu {article.name} fehlt")
        if not deposit.is_deposit:
            raise BasketError(f"{deposit.name} ist kein Pfandartikel")

    def add_weighed(self, article: Article, weighed: WeighedPrice) -> ReceiptLine:
        if article.unit is not Unit.KG:
            raise BasketError(f"{article.name} wird nicht gewogen, sondern stückweise verkauft")
        if weighed.grams <= 0:
            raise BasketError("Gewicht 0 g – bitte Ware auf die Waage legen")
        if weighed.grams > MAX_GRAMS:
            raise BasketError("Gewicht zu hoch – bitte neu wiegen")
        till_computed = weighed.total is None
        if till_computed and not self.till_may_compute_weight_prices:
            raise BasketError(
                "Die Kasse darf den Preis nicht aus dem Gewicht berechnen "
                "(nur eine geeichte Preis-Waage)"
            )
        total = (
            line_amount(weighed.grams, Unit.KG, article.price)
            if weighed.total is None
            else weighed.total
        )
        return self._append(
            ReceiptLine(
                kind=LineKind.SALE,
                text=article.name,
                quantity=weighed.grams,
                unit=Unit.KG,
                unit_price=article.price,
                vat_rate=article.vat_rate,
                total=_limited(total),
                group=article.group,
                article_no=article.number,
                weighing=Weighing(weighed.source, till_computed),
                age_limit=article.age_limit,
            )
        )

    def add_priced(
        self, article: Article, cents: Cents, gtin: str, *, deposit: Article | None = None
    ) -> ReceiptLine:
        """An in-store label with the price printed into the barcode."""
        if cents <= 0:
            raise BasketError("Preis 0,00 € im Etikett – bitte neu auszeichnen")
        self._check_deposit(article, deposit)
        line = self._append(
            ReceiptLine(
                kind=LineKind.SALE,
                text=article.name,
                quantity=1,
                unit=Unit.PIECE,
                unit_price=_limited(cents),
                vat_rate=article.vat_rate,
                total=cents,
                group=article.group,
                article_no=article.number,
                gtin=gtin,
                age_limit=article.age_limit,
            )
        )
        if article.deposit is not None and deposit is not None:
            self._add_deposit(deposit, 1, article.vat_rate, len(self._lines) - 1)
        return line

    def add_department(
        self, department: Department, cents: Cents, quantity: int = 1
    ) -> ReceiptLine:
        if cents <= 0:
            raise BasketError("Bitte einen Preis über 0,00 € eingeben")
        _check_quantity(quantity)
        return self._append(
            ReceiptLine(
                kind=LineKind.SALE,
                text=department.name,
                quantity=quantity,
                unit=Unit.PIECE,
                unit_price=cents,
                vat_rate=department.vat_rate,
                total=_limited(quantity * cents),
                group=department.group,
                department=department.key,
            )
        )

    def add_crate_deposit(self, deposit: Article, count: int, drink_rate: VatRate) -> ReceiptLine:
        """A crate's deposit (Kastenpfand), at the VAT rate of the drinks in it."""
        _check_quantity(count)
        return self._add_deposit(deposit, count, drink_rate, None)

    def add_deposit_return(self, deposit: Article, count: int, drink_rate: VatRate) -> ReceiptLine:
        """Empties brought back (Leergut): a negative deposit line at the drink's rate."""
        _check_quantity(count)
        if not deposit.is_deposit:
            raise BasketError(f"{deposit.name} ist kein Pfandartikel")
        return self._append(
            ReceiptLine(
                kind=LineKind.DEPOSIT_RETURN,
                text=f"Leergut {deposit.name}",
                quantity=-count,
                unit=Unit.PIECE,
                unit_price=deposit.price,
                vat_rate=drink_rate,
                total=-count * deposit.price,
                group=deposit.group,
                article_no=deposit.number,
            )
        )

    def add_return(
        self, article: Article, quantity: int = 1, *, unit_price: Cents | None = None
    ) -> ReceiptLine:
        """Goods brought back: a negative line, by default at today's price."""
        price = article.price if unit_price is None else unit_price
        if article.unit is Unit.KG:
            if quantity <= 0 or quantity > MAX_GRAMS:
                raise BasketError("Bitte das Gewicht der zurückgegebenen Ware angeben")
            amount = line_amount(quantity, Unit.KG, price)
        else:
            _check_quantity(quantity)
            amount = quantity * price
        return self._append(
            ReceiptLine(
                kind=LineKind.RETURN,
                text=f"Rückgabe {article.name}",
                quantity=-quantity,
                unit=article.unit,
                unit_price=price,
                vat_rate=article.vat_rate,
                total=-_limited(amount),
                group=article.group,
                article_no=article.number,
            )
        )

    # --- changing -----------------------------------------------------------------------

    def void_line(self, index: int) -> None:
        """Take a line out before payment, together with the deposit that belongs to it."""
        self._check_index(index)
        belongs_to = self._lines[index].deposit_for
        if belongs_to is not None:
            raise BasketError(
                f"Das Pfand gehört zu Position {belongs_to + 1} – bitte diese Position stornieren"
            )
        doomed = {index} | {i for i, line in enumerate(self._lines) if line.deposit_for == index}
        kept = [(i, line) for i, line in enumerate(self._lines) if i not in doomed]
        renumber = {old: new for new, (old, _) in enumerate(kept)}
        self._lines = [
            replace(line, deposit_for=renumber[line.deposit_for])
            if line.deposit_for is not None
            else line
            for _, line in kept
        ]

    def override_price(self, index: int, unit_price: Cents, reason: str) -> ReceiptLine:
        self._check_index(index)
        line = self._lines[index]
        if not reason.strip():
            raise BasketError("Preisänderung nur mit Begründung")
        if unit_price < 0:
            raise BasketError("Der Preis darf nicht negativ sein")
        if line.kind is not LineKind.SALE or (
            line.weighing is not None and not line.weighing.till_computed
        ):
            raise BasketError("Dieser Preis kann nicht geändert werden")
        original = line.override.original_price if line.override else line.unit_price
        amount = _limited(line_amount(line.quantity, line.unit, unit_price))
        if line.discount > amount:
            raise BasketError(
                f"Der Rabatt von {format_eur(line.discount)} ist höher als der neue Betrag "
                f"{format_eur(amount)} – bitte zuerst den Rabatt zurücknehmen"
            )
        self._lines[index] = replace(
            line,
            unit_price=unit_price,
            total=amount - line.discount,
            override=PriceOverride(original, reason.strip()),
        )
        return self._lines[index]

    def discount_line(
        self, index: int, *, cents: Cents | None = None, percent: int | None = None
    ) -> ReceiptLine:
        """Take an amount or a whole percentage off one sale line."""
        self._check_index(index)
        line = self._lines[index]
        if line.kind is not LineKind.SALE:
            raise BasketError("Rabatt nur auf verkaufte Ware")
        amount = line_amount(line.quantity, line.unit, line.unit_price)
        if line.weighing is not None and not line.weighing.till_computed:
            amount = line.total + line.discount
        if (cents is None) == (percent is None):
            raise BasketError("Rabatt bitte als Betrag oder als Prozent angeben")
        if percent is not None:
            if not 0 < percent <= 100:
                raise BasketError("Rabatt in Prozent: 1 bis 100")
            cents = divide_half_up(amount * percent, 100)
        assert cents is not None
        if cents <= 0 or cents > amount:
            raise BasketError(f"Rabatt muss zwischen 0,01 € und {format_eur(amount)} liegen")
        self._lines[index] = replace(line, discount=cents, total=amount - cents)
        return self._lines[index]

    # --- closing ------------------------------------------------------------------------

    def receipt(
        self,
        payments: tuple[Payment, ...],
        *,
        staff: Staff | None = None,
        note: str = "",
        stop: str | None = None,
    ) -> Receipt:
        if not self._lines:
            raise BasketError("Der Bon ist leer")
        paid = sum(p.amount for p in payments)
        if paid != self.total:
            raise BasketError(
                f"Bezahlt {format_eur(paid)}, aber der Bon beträgt {format_eur(self.total)}"
            )
        return Receipt(
            bon_type=BonType.TRAINING if self.training else BonType.RECEIPT,
            lines=self.lines,
            payments=payments,
            staff=staff,
            note=note,
            stop=stop,
        )

    def aborted(self, *, staff: Staff | None = None, note: str = "") -> Receipt:
        """The receipt as abandoned before payment (AVBelegabbruch): lines kept, nothing paid."""
        return Receipt(BonType.ABORTED, self.lines, (), staff=staff, note=note)

    # --- inside -------------------------------------------------------------------------

    def _add_deposit(
        self, deposit: Article, count: int, rate: VatRate, belongs_to: int | None
    ) -> ReceiptLine:
        if not deposit.is_deposit:
            raise BasketError(f"{deposit.name} ist kein Pfandartikel")
        return self._append(
            ReceiptLine(
                kind=LineKind.DEPOSIT,
                text=deposit.name,
                quantity=count,
                unit=Unit.PIECE,
                unit_price=deposit.price,
                vat_rate=rate,
                total=count * deposit.price,
                group=deposit.group,
                article_no=deposit.number,
                deposit_for=belongs_to,
            )
        )

    def _append(self, line: ReceiptLine) -> ReceiptLine:
        self._lines.append(line)
        return line

    def _check_index(self, index: int) -> None:
        if not 0 <= index < len(self._lines):
            raise BasketError(f"Es gibt keine Position {index + 1}")


def _check_quantity(quantity: int) -> None:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise BasketError("Menge muss eine ganze Zahl sein")
    if not 1 <= quantity <= MAX_QUANTITY:
        raise BasketError(f"Menge {quantity} ist nicht möglich (1 bis {MAX_QUANTITY})")


def _limited(cents: Cents) -> Cents:
    if abs(cents) > MAX_LINE_CENTS:
        raise BasketError(f"Betrag {format_eur(cents)} ist zu hoch für eine Position")
    return cents
