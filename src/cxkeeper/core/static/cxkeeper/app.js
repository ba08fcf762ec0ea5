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
