/* The top bar's menus are <details> elements: they open and close without this file.
   This file keeps aria-expanded in step, lets one menu be open at a time, closes a menu on
   Escape or a click elsewhere, and moves through a menu's links with the arrow keys. */
(function () {
  "use strict";
  var groups = Array.prototype.slice.call(document.querySelectorAll("details.nav-group"));
  if (!groups.length) { return; }

  function links(group) { return Array.prototype.slice.call(group.querySelectorAll(".nav-menu a")); }
  function close(group, focus) {
    if (group.open) { group.open = false; }
    if (focus) { group.querySelector("summary").focus(); }
  }

  groups.forEach(function (group) {
    var summary = group.querySelector("summary");
    summary.setAttribute("aria-expanded", group.open ? "true" : "false");
    group.addEventListener("toggle", function () {
      summary.setAttribute("aria-expanded", group.open ? "true" : "false");
      if (group.open) {
        groups.forEach(function (other) { if (other !== group) { close(other, false); } });
      }
    });
    group.addEventListener("keydown", function (event) {
      var items = links(group), at = items.indexOf(document.activeElement);
      if (event.key === "Escape" && group.open) {
        event.preventDefault();
        close(group, true);
      } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!group.open) { group.open = true; }
        var step = event.key === "ArrowDown" ? 1 : -1;
        var next = at < 0 ? (step > 0 ? 0 : items.length - 1) : (at + step + items.length) % items.length;
        items[next].focus();
      }
    });
    /* leaving the menu with Tab closes it */
    group.addEventListener("focusout", function (event) {
      if (group.open && event.relatedTarget && !group.contains(event.relatedTarget)) { close(group, false); }
    });
  });

  document.addEventListener("click", function (event) {
    groups.forEach(function (group) { if (!group.contains(event.target)) { close(group, false); } });
  });
})();
