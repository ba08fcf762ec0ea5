// Review queue keyboard: j/k move between messages, 1–3 pick a suggested step, n "none of
// these steps", o off-topic, g opens the message's group of similar messages. Each key
// presses the same button a mouse would; without JavaScript the buttons still work.
document.addEventListener("DOMContentLoaded", () => {
  const list = document.querySelector("[data-review-list]");
  if (!list) return;
  const open = () => Array.from(list.querySelectorAll("[data-review-item]:not(.review-done)"));
  let current = null;

  const select = (item, focus = true) => {
    if (current) current.classList.remove("current");
    current = item || null;
    if (!current) return;
    current.classList.add("current");
    if (!focus) return;
    current.focus({ preventScroll: true });
    current.scrollIntoView({ block: "nearest" });
  };
  const move = (step) => {
    const items = open();
    if (!items.length) return select(null);
    const at = items.indexOf(current);
    select(items[Math.min(Math.max(at + step, 0), items.length - 1)] || items[0]);
  };

  list.addEventListener("click", (event) => {
    const item = event.target.closest("[data-review-item]");
    // Never move the focus off a clicked button: htmx sends the button's value only while it has it.
    if (item && !item.classList.contains("review-done")) select(item, !event.target.closest("button, a, select"));
  });

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, select, textarea, [contenteditable]")) return;
    const key = event.key.toLowerCase();
    if (key === "j" || key === "k") {
      event.preventDefault();
      move(key === "j" ? 1 : -1);
      return;
    }
    if (!current || current.classList.contains("review-done") || !current.isConnected) move(0);
    if (!current) return;
    const target = current.querySelector(`[data-key="${key}"]`);
    if (!target) return;
    event.preventDefault();
    const answered = current;
    const items = open();
    const next = items[items.indexOf(answered) + 1] || null;
    target.click();
    if (key !== "g") select(next);
  });

  select(open()[0]);
});
