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

// A refused form: the summary of what to correct, at the top, takes the focus, so that a
// screen reader reads it and a phone shows it; each of its links leads to its field.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
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

// Reply templates: the server inserts the template where the cursor is. The cursor (or the
// selection, which the template replaces) is noted each time the message loses focus, which
// always happens before the template menu or button is used. Without JavaScript the field
// stays empty and the template goes after the typed text.
document.addEventListener("focusout", (event) => {
  if (event.target.id === "id_body") {
    const cursor = document.getElementById("reply-cursor");
    if (cursor) {
      cursor.value = `${event.target.selectionStart},${event.target.selectionEnd}`;
    }
  }
});
document.addEventListener("htmx:afterSettle", () => {
  const fields = document.getElementById("reply-fields");
  if (!fields || !fields.dataset.cursor) {
    return;
  }
  const position = Number(fields.dataset.cursor);
  delete fields.dataset.cursor;
  const body = document.getElementById("id_body");
  body.focus();
  body.setSelectionRange(position, position);
  document.getElementById("reply-cursor").value = `${position},${position}`;
});

// The tree's picture is wider than a phone: open it on its first question, at the centre.
document.addEventListener("DOMContentLoaded", () => {
  for (const frame of document.querySelectorAll(".tree-scroll")) {
    frame.scrollLeft = (frame.scrollWidth - frame.clientWidth) / 2;
  }
});

// The queue: « Tout sélectionner » ticks every row (hidden without JavaScript); and new
// tickets appear without reloading: every minute the results are fetched again, unless the
// agent is in the middle of something (a ticket ticked, a field being typed in).
document.addEventListener("change", (event) => {
  if (event.target.id === "tout-choisir") {
    for (const box of document.querySelectorAll(".bulk-check")) {
      box.checked = event.target.checked;
    }
  }
});
function showSelectAll() {
  const all = document.getElementById("tout-choisir");
  if (all) {
    all.hidden = false;
  }
}
document.addEventListener("DOMContentLoaded", showSelectAll);
document.addEventListener("htmx:afterSettle", showSelectAll);
setInterval(() => {
  const results = document.getElementById("queue-results");
  const busy = document.querySelector(".bulk-check:checked, .queue-filters :focus, #queue-results :focus");
  if (results && !busy && window.htmx && document.visibilityState === "visible") {
    htmx.ajax("GET", window.location.pathname + window.location.search,
              {target: "#queue-results", swap: "innerHTML"});
  }
}, 60000);

// Inside a partner's frame (a team's /integre/ pages): tell the page around it how tall the
// content is, at load and whenever it changes (an htmx step, an opened section), so that the
// partner's script (static/js/integre.js) sizes the frame and no scroll bar appears in it.
// Only a height and a number that changes with the page cross: not even the page's address
// (a confirmation page's holds a private key).
if (document.body.hasAttribute("data-embedded") && window.parent !== window) {
  let page = Math.random();
  const tell = () => {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    window.parent.postMessage({ type: "ecps-hauteur", hauteur: height, page }, "*");
  };
  new ResizeObserver(tell).observe(document.documentElement);
  document.addEventListener("htmx:afterSettle", () => { page = Math.random(); tell(); });
}
