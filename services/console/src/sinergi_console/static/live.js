// Live counts: fetch the event's numbers every few seconds and update them in place.
(function () {
  "use strict";
  var list = document.getElementById("live-counts");
  if (!list) { return; }
  function refresh() {
    fetch(list.dataset.source, { credentials: "same-origin", headers: { accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (counts) {
        if (!counts) { return; }
        Object.keys(counts).forEach(function (key) {
          var cell = list.querySelector('[data-count="' + key + '"]');
          if (cell && cell.textContent !== String(counts[key])) { cell.textContent = counts[key]; }
        });
      })
      .catch(function () {});
  }
  window.setInterval(refresh, 5000);
})();
