// After htmx swaps content in, move focus where a screen reader user and a keyboard user
// should continue: an element marked data-focus (a result, a field in error), otherwise the
// new step's heading. The page did not reload, so nothing else would announce the change.
document.addEventListener("htmx:afterSettle", (event) => {
  const target = event.detail.target;
  if (target.id === "search-results") {
    return; // live search: focus stays in the search box while typing
  }
  const next = target.querySelector("[data-focus]") || target.querySelector("h1[tabindex='-1']");
  if (next) {
    next.focus();
  }
});

// Printing needs JavaScript: the button stays hidden without it (Ctrl+P still works).
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll(".print-button")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});

// "Copier" buttons of the agent workspace: the text stays selectable without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll(".copy-button")) {
    button.hidden = false;
    button.addEventListener("click", async () => {
      await navigator.clipboard.writeText(button.dataset.copy);
      button.textContent = "Copié";
    });
  }
});
