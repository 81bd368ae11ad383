// Small progressive enhancement; every page works without it. No inline script: the CSP forbids it.
document.addEventListener("DOMContentLoaded", function () {
  // On a phone the menu is folded behind its summary; on a wide screen it is open (and without this
  // script it is open everywhere).
  var narrow = window.matchMedia("(max-width: 640px)");
  document.querySelectorAll("details[data-fold-narrow]").forEach(function (menu) {
    function fit() { menu.open = !narrow.matches; }
    fit();
    narrow.addEventListener("change", fit);
  });
  document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  // A table wider than the screen scrolls in its frame: keyboard users reach it with Tab (WCAG 2.1.1).
  function focusableWhenScrolling() {
    document.querySelectorAll(".table-wrap").forEach(function (el) {
      if (el.scrollWidth > el.clientWidth) { el.setAttribute("tabindex", "0"); } else { el.removeAttribute("tabindex"); }
    });
  }
  focusableWhenScrolling();
  window.addEventListener("resize", focusableWhenScrolling);
  // The parties of a case, the persons of a listed organisation: rows added and removed with a button
  // (the formset's TOTAL_FORMS follows); data-template names the <template> of a new row.
  document.querySelectorAll("[data-party-rows]").forEach(function (rows) {
    var prefix = rows.getAttribute("data-prefix");
    var form = rows.closest("form");
    var total = form.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var max = form.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    var template = document.getElementById(rows.getAttribute("data-template") || "party-template");
    var add = form.querySelector("[data-add-party]");
    var pattern = new RegExp(prefix + "-(\\d+|__prefix__)-");
    function renumber() {
      var list = rows.querySelectorAll("[data-party-row]");
      list.forEach(function (row, index) {
        row.querySelectorAll("[name],[id],[for]").forEach(function (el) {
          ["name", "id", "for"].forEach(function (attr) {
            var value = el.getAttribute(attr);
            if (value) { el.setAttribute(attr, value.replace(pattern, prefix + "-" + index + "-")); }
          });
        });
      });
      total.value = list.length;
      if (add) { add.disabled = max && list.length >= parseInt(max.value, 10); }
    }
    rows.addEventListener("click", function (event) {
      var button = event.target.closest("[data-remove-party]");
      if (!button) { return; }
      button.closest("[data-party-row]").remove();
      renumber();
      if (add) { add.focus(); }
    });
    rows.querySelectorAll("[data-remove-party]").forEach(function (b) { b.hidden = false; });
    if (add && template) {
      add.hidden = false;
      add.addEventListener("click", function () {
        rows.appendChild(template.content.cloneNode(true));
        renumber();
        var last = rows.querySelector("[data-party-row]:last-child input[type=text], [data-party-row]:last-child input:not([type])");
        if (last) { last.focus(); }
      });
    }
    renumber();
  });
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  // The account menu (details.account) closes on a click elsewhere and on Escape, as a menu does.
  document.querySelectorAll("details.account").forEach(function (menu) {
    document.addEventListener("click", function (event) {
      if (menu.open && !menu.contains(event.target)) { menu.open = false; }
    });
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open) { menu.open = false; menu.querySelector("summary").focus(); }
    });
  });
});
