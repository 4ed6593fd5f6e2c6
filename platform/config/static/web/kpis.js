/* The KPI dashboard's charts (Chart.js, served locally). Each chart's data is a JSON script
   element next to its canvas; the table view beside it holds the same numbers and is what
   shows without JavaScript. Once a chart is drawn, its table folds into a "Table view"
   toggle (a <details> element: keyboard and screen-reader friendly). */
(function () {
  "use strict";

  var COLOURS = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#dc3545"];
  var TARGET = "#6c757d";

  function dataset(spec, index, type) {
    var isTarget = spec.target === true;
    var colour = isTarget ? TARGET : COLOURS[index % COLOURS.length];
    var result = {
      label: spec.label,
      data: spec.data,
      backgroundColor: colour,
      borderColor: colour,
      spanGaps: false,
    };
    if (spec.type) {
      result.type = spec.type;
    }
    if (isTarget && (spec.type === "line" || type === "line")) {
      result.borderDash = [6, 4];
      result.pointRadius = 0;
      result.fill = false;
    }
    return result;
  }

  // Long labels (indicator names) wrap into lines of about 45 characters (22 on a phone).
  function wrap(label, width) {
    var words = String(label).split(" ");
    var lines = [];
    var line = "";
    words.forEach(function (word) {
      if (line && (line + " " + word).length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line ? line + " " + word : word;
      }
    });
    if (line) {
      lines.push(line);
    }
    return lines.length > 1 ? lines : label;
  }

  function valueTicks(unit) {
    return {
      callback: function (value) { return value + (unit ? " " + unit : ""); },
    };
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-kpi-chart"));
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var unit = spec.unit || "";
    var datasets = spec.datasets.map(function (d, i) {
      return dataset(d, i, spec.type);
    });
    var wrapper = canvas.parentElement;
    wrapper.hidden = false;
    var horizontal = spec.horizontal === true;
    var scales = {};
    scales[horizontal ? "x" : "y"] = { beginAtZero: true, ticks: valueTicks(unit) };
    var narrow = wrapper.clientWidth < 576;
    var width = narrow ? 22 : 45;
    if (horizontal) {
      wrapper.style.height = Math.max(20, spec.labels.length * (narrow ? 7 : 4.5)) + "rem";
    }
    // eslint-disable-next-line no-new
    new window.Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels.map(function (label) { return wrap(label, width); }),
        datasets: datasets,
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: scales,
        plugins: {
          tooltip: {
            callbacks: {
              label: function (context) {
                var value = horizontal ? context.parsed.x : context.parsed.y;
                return context.dataset.label + ": " +
                  (value === null ? "—" : value + (unit ? " " + unit : ""));
              },
            },
          },
        },
      },
    });
    canvas.setAttribute("data-drawn", "true");
    var section = canvas.closest(".kpi-section");
    var table = section && section.querySelector("[data-kpi-table]");
    if (table) {
      table.open = false;
    }
  }

  function init() {
    var canvases = document.querySelectorAll("canvas[data-kpi-chart]");
    Array.prototype.forEach.call(canvases, draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
