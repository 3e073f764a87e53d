/* The dashboard's charts and sortable table.
 *
 * The figures come from the page itself: a <script type="application/json"
 * id="dashboard-data"> block written by Django's json_script, so no inline
 * script is needed (the page can run under a strict Content-Security-Policy).
 * Chart.js is served from static/vendor/chartjs.
 */
(function () {
  "use strict";

  var VERDICT_COLORS = {
    exceeded: "#1b5e20",
    met: "#43a047",
    not_met: "#c62828",
    no_data: "#9e9e9e",
    not_assessed: "#bdbdbd"
  };
  var GRADE_COLORS = ["#1565c0", "#43a047", "#f9a825", "#c62828"];
  var KIND_COLORS = ["#b71c1c", "#1565c0", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f", "#5d4037"];
  var numberFormat = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 1 });

  function percent(value) {
    return value === null || value === undefined ? "–" : numberFormat.format(value) + "%";
  }

  var charts = {};
  window.dashboardCharts = charts; // for the browser tests and the console

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas || typeof window.Chart === "undefined") {
      return null;
    }
    config.options = Object.assign(
      { animation: false, responsive: true, maintainAspectRatio: false },
      config.options || {}
    );
    charts[id] = new window.Chart(canvas, config);
    return charts[id];
  }

  function attainmentChart(data) {
    var box = document.querySelector('[data-chart-box="attainment"]');
    if (!box || !data.labels.length) {
      return;
    }
    // One bar per target: the box grows with the number of targets.
    box.style.height = Math.max(200, 24 * data.labels.length + 60) + "px";
    draw("chart-attainment", {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{
          label: "Tỷ lệ đạt",
          data: data.values,
          backgroundColor: data.verdicts.map(function (v) { return VERDICT_COLORS[v] || "#9e9e9e"; })
        }]
      },
      options: {
        indexAxis: "y",
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: function (ctx) { return data.texts[ctx.dataIndex] || "–"; } } }
        },
        scales: {
          x: { beginAtZero: true, suggestedMax: 120, ticks: { callback: function (v) { return percent(v); } } },
          y: { ticks: { autoSkip: false, callback: function (v) { var l = data.labels[v]; return l.length > 40 ? l.slice(0, 38) + "…" : l; } } }
        }
      }
    });
  }

  function trendChart(data) {
    if (!data.series.length) {
      return;
    }
    function seriesOf(id) {
      for (var i = 0; i < data.series.length; i++) {
        if (String(data.series[i].id) === String(id)) {
          return data.series[i];
        }
      }
      return data.series[0];
    }
    var first = seriesOf(data.selected);
    var chart = draw("chart-trend", {
      type: "line",
      data: {
        labels: data.quarters,
        datasets: [
          { label: "Năm " + data.years[0], data: first.this, borderColor: "#b71c1c", backgroundColor: "#b71c1c", spanGaps: false },
          { label: "Năm " + data.years[1], data: first.last, borderColor: "#757575", backgroundColor: "#757575", borderDash: [6, 4] }
        ]
      },
      options: {
        plugins: { tooltip: { callbacks: { label: function (ctx) { return ctx.dataset.label + ": " + percent(ctx.parsed.y); } } } },
        scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return percent(v); } } } }
      }
    });
    var select = document.getElementById("trend-target");
    if (!chart || !select) {
      return;
    }
    select.addEventListener("change", function () {
      var series = seriesOf(select.value);
      chart.data.datasets[0].data = series.this;
      chart.data.datasets[1].data = series.last;
      chart.update();
      document.querySelectorAll("table[data-trend-id]").forEach(function (table) {
        table.classList.toggle("d-none", table.getAttribute("data-trend-id") !== String(series.id));
      });
    });
  }

  function doughnut(id, labels, names, values) {
    draw(id, {
      type: "doughnut",
      data: { labels: labels, datasets: [{ data: values, backgroundColor: GRADE_COLORS }] },
      options: {
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 12 } },
          tooltip: { callbacks: { label: function (ctx) { return names[ctx.dataIndex] + ": " + numberFormat.format(ctx.parsed); } } }
        }
      }
    });
  }

  function kindsChart(data) {
    if (!data.values.length) {
      return;
    }
    draw("chart-kinds", {
      type: "bar",
      data: { labels: data.labels, datasets: [{ label: "Số tổ chức", data: data.values, backgroundColor: KIND_COLORS }] },
      options: {
        plugins: { legend: { display: false } },
        scales: {
          x: { ticks: { callback: function (v) { var l = data.labels[v]; return l.length > 24 ? l.slice(0, 22) + "…" : l; } } },
          y: { beginAtZero: true, ticks: { precision: 0 } }
        }
      }
    });
  }

  /* Sortable tables: a click on a header's button sorts by that column, again
   * to reverse. Cells carry data-sort (a number for number columns). */
  function sortable(table) {
    var headers = Array.prototype.slice.call(table.querySelectorAll("thead th[data-sort-type]"));
    headers.forEach(function (th) {
      var button = th.querySelector("button") || th;
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var column = Array.prototype.indexOf.call(th.parentNode.children, th);
        var numeric = th.getAttribute("data-sort-type") === "number";
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = keyOf(a.cells[column], numeric);
          var y = keyOf(b.cells[column], numeric);
          var order = numeric ? x - y : x.localeCompare(y, "vi");
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  function keyOf(cell, numeric) {
    var raw = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
    if (!numeric) {
      return raw;
    }
    var value = parseFloat(raw);
    return isNaN(value) ? -Infinity : value;
  }

  function start() {
    document.querySelectorAll("table[data-sortable]").forEach(sortable);
    var block = document.getElementById("dashboard-data");
    if (!block) {
      return;
    }
    var data = JSON.parse(block.textContent);
    attainmentChart(data.attainment);
    trendChart(data.trend);
    doughnut("chart-ratings-cells", data.ratings.labels, data.ratings.names, data.ratings.cells);
    doughnut("chart-ratings-members", data.ratings.labels, data.ratings.names, data.ratings.members);
    kindsChart(data.kinds);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
