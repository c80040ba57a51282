// After htmx swaps a wizard step in, move focus to its heading so that screen readers
// announce the new step and keyboard users continue from there (the page did not reload).
document.addEventListener("htmx:afterSettle", (event) => {
  const heading = event.detail.target.querySelector("h1[tabindex='-1']");
  if (heading) {
    heading.focus();
  }
});
