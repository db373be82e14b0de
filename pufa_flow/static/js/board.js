/* 督办看板 charts: Apache ECharts (vendored), data from the page's data-charts attribute (no inline script). */
(function () {
  "use strict";
  var holder = document.getElementById("board-charts");
  if (!holder || typeof echarts === "undefined") { return; }
  var data = JSON.parse(holder.getAttribute("data-charts"));
  var itemsUrl = holder.getAttribute("data-items-url");
  function chart(id, option, onClick) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var c = echarts.init(el);
    c.setOption(option);
    if (onClick) { c.on("click", onClick); }
    window.addEventListener("resize", function () { c.resize(); });
  }
  chart("chart-trend", {
    tooltip: { trigger: "axis" }, legend: { data: ["未销号", "已逾期"] },
    xAxis: { type: "category", data: data.trend.map(function (w) { return w.week_end.slice(5); }) },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: "未销号", type: "line", data: data.trend.map(function (w) { return w.open; }) },
      { name: "已逾期", type: "line", itemStyle: { color: "#b71c1c" }, data: data.trend.map(function (w) { return w.overdue; }) }
    ]
  });
  chart("chart-age", {
    tooltip: {}, xAxis: { type: "category", data: data.age.map(function (a) { return a.label; }) },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", itemStyle: { color: "#b71c1c" }, data: data.age.map(function (a) { return a.count; }) }]
  }, function (p) { window.location = itemsUrl + "?age=" + encodeURIComponent(data.age[p.dataIndex].key); });
  chart("chart-units", {
    tooltip: {}, grid: { left: 120 },
    yAxis: { type: "category", inverse: true, data: data.units.map(function (u) { return u.unit_name; }) },
    xAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", itemStyle: { color: "#b25e00" }, data: data.units.map(function (u) { return u.overdue; }) }]
  }, function (p) { window.location = itemsUrl + "?overdue=1&unit_id=" + data.units[p.dataIndex].unit_id; });
  chart("chart-category", {
    tooltip: {}, xAxis: { type: "category", data: data.category.map(function (c) { return c.label; }) },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ name: "已逾期", type: "bar", data: data.category.map(function (c) { return c.overdue; }) }]
  }, function (p) { window.location = itemsUrl + "?overdue=1&category=" + data.category[p.dataIndex].category; });
})();
