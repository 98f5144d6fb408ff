// A stop's arrival board: puts the state the hub sends in place, without reloading the page.
// Every text is worked out on the hub; this only shows it. Without a connection the board
// says so in its yellow box, greys the time and tries again; a renewed link's board shows
// nothing. The hub sends a ping when quiet, so a connection that silently broke (a lobby's
// WiFi) is noticed by a watchdog: no word for data-quiet-ms, and the board connects anew.
"use strict";
(() => {
  const body = document.body;
  const eventsUrl = body.dataset.events;
  const standUrl = body.dataset.stand;
  const board = document.getElementById("board");
  const connection = document.getElementById("connection");
  const FIELDS = ["stop", "day", "headline", "text", "basis", "planned", "next_visit", "as_of"];
  const CUT = "Verbindung zur Zentrale unterbrochen – die Anzeige versucht es weiter";
  const quietMs = Number(body.dataset.quietMs) || 45000;
  let source = null;
  let watchdog = 0;

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
    board.classList.remove("offline");
  }

  function cut() {
    connection.textContent = "– Verbindung unterbrochen, die Anzeige versucht es weiter";
    board.querySelector('[data-field="basis"]').textContent = CUT;
    board.classList.add("offline");
  }

  function awake() {
    window.clearTimeout(watchdog);
    watchdog = window.setTimeout(() => {
      if (source) source.close();
      cut();
      connect();
    }, quietMs);
  }

  function gone() {
    window.clearTimeout(watchdog);
    if (source) source.close();
    const note = document.createElement("p");
    note.textContent = "Diese Anzeige gibt es nicht (mehr). Bitte fragen Sie beim Betreiber des Verkaufswagens nach dem neuen Link.";
    body.replaceChildren(note);
    document.title = "Anzeige nicht gefunden";
  }

  async function lookAgain() {
    try {
      const answer = await fetch(standUrl, { cache: "no-store", signal: AbortSignal.timeout(10000) });
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
    const current = new EventSource(eventsUrl);
    source = current;
    awake();
    current.addEventListener("board", (event) => {
      awake();
      show(JSON.parse(event.data));
    });
    current.addEventListener("ping", awake);
    current.addEventListener("gone", gone);
    current.addEventListener("error", () => {
      cut();
      if (current.readyState === EventSource.CLOSED) {
        window.clearTimeout(watchdog);
        lookAgain();
      }
    });
  }

  connect();
})();
