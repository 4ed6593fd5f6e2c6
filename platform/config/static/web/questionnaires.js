/* Questionnaire pages: the template editor (fields by kind, HTMX errors swapped in), the
   respondent preview (conditions) and the regional result charts (Chart.js). No framework. */
(function () {
  "use strict";

  // A 400 from the editor carries the form with its errors: swap it in like a 200.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Show the fields a kind of question uses (all stay in the form without JavaScript).
  function syncKinds(form) {
    var select = form.querySelector("select[name$='kind']");
    if (!select) return;
    form.querySelectorAll("[data-kinds]").forEach(function (group) {
      var kinds = group.getAttribute("data-kinds").split(" ");
      var hasError = group.querySelector(".is-invalid");
      group.hidden = kinds.indexOf(select.value) === -1 && !hasError;
    });
  }
  function syncAllKinds(root) {
    (root || document).querySelectorAll("[data-question-form]").forEach(syncKinds);
  }
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("[data-question-form]");
    if (form && event.target.name && /kind$/.test(event.target.name)) syncKinds(form);
  });
  document.addEventListener("htmx:afterSettle", function () {
    syncAllKinds(document);
  });

  // Preview: a question with a condition is shown only when the earlier answer matches.
  function answerOf(form, code) {
    var checked = form.querySelector("input[name='" + code + "']:checked");
    return checked ? checked.value : "";
  }
  function syncConditions(form) {
    var hidden = {};
    form.querySelectorAll("fieldset[data-code]").forEach(function (set) {
      var source = set.getAttribute("data-condition-question");
      var show = true;
      if (source) {
        show = !hidden[source] && answerOf(form, source) === set.getAttribute("data-condition-value");
      }
      set.hidden = !show;
      hidden[set.getAttribute("data-code")] = !show;
    });
  }

  // Result charts: one bar chart per question, its data in a JSON script element.
  function drawCharts() {
    if (typeof window.Chart === "undefined") return;
    document.querySelectorAll("canvas[data-result-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.getAttribute("data-result-chart"));
      if (!source || canvas.dataset.drawn) return;
      var data = JSON.parse(source.textContent);
      canvas.dataset.drawn = "1";
      new window.Chart(canvas, {
        type: "bar",
        data: {
          labels: data.labels,
          datasets: [{
            label: canvas.getAttribute("data-label") || "",
            data: data.values,
            backgroundColor: data.hidden.map(function (h, i) {
              return data.values[i] === null ? "#adb5bd" : "#0d6efd";
            })
          }]
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { display: false } },
          scales: { y: { beginAtZero: true } }
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    syncAllKinds(document);
    document.querySelectorAll("form[data-preview]").forEach(function (form) {
      syncConditions(form);
      form.addEventListener("change", function () { syncConditions(form); });
    });
    drawCharts();
  });
})();
