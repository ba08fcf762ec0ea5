// The main menu and the search box (issue 14). Without JavaScript every group still opens
// (they are <details>) and the menu simply wraps on phones; this adds what a menu should do.
document.addEventListener("DOMContentLoaded", () => {
  const nav = document.getElementById("main-nav");
  const toggle = document.querySelector(".nav-toggle");
  const groups = nav ? Array.from(nav.querySelectorAll("details.nav-group")) : [];
  document.documentElement.classList.add("js-nav");

  // One group open at a time.
  groups.forEach((group) => {
    group.addEventListener("toggle", () => {
      if (group.open) groups.forEach((other) => { if (other !== group) other.open = false; });
    });
  });
  // A click elsewhere closes the open group.
  document.addEventListener("click", (event) => {
    groups.forEach((group) => { if (group.open && !group.contains(event.target)) group.open = false; });
  });
  // Escape closes the open group (or the phone menu) and gives focus back to its button;
  // the arrow keys move between the links of an open group.
  document.addEventListener("keydown", (event) => {
    const open = groups.find((group) => group.open);
    if (event.key === "Escape") {
      if (open) { open.open = false; open.querySelector("summary").focus(); return; }
      if (toggle && nav.classList.contains("open") && nav.contains(document.activeElement)) {
        setMenu(false); toggle.focus();
      }
      return;
    }
    if (open && (event.key === "ArrowDown" || event.key === "ArrowUp") && open.contains(document.activeElement)) {
      const links = Array.from(open.querySelectorAll("a"));
      const at = links.indexOf(document.activeElement);
      const next = event.key === "ArrowDown" ? Math.min(at + 1, links.length - 1) : Math.max(at - 1, 0);
      if (links[next]) { links[next].focus(); event.preventDefault(); }
    }
  });

  // Phones: the whole menu behind one button.
  function setMenu(open) {
    nav.classList.toggle("open", open);
    toggle.setAttribute("aria-expanded", String(open));
  }
  if (toggle && nav) toggle.addEventListener("click", () => setMenu(!nav.classList.contains("open")));

  // "/" focuses the search box, unless one is typing somewhere already.
  const search = document.getElementById("site-search");
  document.addEventListener("keydown", (event) => {
    if (!search || event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName)) return;
    event.preventDefault();
    search.focus();
    search.select();
  });
});
