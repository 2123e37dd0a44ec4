// Publications: the import's progress bar follows the background job without reloading
// (the page refreshes itself when JavaScript is off). At the end the page reloads once
// to show the report. The label comes translated in data-label ("{done} of {total} ...").
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("import-progress");
  if (!box) return;
  const bar = document.getElementById("import-bar");
  const state = document.getElementById("import-state");
  const format = (n) => Number(n).toLocaleString(document.documentElement.lang || undefined);
  const poll = async () => {
    try {
      const response = await fetch(box.dataset.progressUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.ok) {
        const data = await response.json();
        if (data.finished) {
          window.location.reload();
          return;
        }
        if (data.total) {
          bar.max = data.total;
          bar.value = data.done;
          bar.textContent = `${data.percent}%`;
          state.textContent = box.dataset.label
            .replace("{done}", format(data.done))
            .replace("{total}", format(data.total));
        }
      }
    } catch (err) {
      // The network hiccupped: try again at the next tick.
    }
    window.setTimeout(poll, 1000);
  };
  window.setTimeout(poll, 1000);
});
