/* 自评 workspace: live totals of the score sheet and character counters.
 * The figures shown while typing are a preview; the server recomputes the
 * sheet on every save and on submit, and only its figures are stored. No
 * inline script: this file is served by the application (CSP-friendly). */
(function () {
  "use strict";

  function num(v) { var n = parseFloat(v); return isNaN(n) ? 0 : n; }
  function fmt(n) { return String(Math.round(n * 100) / 100); }

  function ruleAmount(row) {
    var box = row.querySelector('input[type="checkbox"]');
    if (!box || !box.checked) { return 0; }
    var kind = row.dataset.kind;
    var countInput = row.querySelector('input[type="number"]');
    var count = countInput && countInput.value !== "" ? parseInt(countInput.value, 10) : null;
    if (kind === "fixed") { return num(row.dataset.points); }
    if (kind === "whole") { return num(row.dataset.indicatorMax); }
    if (kind === "per_unit") {
      return Math.min(num(row.dataset.perUnit) * Math.max(count || 0, 0), num(row.dataset.cap));
    }
    if (kind === "tier") {
      var select = row.querySelector("select");
      var points = 0;
      (row.dataset.tiers || "").split(",").forEach(function (pair) {
        var kv = pair.split(":");
        if (select && kv[0] === select.value) { points = num(kv[1]); }
      });
      return points * (count === null ? 1 : Math.max(count, 0));
    }
    return 0;
  }

  function recompute(form) {
    var base = 0, bonus = 0, bonusRaw = 0;
    form.querySelectorAll("tbody.category").forEach(function (cat) {
      var isBonus = cat.dataset.bonus === "1";
      var byIndicator = {};
      cat.querySelectorAll("tr.rule").forEach(function (row) {
        var key = row.dataset.indicator;
        if (!byIndicator[key]) { byIndicator[key] = { max: num(row.dataset.indicatorMax), raw: 0 }; }
        byIndicator[key].raw += ruleAmount(row);
      });
      var sum = 0;
      Object.keys(byIndicator).forEach(function (key) {
        var ind = byIndicator[key];
        var limited = Math.min(ind.raw, ind.max);
        var score = isBonus ? limited : ind.max - limited;
        sum += score;
        if (isBonus) { bonusRaw += ind.raw; }
        var out = form.querySelector('[data-indicator-score="' + key + '"]');
        if (out) { out.textContent = fmt(score); }
        var capped = form.querySelector('[data-capped-for="' + key + '"]');
        if (capped) { capped.hidden = !(ind.raw > ind.max); }
      });
      var catScore = Math.min(sum, num(cat.dataset.max));
      if (isBonus) {
        bonus = Math.min(sum, num(form.dataset.bonusCap));
        catScore = bonus;
      } else {
        base += catScore;
      }
      var catOut = form.querySelector('[data-category-score="' + cat.dataset.category + '"]');
      if (catOut) { catOut.textContent = fmt(catScore); }
    });
    var baseOut = form.querySelector("[data-base]");
    if (baseOut) { baseOut.textContent = fmt(base); }
    var total = form.querySelector("[data-total]");
    if (total) { total.textContent = fmt(base + bonus); }
    var note = form.querySelector("tr.bonus-capped");
    if (note) { note.hidden = !(bonusRaw > num(form.dataset.bonusCap)); }
  }

  function counter(field) {
    var small = field.nextElementSibling;
    if (!small || !small.classList.contains("counter")) { small = field.parentElement.nextElementSibling; }
    if (!small || !small.classList.contains("counter")) { return; }
    var n = field.value.length;
    var min = field.dataset.min ? parseInt(field.dataset.min, 10) : null;
    var max = field.dataset.max ? parseInt(field.dataset.max, 10) : null;
    var text = "已写" + n + "字";
    var off = (min !== null && n < min) || (max !== null && n > max);
    if (min !== null && max !== null) { text += "（建议" + min + "—" + max + "字）"; }
    else if (min !== null) { text += "（不少于" + min + "字）"; }
    else if (max !== null) { text += "（不超过" + max + "字）"; }
    small.textContent = text;
    small.classList.toggle("warn", off && n > 0);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.score-sheet");
    if (form) {
      form.addEventListener("input", function () { recompute(form); });
      form.addEventListener("change", function () { recompute(form); });
    }
    document.querySelectorAll("[data-count]").forEach(function (field) {
      counter(field);
      field.addEventListener("input", function () { counter(field); });
    });
  });
}());
