// The weekly timesheet's totals, kept current while typing (the server computes them on every
// render; without this script the page works the same, totals refresh on save).
(function () {
  "use strict";
  function hours(text) {
    text = (text || "").trim();
    if (!/^(\d{1,2}(\.\d{0,2})?|\.\d{1,2})$/.test(text)) return 0;
    var value = parseFloat(text);
    return value > 0 && value <= 24 ? value : 0;
  }
  function cellHours(cell) {
    var input = cell.querySelector("input.ts-hours");
    if (input) return hours(input.value);
    var figure = cell.querySelector(".ts-figure");
    return figure ? hours(figure.getAttribute("data-hours")) : 0;
  }
  function refresh(table) {
    var days = [0, 0, 0, 0, 0, 0, 0];
    table.querySelectorAll("tbody tr.ts-row").forEach(function (row) {
      var total = 0;
      row.querySelectorAll("td.ts-cell").forEach(function (cell, day) {
        var value = cellHours(cell);
        days[day] += value;
        total += value;
      });
      var out = row.querySelector(".ts-row-total");
      if (out) out.textContent = total.toFixed(2);
    });
    var grand = 0;
    days.forEach(function (value, day) {
      var out = document.getElementById("ts-day-" + day + "-total");
      if (out) out.textContent = value.toFixed(2);
      grand += value;
    });
    var out = document.getElementById("ts-grand-total");
    if (out) out.textContent = grand.toFixed(2);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var table = document.getElementById("timesheet");
    if (!table) return;
    table.addEventListener("input", function (event) {
      if (event.target.classList.contains("ts-hours")) refresh(table);
    });
  });
})();
