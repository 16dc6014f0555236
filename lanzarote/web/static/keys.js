// Keyboard work on the queue: j/k move, Enter opens, a takes the selected report. Nothing else runs here.
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll("#queue tbody tr[data-href]"));
  if (!rows.length) return;
  var at = 0;
  function select(i) {
    rows[at].classList.remove("selected");
    at = Math.max(0, Math.min(rows.length - 1, i));
    rows[at].classList.add("selected");
    rows[at].scrollIntoView({block: "nearest"});
  }
  select(0);
  document.addEventListener("keydown", function (e) {
    if (e.target.closest("input, select, textarea") || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "j") select(at + 1);
    else if (e.key === "k") select(at - 1);
    else if (e.key === "Enter") window.location = rows[at].dataset.href;
    else if (e.key === "a") { var f = rows[at].querySelector("form.assign-me"); if (f) f.submit(); }
    else return;
    e.preventDefault();
  });
})();
