// Case pickers (cases/pickers.py, templates/cases/_case_picker.html): a search field whose matching cases
// htmx fetches as you type; choosing one fills the form's own field. Every form works without this: the
// picker is hidden until this script shows it, and the typed fields stay what the server reads.
// Loaded after htmx.min.js on the pages with a picker only. No inline script or style: the CSP forbids both.
(function () {
  if (!window.htmx) { return; }
  // htmx would add an inline <style> for its indicators (refused by the CSP); nothing here needs eval,
  // scripts in fragments or the history cache (which would keep pages in localStorage).
  htmx.config.includeIndicatorStyles = false;
  htmx.config.allowEval = false;
  htmx.config.allowScriptTags = false;
  htmx.config.historyEnabled = false;
  htmx.config.selfRequestsOnly = true;
  // 429 (too many searches by identifier) carries its message as a fragment: shown like any answer.
  htmx.config.responseHandling = [
    {code: "204", swap: false},
    {code: "429", swap: true},
    {code: "[23]..", swap: true},
    {code: "[45]..", swap: false, error: true}
  ];

  function format(text, value) { return (text || "%s").replace("%s", value); }

  function setup(picker) {
    var input = picker.querySelector("[data-picker-input]");
    var list = picker.querySelector("[role=listbox]");
    var status = picker.querySelector("[data-picker-status]");
    var mode = picker.getAttribute("data-picker");
    var target = document.getElementById(picker.getAttribute("data-picker-target"));
    var fallback = document.getElementById(picker.getAttribute("data-picker-fallback") || "");
    if (!input || !list || !target) { return; }
    var active = -1;
    var endpoint = (input.getAttribute("hx-get") || "").split("?")[0];

    function options() {
      return Array.prototype.slice.call(list.querySelectorAll("[role=option]:not([aria-disabled=true])"));
    }
    function show(open) {
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      if (!open) { activate(-1); }
    }
    function activate(index) {
      var all = options();
      active = index;
      all.forEach(function (option, i) { option.setAttribute("aria-selected", i === index ? "true" : "false"); });
      if (all[index]) {
        input.setAttribute("aria-activedescendant", all[index].id);
        if (all[index].scrollIntoView) { all[index].scrollIntoView({block: "nearest"}); }
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function choose(option) {
      var value = option.getAttribute("data-value");
      var label = option.getAttribute("data-label");
      if (mode === "line") {
        var lines = target.value.split(/\r?\n/).map(function (l) { return l.trim(); }).filter(Boolean);
        if (lines.indexOf(label) >= 0) {
          status.textContent = format(picker.getAttribute("data-present-text"), label);
        } else {
          lines.push(label);
          target.value = lines.join("\n");
          status.textContent = format(picker.getAttribute("data-added-text"), label);
        }
        input.value = "";
      } else {
        target.value = value;
        input.value = label;
        status.textContent = format(picker.getAttribute("data-chosen-text"), label);
      }
      show(false);
      input.focus();
    }

    if (fallback) { fallback.hidden = true; }
    picker.hidden = false;
    input.disabled = false;

    // The query goes as ?q=; the field itself has no name, so the form it sits in never submits it.
    input.addEventListener("htmx:configRequest", function (event) {
      event.detail.parameters.q = input.value;
    });
    list.addEventListener("htmx:beforeSwap", function (event) {
      var xhr = event.detail.xhr;
      // Signed out meanwhile: the answer is the login page, not options. Reload: the page asks to sign in.
      if (xhr && xhr.responseURL && xhr.responseURL.indexOf(endpoint) < 0) {
        event.detail.shouldSwap = false;
        window.location.reload();
      }
    });
    list.addEventListener("htmx:afterSwap", function () {
      var message = list.querySelector("template[data-picker-message]");
      status.textContent = message ? message.content.textContent.trim() : "";
      if (message) { message.remove(); }
      show(options().length > 0);
    });
    input.addEventListener("input", function () {
      if (mode === "id") { target.value = ""; }  // the text no longer names the case chosen
      if (input.value.trim().length < 2) { show(false); status.textContent = ""; }
    });
    input.addEventListener("keydown", function (event) {
      var all = options();
      if (event.key === "ArrowDown" || event.key === "Down") {
        if (!all.length) { return; }
        event.preventDefault();
        if (list.hidden) { show(true); }
        activate(active + 1 >= all.length ? 0 : active + 1);
      } else if (event.key === "ArrowUp" || event.key === "Up") {
        if (!all.length) { return; }
        event.preventDefault();
        if (list.hidden) { show(true); }
        activate(active <= 0 ? all.length - 1 : active - 1);
      } else if (event.key === "Enter") {
        if (!list.hidden && all[active]) { event.preventDefault(); choose(all[active]); }
      } else if (event.key === "Escape" || event.key === "Esc") {
        if (!list.hidden) { event.preventDefault(); show(false); }
      }
    });
    // A press on an option must not blur the field first (which would close the list).
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option && option.getAttribute("aria-disabled") !== "true") { choose(option); }
    });
    input.addEventListener("blur", function () { show(false); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-picker]").forEach(setup);
  });
})();
