// A stop's arrival board: puts the state the hub sends in place, without reloading the page.
// Every text is worked out on the hub; this only shows it. Without a connection the board
// says so and tries again; a renewed link's board shows nothing.
"use strict";
(() => {
  const body = document.body;
  const eventsUrl = body.dataset.events;
  const standUrl = body.dataset.stand;
  const board = document.getElementById("board");
  const connection = document.getElementById("connection");
  const FIELDS = ["stop", "day", "headline", "text", "basis", "planned", "next_visit", "as_of"];
  let source = null;

  function show(state) {
    board.dataset.state = state.state;
    for (const field of FIELDS) {
      const element = board.querySelector(`[data-field="${field}"]`);
      if (element && element.textContent !== (state[field] || "")) element.textContent = state[field] || "";
    }
    document.getElementById("headline").className = `headline ${state.big}`;
    const items = (state.next || []).map((visit) => {
      const item = document.createElement("li");
      if (visit.cancelled) item.className = "cancelled";
      const when = document.createElement("span");
      when.className = "when";
      when.textContent = visit.day;
      const what = document.createElement("span");
      what.className = "what";
      what.textContent = visit.text;
      item.append(when, " ", what);
      return item;
    });
    if (!items.length) {
      const none = document.createElement("li");
      none.className = "none";
      none.textContent = "Zurzeit sind keine Besuche geplant.";
      items.push(none);
    }
    document.getElementById("next").replaceChildren(...items);
    document.title = `Verkaufswagen – ${state.stop}`;
    connection.textContent = "";
  }

  function gone() {
    if (source) source.close();
    const note = document.createElement("p");
    note.textContent = "Diese Anzeige gibt es nicht (mehr). Bitte fragen Sie beim Betreiber des Verkaufswagens nach dem neuen Link.";
    body.replaceChildren(note);
    document.title = "Anzeige nicht gefunden";
  }

  async function lookAgain() {
    try {
      const answer = await fetch(standUrl, { cache: "no-store" });
      if (answer.status === 404) {
        gone();
        return;
      }
      if (answer.ok) show(await answer.json());
    } catch (error) {
      // still no connection: try again below
    }
    window.setTimeout(connect, 5000);
  }

  function connect() {
    source = new EventSource(eventsUrl);
    source.addEventListener("board", (event) => show(JSON.parse(event.data)));
    source.addEventListener("gone", gone);
    source.addEventListener("error", () => {
      connection.textContent = "– Verbindung unterbrochen, die Anzeige versucht es weiter";
      if (source.readyState === EventSource.CLOSED) lookAgain();
    });
  }

  connect();
})();
