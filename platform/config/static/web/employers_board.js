/* The supply and demand board: a bar chart of the municipality table, and a switch between the
   chart and the table (the table stays in the page, so nothing is lost without scripts). */
(function () {
  "use strict";
  var source = document.getElementById("board-data");
  var canvas = document.getElementById("board-chart");
  var chartView = document.getElementById("board-chart-view");
  var tableView = document.getElementById("board-table-view");
  var buttons = document.querySelectorAll("[data-board-view]");
  if (!source || !canvas || typeof Chart === "undefined") {
    buttons.forEach(function (b) { b.hidden = true; });
    return;
  }
  var data = JSON.parse(source.textContent);
  var colours = ["#198754", "#6c757d", "#fd7e14"];
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: data.series.map(function (s, i) {
        return { label: s.label, data: s.data, backgroundColor: colours[i % colours.length] };
      })
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { title: { display: true, text: data.title } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
    }
  });
  function show(view) {
    chartView.hidden = view !== "chart";
    tableView.hidden = view !== "table";
    buttons.forEach(function (b) {
      var on = b.getAttribute("data-board-view") === view;
      b.classList.toggle("active", on);
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }
  buttons.forEach(function (b) {
    b.addEventListener("click", function () { show(b.getAttribute("data-board-view")); });
  });
  show("chart");
})();
