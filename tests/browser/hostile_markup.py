"""Markup an attacker types into a form, hoping a page shows it as markup: 21 vectors (the
classic filter-evasion forms: script, event handlers on img/svg/body/details/video, meta
refresh, javascript: and data: URLs, iframes, objects, base, entity and case tricks), each
behind 7 ways of breaking out of where it lands (text, attribute in double or single quotes,
textarea, title, comment, script): 147 payloads."""

VECTORS = [
    "<script>alert(1)</script>",
    "<ScRiPt>alert(2)</sCrIpT>",
    "<script src=data:text/javascript,alert(3)></script>",
    "<img src=x onerror=alert(4)>",
    "<IMG SRC=x OnErRoR=alert(5)>",
    "<img src=x onerror=&#97;&#108;&#101;&#114;&#116;(6)>",
    "<svg onload=alert(7)>",
    "<svg><script>alert(8)</script></svg>",
    "<body onload=alert(9)>",
    "<details open ontoggle=alert(10)>",
    "<video><source onerror=alert(11)></video>",
    "<iframe src=javascript:alert(12)></iframe>",
    "<iframe srcdoc='<script>alert(13)</script>'></iframe>",
    "<a href=javascript:alert(14)>cliquez</a>",
    "<a href=\"&#106;avascript:alert(15)\">cliquez</a>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(16)">',
    "<object data=javascript:alert(17)></object>",
    "<embed src=data:text/html,<script>alert(18)</script>>",
    "<base href=javascript:alert(19)//>",
    "<form><button formaction=javascript:alert(20)>envoyer</button></form>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(21)>",
]

BREAKOUTS = ["", '">', "'>", "</textarea>", "</title>", "-->", "</script>"]

PAYLOADS = [breakout + vector for vector in VECTORS for breakout in BREAKOUTS]

# Elements and attributes that only an injection can have put in our pages: the site has no
# inline script, no event handler attribute, no frame, no javascript: or data: link (its
# CSP would refuse them anyway).
INJECTED_ELEMENTS_JS = """() => {
  const found = [];
  for (const element of document.querySelectorAll('*')) {
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      if (name.startsWith('on')) found.push(element.tagName + '[' + name + ']');
      if (['href', 'src', 'action', 'formaction', 'data', 'srcdoc', 'xlink:href'].includes(name)
          && /^\\s*(javascript|vbscript|data:text\\/html)/i.test(attribute.value)) {
        found.push(element.tagName + '[' + name + ']');
      }
    }
  }
  for (const element of document.querySelectorAll(
      'script:not([src]), script[src^="data:"], iframe, frame, object, embed, base, ' +
      'meta[http-equiv], math, svg script')) {
    found.push(element.tagName);
  }
  return found;
}"""
