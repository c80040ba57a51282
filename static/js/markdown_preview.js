// Editors' admin: each Markdown field shows what visitors will see, rendered and sanitised
// by the server (the same function as on publication), while the editor types.
(() => {
  const URL = "/admin/kb/contentversion/apercu-markdown/";
  const timers = new WeakMap();

  function csrfToken(field) {
    const input = field.form && field.form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  async function render(field) {
    const preview = document.getElementById(`${field.id}_apercu`);
    if (!preview) {
      return;
    }
    const body = new URLSearchParams({ texte: field.value });
    const response = await fetch(URL, {
      method: "POST", body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(field) },
    });
    if (response.ok) {
      preview.innerHTML = await response.text();
    }
  }

  document.addEventListener("input", (event) => {
    const field = event.target;
    if (!field.matches || !field.matches("textarea[data-markdown-preview]")) {
      return;
    }
    clearTimeout(timers.get(field));
    timers.set(field, setTimeout(() => render(field), 300));
  });
})();
