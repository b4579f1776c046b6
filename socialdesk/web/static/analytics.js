/* Analytics charts (Chart.js, vendored) and the composer's "use the best time" button. */
(function () {
  "use strict";

  var PALETTE = ["#3b5bdb", "#f08c00", "#2b8a3e", "#c2255c", "#7048e8", "#0b7285"];

  function data() {
    var el = document.getElementById("chart-data");
    return el ? JSON.parse(el.textContent) : null;
  }

  function common(extra) {
    // No animation: charts are read, and printed, at once.
    return Object.assign({ animation: false, responsive: true, maintainAspectRatio: false,
                           interaction: { mode: "index", intersect: false } }, extra);
  }

  function followers(canvas, d) {
    var names = Object.keys(d.series);
    return new Chart(canvas, {
      type: "line",
      data: { labels: d.labels, datasets: names.map(function (name, i) {
        return { label: name, data: d.labels.map(function (day) { return d.series[name][day] ?? null; }),
                 borderColor: PALETTE[i % PALETTE.length], backgroundColor: PALETTE[i % PALETTE.length],
                 pointRadius: 0, borderWidth: 2, spanGaps: true };
      }) },
      options: common({ scales: { y: { title: { display: true, text: "Followers" } } } })
    });
  }

  // The strategy's key dates as shaded bands over the days they cover (labels are ISO days, so they compare
  // as text); a key date with no day on the axis is only in the table below the charts.
  var keyDateBands = {
    id: "keyDates",
    beforeDatasetsDraw: function (chart, args, opts) {
      var marks = (opts && opts.marks) || [];
      var labels = chart.data.labels || [];
      if (!marks.length || !labels.length) return;
      var x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx;
      var half = labels.length > 1 ? (x.getPixelForValue(1) - x.getPixelForValue(0)) / 2 : 20;
      marks.forEach(function (m) {
        var inside = [];
        labels.forEach(function (day, i) { if (day >= m.first && day <= m.last) inside.push(i); });
        if (!inside.length) return;
        var left = Math.max(area.left, x.getPixelForValue(inside[0]) - half);
        var right = Math.min(area.right, x.getPixelForValue(inside[inside.length - 1]) + half);
        ctx.save();
        ctx.fillStyle = "rgba(240, 140, 0, .14)";
        ctx.fillRect(left, area.top, right - left, area.bottom - area.top);
        ctx.fillStyle = "#8a4b00";
        ctx.font = "11px system-ui, sans-serif";
        ctx.fillText(m.name, left + 3, area.top + 12);
        ctx.restore();
      });
    }
  };

  function engagement(canvas, d) {
    return new Chart(canvas, {
      plugins: [keyDateBands],
      data: { labels: d.labels, datasets: [
        { type: "bar", label: "Engagements", data: d.engagements, backgroundColor: "rgba(59, 91, 219, .55)", yAxisID: "y" },
        { type: "line", label: d.rate_label, data: d.rate, borderColor: "#f08c00", backgroundColor: "#f08c00",
          pointRadius: 2, spanGaps: true, yAxisID: "rate" }
      ] },
      options: common({ plugins: { keyDates: { marks: d.key_dates || [] } }, scales: {
        y: { beginAtZero: true, title: { display: true, text: "Engagements" } },
        rate: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: "%" } }
      } })
    });
  }

  var DRAW = { followers: followers, engagement: engagement };

  document.addEventListener("DOMContentLoaded", function () {
    var d = data();
    if (d && window.Chart) {
      document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
        var draw = DRAW[canvas.dataset.chart];
        if (draw) draw(canvas, d[canvas.dataset.chart]);
      });
    }
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });

  // On paper the numbers behind the charts are shown too.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.chart-table, .best-time details").forEach(function (d) { d.open = true; });
  });

  // Composer: "Use it" fills the date, time and zone with the suggested best time.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-use-time]");
    if (!button) return;
    var form = button.closest("form");
    var set = function (name, value) { var f = form.querySelector("[name=" + name + "]"); if (f) f.value = value; };
    set("day", button.dataset.day);
    set("time", button.dataset.time);
    set("timezone", button.dataset.tz);
    var queue = form.querySelector("[data-use-queue]");
    if (queue && queue.checked) queue.click();
  });
})();
