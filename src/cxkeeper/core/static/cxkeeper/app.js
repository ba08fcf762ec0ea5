// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // Close the account menu when clicking elsewhere.
  document.addEventListener("click", (event) => {
    document.querySelectorAll("details.menu[open]").forEach((menu) => {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
});

// Outcome pages: print buttons, and the target form shows only the journey/stage/step
// picker of the chosen scope (without JavaScript all three stay visible).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
  document.querySelectorAll("select[data-scope-select]").forEach((scope) => {
    const form = scope.closest("form");
    const sync = () => {
      form.querySelectorAll("[data-scope-picker]").forEach((picker) => {
        const field = picker.closest(".field") || picker;
        field.hidden = picker.dataset.scopePicker !== scope.value;
      });
    };
    scope.addEventListener("change", sync);
    sync();
  });
});

// Phones: the North Star folds away to one line (without JavaScript it stays open), and a
// table wider than the screen scrolls inside its own box instead of the whole page: the box
// becomes a named, focusable region only while it overflows, so keyboards can scroll it too.
document.addEventListener("DOMContentLoaded", () => {
  const narrow = window.matchMedia("(max-width: 640px)");
  if (narrow.matches) {
    document.querySelectorAll("details[data-collapse-narrow][open]").forEach((d) => d.removeAttribute("open"));
  }
  document.querySelectorAll("main table").forEach((table) => {
    if (table.closest(".table-scroll, .blueprint-wrap, .alignment-wrap, .scroll-x")) return;
    const box = document.createElement("div");
    box.className = "table-scroll";
    table.parentNode.insertBefore(box, table);
    box.appendChild(table);
  });
  const boxes = [...document.querySelectorAll("main .table-scroll")];
  boxes.forEach((box) => {
    const table = box.querySelector("table");
    const caption = table && table.querySelector("caption");
    const section = box.closest("section");
    const heading = section && section.querySelector("h2, h3");
    box.dataset.label = (caption || heading || {}).textContent || "Table";
  });
  const mark = () => boxes.forEach((box) => {
    if (box.scrollWidth > box.clientWidth + 1) {
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", box.dataset.label.trim() + " (scrolls sideways)");
    } else {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  });
  mark();
  window.addEventListener("resize", mark);
});
