"""Small modal dialogs of the till: a question, a few fields, a list to choose from.

Every dialog's input fields are Input: a scan during a dialog is not typed into the
field but handed to the app, which rings it up when the dialog is closed.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from truck.pos.texts import localize_bindings, t
from truck.pos.widgets.entry_line import EntryLine


class Question(ModalScreen[bool]):
    """Yes or no: J/Y for yes, N or Escape for no. Enter answers nothing."""

    # no button takes the focus: a focused "Ja" would take Enter as a yes (None would mean
    # the app's default, which focuses the first button)
    AUTO_FOCUS = ""
    BINDINGS = [
        # Enter does not answer: a reflex Enter must not sell spirits or abort a receipt
        Binding("j,y", "answer(True)", "key.yes"),
        Binding("n,escape", "answer(False)", "key.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        localize_bindings(self)
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="question")
            with Horizontal(classes="buttons"):
                yield Button(f"{t('key.yes')} (J)", id="yes", variant="success")
                yield Button(f"{t('key.no')} (N)", id="no", variant="error")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class WeighAgain(ModalScreen[bool]):
    """The scale weighed nothing: what it said, and weigh again (Enter) or give up (Escape).

    Enter is safe here: a scanner's Enter never reaches a dialog (the app swallows it), and
    weighing again enters nothing the scale has not weighed.
    """

    AUTO_FOCUS = None  # Enter belongs to the dialog, not to a focused button
    BINDINGS = [
        Binding("enter", "answer(True)", "weigh.again"),
        Binding("escape", "answer(False)", "key.back"),
    ]

    def __init__(self, message: str) -> None:
        super().__init__()
        localize_bindings(self)
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.message, classes="title")
            yield Static(t("weigh.hint"))
            with Horizontal(classes="buttons"):
                yield Button(f"{t('weigh.again')} (Enter)", id="again", variant="success")
                yield Button(f"{t('key.back')} (Esc)", id="back", variant="error")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "again")

    def action_answer(self, again: bool) -> None:
        self.dismiss(again)


class Fields(ModalScreen[list[str] | None]):
    """A few text fields; Enter moves on and, in the last field, confirms. Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "key.back")]

    def __init__(self, title: str, labels: Sequence[str], values: Sequence[str] = ()) -> None:
        super().__init__()
        localize_bindings(self)
        self.title_text = title
        self.labels = list(labels)
        self.values = list(values) + [""] * (len(labels) - len(values))

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="title")
            for index, (label, value) in enumerate(zip(self.labels, self.values, strict=True)):
                yield Label(label)
                yield EntryLine(value, id=f"field-{index}", compact=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        index = int((event.input.id or "field-0").split("-")[1])
        if index + 1 < len(self.labels):
            self.query_one(f"#field-{index + 1}", EntryLine).focus()
            return
        self.dismiss([field.value for field in self.query(EntryLine)])

    def action_cancel(self) -> None:
        self.dismiss(None)


class Choose(ModalScreen[int | None]):
    """Pick one of a list; Enter picks, Escape goes back."""

    BINDINGS = [Binding("escape", "cancel", "key.back")]

    def __init__(self, title: str, choices: Sequence[str]) -> None:
        super().__init__()
        localize_bindings(self)
        self.title_text = title
        self.choices = list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="title")
            yield OptionList(*[Option(text, id=str(i)) for i, text in enumerate(self.choices)])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))

    def action_cancel(self) -> None:
        self.dismiss(None)


class Text(ModalScreen[None]):
    """A text to read (a report, a receipt preview); any of Escape/Enter closes it."""

    BINDINGS = [Binding("escape,enter", "close", "key.back")]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        localize_bindings(self)
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(self.title_text, classes="title")
            with Vertical(classes="scroll"):
                yield Static(self.text, classes="receipt")

    def action_close(self) -> None:
        self.dismiss(None)
