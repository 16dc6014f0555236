// The coordination centre's board refreshes itself: it asks the board's JSON every few seconds and redraws the
// totals, the states' lines and the differences (text only, never markup from the answer). Nothing else runs here.
(function () {
  var board = document.getElementById("board");
  if (!board) return;
  var url = board.dataset.url, seconds = Math.max(2, parseInt(board.dataset.seconds, 10) || 5);
  var figures = ["arrests", "searches", "devices_seized", "victims_safeguarded", "officers"];
  function cell(row, text) { var td = document.createElement("td"); td.textContent = text; row.appendChild(td); }
  function draw(b) {
    board.querySelector('[data-total="targets"]').textContent = b.targets;
    board.querySelector('[data-total="states"]').textContent = b.totals.states;
    figures.forEach(function (f) { board.querySelector('[data-total="' + f + '"]').textContent = b.totals[f]; });
    var ok = board.querySelector('[data-total="balanced"]');
    ok.textContent = b.balanced ? "yes" : "no";
    ok.className = b.balanced ? "balanced" : "conflict";
    var lines = document.getElementById("lines");
    lines.textContent = "";
    b.lines.forEach(function (ln) {
      var tr = document.createElement("tr");
      tr.dataset.country = ln.country;
      if (ln.differences.length) tr.className = "differs";
      [ln.country, ln.hhour || "-", ln.targets, ln.officers_planned, ln.searches_planned].forEach(function (v) { cell(tr, v); });
      figures.forEach(function (f) { cell(tr, ln.result ? ln.result[f] : "—"); });
      cell(tr, (ln.version || "-") + (ln.late ? " late" : ""));
      lines.appendChild(tr);
    });
    var list = document.getElementById("differences");
    list.textContent = "";
    b.differences.forEach(function (d) { var li = document.createElement("li"); li.textContent = d; list.appendChild(li); });
    document.getElementById("elsewhere").textContent =
      b.differences_elsewhere ? b.differences_elsewhere + " more in other states' lines." : "";
    document.getElementById("day-state").textContent = b.day_state;
    document.getElementById("refreshed").textContent = "as of " + new Date().toLocaleTimeString();
  }
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(draw)
      .catch(function () { document.getElementById("refreshed").textContent = "not refreshed (the server did not answer)"; })
      .finally(function () { setTimeout(poll, seconds * 1000); });
  }
  setTimeout(poll, seconds * 1000);
})();
