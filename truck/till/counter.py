"""The sale in progress at the counter: input line → article → basket → payment → journal.

What the sales staff type or scan is read here, checked, and only then put in the basket.
Bad input (an unknown code, a wrong check digit, a weight of zero, too little cash) raises
a CounterError with a message for the staff and writes nothing. The TSE transaction starts
when the first line is accepted, as the KassenSichV asks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlite_utils import Database

from tourkasse.article import Article, Unit
from tourkasse.money import Cents
from tourkasse.receipt import ReceiptLine, Staff
from truck.core.barcode import (
    DEFAULT_INSTORE_PREFIXES,
    ArticleCode,
    BarcodeError,
    InStorePrefix,
    PluCode,
    PricedCode,
    WeighedCode,
    parse_scan,
)
from truck.core.basket import Basket, BasketError, WeighedPrice
from truck.core.payment import PaymentError, settle
from truck.store import articles
from truck.till.signing import OpenTransaction
from truck.till.till import SignedReceipt, Till


class CounterError(ValueError):
    """Input the counter refuses; str() is German for the sales staff. Nothing was written."""


class Counter:
    def __init__(
        self,
        till: Till,
        db: Database,
        *,
        staff: Staff | None = None,
        training: bool = False,
        instore: Sequence[InStorePrefix] = DEFAULT_INSTORE_PREFIXES,
        till_may_compute_weight_prices: bool = False,
        stop: str | None = None,
        start_tse_on_first_line: bool = True,
    ) -> None:
        self.till = till
        self.db = db
        self.staff = staff
        self.training = training
        self.instore = tuple(instore) or DEFAULT_INSTORE_PREFIXES
        self.till_may_compute = till_may_compute_weight_prices
        self.stop = stop
        # At the counter the TSE transaction starts with the first line; a command that is
        # handed the whole sale at once starts it at payment, so bad input writes nothing.
        self.start_tse_on_first_line = start_tse_on_first_line
        self.basket = self._new_basket()
        self.opened: OpenTransaction | None = None

    # --- input --------------------------------------------------------------------------

    def enter(self, text: str, quantity: int = 1) -> ReceiptLine:
        """A scan or a typed PLU, ``quantity`` times (the multiplier)."""
        try:
            scan = parse_scan(text, self.instore)
        except BarcodeError as exc:
            if any(
                d.key.casefold() == text.strip().casefold() for d in articles.departments(self.db)
            ):
                raise CounterError(
                    f"Warengruppentaste {text.strip()} braucht einen Preis, z. B. {text.strip()}=2,50"
                ) from exc
            raise CounterError(str(exc)) from exc
        if isinstance(scan, ArticleCode):
            article = articles.by_gtin(self.db, scan.gtin)
            if article is None:
                raise CounterError(f"Artikel mit EAN {scan.gtin} ist nicht in der Artikelliste")
            return self._add(
                lambda b: b.add_article(
                    article, quantity, deposit=self._deposit(article), gtin=scan.gtin
                )
            )
        if isinstance(scan, PluCode):
            article = self._by_number(scan.plu)
            if article.is_deposit:
                # a deposit on its own, e.g. the crate the bottles go home in (Kastenpfand)
                return self._add(lambda b: b.add_crate_deposit(article, quantity, article.vat_rate))
            return self._add(
                lambda b: b.add_article(article, quantity, deposit=self._deposit(article))
            )
        if quantity != 1:
            raise CounterError("Etiketten mit Preis oder Gewicht bitte einzeln scannen, ohne Menge")
        if isinstance(scan, PricedCode):
            article = self._by_number(scan.plu)
            deposit = self._deposit(article)
            return self._add(
                lambda b: b.add_priced(article, scan.cents, scan.gtin, deposit=deposit)
            )
        assert isinstance(scan, WeighedCode)
        article = self._by_number(scan.plu)
        return self._add(
            lambda b: b.add_weighed(article, WeighedPrice(scan.grams, None, "barcode"))
        )

    def take_back(self, text: str, quantity: int = 1) -> ReceiptLine:
        """Empties (a deposit article: Leergut) or goods brought back (a product return)."""
        try:
            scan = parse_scan(text, self.instore)
        except BarcodeError as exc:
            raise CounterError(str(exc)) from exc
        if isinstance(scan, ArticleCode):
            article = articles.by_gtin(self.db, scan.gtin)
            if article is None:
                raise CounterError(f"Artikel mit EAN {scan.gtin} ist nicht in der Artikelliste")
        elif isinstance(scan, PluCode):
            article = self._by_number(scan.plu)
        else:
            raise CounterError(
                "Rückgabe bitte mit Artikelnummer oder EAN, nicht mit Waagen-Etikett"
            )
        if article.is_deposit:
            # A deposit article has the rate of the drinks it goes with (the article list
            # checks that they agree), so empties are taken back at the drinks' rate.
            return self._add(lambda b: b.add_deposit_return(article, quantity, article.vat_rate))
        if article.unit is Unit.KG:
            raise CounterError(
                f"{article.name} wird gewogen: bitte auf die Waage legen und verkaufen, nicht zurücknehmen"
            )
        deposit = self._deposit(article)

        def goods_and_deposit(basket: Basket) -> ReceiptLine:
            line = basket.add_return(article, quantity)
            if deposit is not None:
                basket.add_deposit_return(deposit, quantity, article.vat_rate)
            return line

        return self._add(goods_and_deposit)

    def weighed(self, number: str, weighed: WeighedPrice) -> ReceiptLine:
        """A loose article weighed on the scale (or a weight typed in, where allowed)."""
        article = self._by_number(number)
        return self._add(lambda b: b.add_weighed(article, weighed))

    def department(self, key: str, cents: Cents, quantity: int = 1) -> ReceiptLine:
        found = [d for d in articles.departments(self.db) if d.key.casefold() == key.casefold()]
        if not found:
            raise CounterError(f"Warengruppentaste {key} gibt es nicht")
        return self._add(lambda b: b.add_department(found[0], cents, quantity))

    # --- paying -------------------------------------------------------------------------

    def pay(self, *, cash_tendered: Cents | None = None, card: Cents = 0) -> SignedReceipt:
        if self.basket.is_empty():
            raise CounterError("Der Bon ist leer – bitte zuerst Ware erfassen")
        try:
            payments = settle(self.basket.total, cash_tendered=cash_tendered, card=card)
            receipt = self.basket.receipt(payments, staff=self.staff, stop=self.stop)
        except (PaymentError, BasketError) as exc:
            raise CounterError(str(exc)) from exc
        opened = self.opened or self.till.open_receipt()
        done = self.till.complete(opened, receipt)
        self._reset()
        return done

    def abort(self) -> SignedReceipt | None:
        """The customer leaves without paying: journal what was rung up as an aborted receipt."""
        if self.opened is None:
            self._reset()
            return None
        done = self.till.abort(self.opened, self.basket.aborted(staff=self.staff))
        self._reset()
        return done

    # --- inside -------------------------------------------------------------------------

    def _add(self, adding: Callable[[Basket], ReceiptLine]) -> ReceiptLine:
        before = len(self.basket.lines)
        try:
            line = adding(self.basket)
        except BasketError as exc:
            raise CounterError(str(exc)) from exc
        if self.opened is None and self.start_tse_on_first_line:
            try:
                self.opened = self.till.open_receipt()
            except BaseException:
                # Could not start the receipt (e.g. the clock is behind): take the line out again.
                while len(self.basket.lines) > before:
                    self.basket.void_line(len(self.basket.lines) - 1)
                raise
        return line

    def _by_number(self, number: str) -> Article:
        article = articles.by_number(self.db, number)
        if article is None:
            raise CounterError(f"PLU {number} ist nicht in der Artikelliste")
        return article

    def _deposit(self, article: Article) -> Article | None:
        if article.deposit is None or article.unit is Unit.KG:
            return None
        return articles.by_number(self.db, article.deposit)

    def _new_basket(self) -> Basket:
        return Basket(training=self.training, till_may_compute_weight_prices=self.till_may_compute)

    def _reset(self) -> None:
        self.basket = self._new_basket()
        self.opened = None
