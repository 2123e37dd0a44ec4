// Cookie banner: with JavaScript the choice is posted with fetch and the banner closes
// without a reload. Without this file the same form posts normally and comes back (303).
(function () {
  "use strict";

  function init() {
    var banner = document.querySelector("[data-consent-banner]");
    if (!banner) return;
    var form = banner.querySelector("[data-consent-form]");
    var status = document.querySelector("[data-consent-status]");
    if (!form || !window.fetch || !window.FormData) return;

    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || button.name !== "action") return;
      event.preventDefault();
      var data = new FormData(form);
      data.set("action", button.value);
      // Remember focus now: disabling the buttons below takes it away.
      var hadFocus = banner.contains(document.activeElement);
      var buttons = form.querySelectorAll("button");
      buttons.forEach(function (b) { b.disabled = true; });
      // form.action is shadowed by the buttons named "action": read the attribute.
      fetch(form.getAttribute("action"), {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      }).then(function (result) {
        banner.hidden = true;
        if (status) status.textContent = result.message || "Your cookie choice was saved.";
        if (hadFocus) {
          var main = document.getElementById("main");
          if (main) main.focus();
        }
      }).catch(function () {
        // Fall back to the plain form post, which always works.
        buttons.forEach(function (b) { b.disabled = false; });
        var field = document.createElement("input");
        field.type = "hidden";
        field.name = "action";
        field.value = button.value;
        form.appendChild(field);
        form.submit();
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
