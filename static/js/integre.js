// Assistance e-CPS — for partners' sites that show a team's guided path in a frame.
// Paste once, after the frame:
//   <script src="https://SITE/static/js/integre.js" defer></script>
// The frame's height then follows its content (no scroll bar inside), and a new step brings
// the frame's top back into view. Only frames marked data-assistance-ecps are touched, and
// only by messages their own page sends.
(() => {
  const shown = new WeakMap();
  window.addEventListener("message", (event) => {
    const data = event.data;
    if (!data || data.type !== "ecps-hauteur" || !Number.isFinite(data.hauteur)) {
      return;
    }
    for (const frame of document.querySelectorAll("iframe[data-assistance-ecps]")) {
      if (frame.contentWindow !== event.source || new URL(frame.src, location.href).origin !== event.origin) {
        continue;
      }
      frame.style.height = `${Math.min(Math.max(data.hauteur, 200), 20000)}px`;
      if (shown.has(frame) && shown.get(frame) !== data.page && frame.getBoundingClientRect().top < 0) {
        frame.scrollIntoView({ block: "start" });
      }
      shown.set(frame, data.page);
    }
  });
})();
