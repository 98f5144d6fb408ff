// Tours on the map. On a tour's form every stop (and the depot) is a marker that can be
// dragged: its row's coordinates follow. A click on the map puts the new stop's row there.
"use strict";
(function () {
  const box = document.getElementById("map");
  if (!box) return;
  const map = L.map(box).setView([51.16, 10.45], 6);
  const round = (x) => Math.round(x * 1e5) / 1e5;
  const points = [];
  function place(lat, lon, title, onMove) {
    const marker = L.marker([lat, lon], { draggable: !!onMove, title }).addTo(map);
    const span = document.createElement("span"); span.textContent = title; marker.bindTooltip(span);
    marker.getElement().dataset.place = title;
    if (onMove) marker.on("dragend", () => { const p = marker.getLatLng(); onMove(round(p.lat), round(p.lng)); });
    points.push([lat, lon]);
    return marker;
  }
  if (box.dataset.editable === "yes") {
    const groups = [document.querySelector("[data-depot]"), ...document.querySelectorAll("tr[data-row]")];
    const markers = new Map();
    function follow(group) {
      const lat = group.querySelector("[data-lat]"), lon = group.querySelector("[data-lon]");
      const title = (group.querySelector("input[name$='-name'], input[name='depot_name']") || {}).value || "?";
      if (!lat.value || !lon.value || isNaN(parseFloat(lat.value)) || isNaN(parseFloat(lon.value))) return;
      const marker = place(parseFloat(lat.value), parseFloat(lon.value), title,
        (a, b) => { lat.value = a; lon.value = b; });
      markers.set(group, marker);
    }
    groups.filter(Boolean).forEach(follow);
    map.on("click", (e) => {
      const row = document.querySelector("tr[data-new]");
      if (!row) return;
      row.querySelector("[data-lat]").value = round(e.latlng.lat);
      row.querySelector("[data-lon]").value = round(e.latlng.lng);
      if (markers.has(row)) markers.get(row).remove();
      follow(row);
      row.querySelector("input[name$='-name']").focus();
    });
  } else {
    for (const s of JSON.parse(box.dataset.stops || "[]")) place(s.lat, s.lon, `${s.name} (${s.tour})`, null);
  }
  if (points.length) map.fitBounds(points, { padding: [20, 20], maxZoom: 14 });
})();
