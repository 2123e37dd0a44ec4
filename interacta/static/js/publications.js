// Publications: the "Copy citation" button (the citation stays selectable without JS).
// Its messages come translated in data-copied / data-failed.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    const source = document.getElementById(button.dataset.copy);
    const status = document.getElementById("copy-status");
    if (!source || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(source.textContent.trim());
        if (status) status.textContent = button.dataset.copied || "Citation copied.";
      } catch (err) {
        if (status) status.textContent =
            button.dataset.failed || "Copying failed: select the citation and copy it.";
      }
    });
  });
});
