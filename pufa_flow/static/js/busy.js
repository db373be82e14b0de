/* Long uploads (the item import): say that the file is being checked, and stop a second click. */
(function () {
  "use strict";
  document.querySelectorAll("form[data-busy]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var note = form.querySelector(".busy-note");
      if (note) { note.hidden = false; }
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    });
  });
})();
