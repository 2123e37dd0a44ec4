// Interacta: small progressive enhancements. The site works without this file.
(function () {
  "use strict";

  // <time datetime="..." data-local> gains the viewer's own local time beside the event's.
  function showViewerTime() {
    var viewerZone;
    try {
      viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (e) {
      return;
    }
    document.querySelectorAll("time[data-local]").forEach(function (el) {
      var zone = el.getAttribute("data-zone");
      if (!zone || zone === viewerZone) return;
      var when = new Date(el.getAttribute("datetime"));
      if (isNaN(when.getTime())) return;
      var lang = document.documentElement.lang || "en";
      var text = when.toLocaleString(lang === "en" ? "en-GB" : lang, {
        weekday: "short", day: "numeric", month: "short", hour: "2-digit",
        minute: "2-digit", timeZoneName: "short"
      });
      var span = document.createElement("span");
      span.className = "viewer-time";
      var label = document.body.getAttribute("data-your-time") || "your time";
      span.textContent = " (" + label + ": " + text + ")";
      el.insertAdjacentElement("afterend", span);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    showViewerTime();
  });
})();
