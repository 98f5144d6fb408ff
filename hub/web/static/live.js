// The operator's live page: one event stream (/events) keeps map, fleet, sales, turnover and
// alerts up to date without reloading. No build step: plain browser JavaScript and Leaflet.
"use strict";
(function () {
  const mapBox = document.getElementById("map");
  const settings = JSON.parse(mapBox.dataset.settings);
  const T = settings.texts;
  const euro = new Intl.NumberFormat(document.documentElement.lang === "en" ? "en-GB" : "de-DE",
    { style: "currency", currency: "EUR" });
  const money = (cents) => euro.format(cents / 100);
  // times as the hub's business day has them, whatever zone the office computer is set to
  const time = (iso) => iso ? new Date(iso).toLocaleTimeString(document.documentElement.lang,
    { hour: "2-digit", minute: "2-digit", timeZone: settings.timezone }) : "–";

  const map = L.map(mapBox, { zoomControl: true }).setView([51.16, 10.45], 6);
  if (settings.tiles) {
    L.tileLayer(settings.tiles, { maxZoom: 19, attribution: settings.attribution || "" }).addTo(map);
  } else {
    document.getElementById("no-tiles").hidden = false;
  }
  const trucks = new Map();   // truck id -> marker
  const stopMarks = new Map(); // "truck/stop" -> marker
  let fitted = false;
  let lastTrucks = [];

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "class") node.className = value; else node.setAttribute(key, value);
    }
    for (const child of children) node.append(child);
    return node;
  }

  // Leaflet puts a string into innerHTML: names go in as text nodes instead
  function text(value) { const span = document.createElement("span"); span.textContent = value; return span; }

  function truckIcon(name, online) {
    return L.divIcon({ className: "truck-icon" + (online ? "" : " offline"), html: text(name), iconSize: null, iconAnchor: [14, 10] });
  }

  function moveTruck(p) {
    const at = [p.lat, p.lon];
    let marker = trucks.get(p.truck);
    if (!marker) {
      marker = L.marker(at, { icon: truckIcon(p.truck, true), title: p.truck, zIndexOffset: 1000 }).addTo(map);
      marker.getElement().dataset.truck = p.truck;
      trucks.set(p.truck, marker);
    } else {
      marker.setLatLng(at);
    }
    marker.getElement().dataset.lat = p.lat.toFixed(5);
    marker.getElement().dataset.lon = p.lon.toFixed(5);
    marker.bindTooltip(text(`${p.truck} · ${p.speed_kmh} km/h · ${time(p.time)}`));
    if (!fitted) { map.setView(at, 13); fitted = true; }
  }

  function showStops(stops, rows) {
    const visited = new Set();
    for (const row of rows) for (const id of row.visited) visited.add(row.truck + "/" + id);
    for (const s of stops) {
      const key = s.truck + "/" + s.id;
      let marker = stopMarks.get(key);
      const cls = "stop-icon" + (visited.has(key) ? " visited" : "");
      if (!marker) {
        marker = L.marker([s.lat, s.lon], { icon: L.divIcon({ className: cls, iconSize: [18, 18] }), title: s.name })
          .bindTooltip(text(`${s.name} (${s.truck}) ${s.arrive}–${s.depart}`)).addTo(map);
        stopMarks.set(key, marker);
      } else {
        marker.setIcon(L.divIcon({ className: cls, iconSize: [18, 18] }));
      }
      marker.getElement().dataset.stop = key;
      marker.getElement().dataset.visited = visited.has(key) ? "yes" : "no";
    }
    if (!fitted && stops.length) { map.fitBounds(stops.map((s) => [s.lat, s.lon]), { padding: [20, 20] }); fitted = true; }
  }

  function showFleet(rows) {
    lastTrucks = rows;
    const body = document.querySelector("#fleet tbody");
    body.replaceChildren(...rows.map((r) => {
      const devices = Object.entries(r.devices).map(([name, d]) =>
        el("span", { class: d.ok ? "" : "device-bad", title: d.message }, name + (d.ok ? " ✓ " : " ✗ ")));
      const place = r.current_stop ? r.current_stop.name : T["fleet.on_the_road"];
      const next = r.next_stop ? ` → ${r.next_stop.name} ${r.next_stop.arrive}` : "";
      return el("tr", { "data-truck": r.truck },
        el("td", {}, r.truck),
        el("td", { class: r.online ? "state-online" : "state-offline" }, r.online ? T["fleet.online"] : T["fleet.offline"]),
        el("td", {}, r.last_contact_local),
        el("td", { class: "n" }, r.backlog === null ? "–" : String(r.backlog)),
        el("td", {}, ...devices),
        el("td", { class: r.clock_ok ? "" : "device-bad" }, r.clock || "–"),
        el("td", {}, place + next),
        el("td", { class: "n" }, money(r.turnover)));
    }));
    for (const r of rows) {
      if (r.position && !trucks.has(r.truck)) moveTruck({ truck: r.truck, ...r.position });
      const marker = trucks.get(r.truck);
      if (marker) marker.setIcon(truckIcon(r.truck, r.online));
      if (marker) { marker.getElement().dataset.truck = r.truck; }
    }
  }

  function saleItem(s) {
    const label = s.training ? ` (${T["sale.training"]})` : s.void ? ` (${T["sale.void"]})` : "";
    return el("li", { class: s.training ? "training" : s.void ? "void" : "", "data-truck": s.truck, "data-seq": String(s.seq) },
      el("span", {}, s.at), el("span", {}, s.truck), el("span", {}, (s.stop || T["stop.none"]) + label),
      el("span", {}, `${s.lines} ${T["sale.lines"]}`), el("span", { class: "total" }, money(s.total)));
  }

  function addSale(s) {
    const list = document.getElementById("sales");
    list.querySelector("li.none")?.remove();
    if (list.querySelector(`li[data-truck="${s.truck}"][data-seq="${s.seq}"]`)) return;
    list.prepend(saleItem(s));
    while (list.children.length > 50) list.lastChild.remove();
  }

  function showSales(sales) {
    const list = document.getElementById("sales");
    list.replaceChildren(...(sales.length ? sales.map(saleItem) : [el("li", { class: "none" }, T["live.no_sales"])]));
  }

  // a bar chart: one row per item ({label, amount, data}), bars relative to the largest
  function showBars(id, items) {
    const box = document.getElementById(id);
    const top = Math.max(1, ...items.map((i) => i.amount));
    box.replaceChildren(...items.map((i) => el("div", { class: "row", ...i.data },
      el("span", {}, i.label),
      el("span", {}, el("div", { class: "bar-fill" })),
      el("span", { class: "amount" }, money(i.amount)))));
    // widths through the CSSOM: inline style attributes are refused by the page's policy
    box.querySelectorAll(".bar-fill").forEach((bar, n) => { bar.style.width = `${(100 * items[n].amount) / top}%`; });
  }

  function showTurnover(rows) {
    showBars("turnover", rows.map((r) => ({
      label: `${r.truck} · ${r.stop || T["stop.none"]}`, amount: r.turnover, data: { "data-stop": r.stop || "" },
    })));
  }

  function showTruckTurnover(rows) {
    showBars("turnover-trucks", rows.map((r) => ({
      label: r.truck, amount: r.turnover, data: { "data-truck": r.truck },
    })));
  }

  function showAlerts(alerts) {
    const list = document.getElementById("alerts");
    list.replaceChildren(...(alerts.length
      ? alerts.map((a) => el("li", { class: a.severity, "data-kind": a.kind, "data-key": a.key }, a.text))
      : [el("li", { class: "none" }, T["live.no_alerts"])]));
  }

  function snapshot(state) {
    showFleet(state.trucks);
    showTruckTurnover(state.trucks);
    showStops(state.stops, state.trucks);
    showSales(state.sales);
    showTurnover(state.turnover);
    showAlerts(state.alerts);
    document.body.dataset.live = "ready";
  }

  const source = new EventSource("/events");
  const banner = document.getElementById("connection");
  source.addEventListener("open", () => { banner.hidden = true; });
  source.addEventListener("error", () => { banner.hidden = false; });
  source.addEventListener("snapshot", (e) => snapshot(JSON.parse(e.data)));
  source.addEventListener("position", (e) => moveTruck(JSON.parse(e.data)));
  source.addEventListener("sale", (e) => addSale(JSON.parse(e.data)));
  source.addEventListener("trucks", (e) => {
    const rows = JSON.parse(e.data);
    showFleet(rows);
    showTruckTurnover(rows);
    refreshStops(rows);
  });
  source.addEventListener("turnover", (e) => showTurnover(JSON.parse(e.data)));
  source.addEventListener("alerts", (e) => showAlerts(JSON.parse(e.data)));

  function refreshStops(rows) {
    const visited = new Set();
    for (const row of rows) for (const id of row.visited) visited.add(row.truck + "/" + id);
    for (const [key, marker] of stopMarks) {
      const cls = "stop-icon" + (visited.has(key) ? " visited" : "");
      marker.setIcon(L.divIcon({ className: cls, iconSize: [18, 18] }));
      marker.getElement().dataset.stop = key;
      marker.getElement().dataset.visited = visited.has(key) ? "yes" : "no";
    }
  }
})();
