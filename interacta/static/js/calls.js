// Calls for papers: the abstract's word counter. The server counts the same way (runs of
// non-space characters); the message templates come translated in data-* attributes.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("textarea[data-word-limit]").forEach((area) => {
    const out = document.getElementById(area.id + "-count");
    if (!out) return;
    const limit = parseInt(area.dataset.wordLimit, 10);
    const update = () => {
      const words = (area.value.match(/\S+/g) || []).length;
      const over = words > limit;
      out.textContent = (over ? out.dataset.over : out.dataset.count)
        .replace("%(words)s", words).replace("%(limit)s", limit);
      out.classList.toggle("error", over);
    };
    area.addEventListener("input", update);
    update();
  });
});
