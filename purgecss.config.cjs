// `make css`: Bootstrap's compiled CSS (static/vendor/bootstrap/, as vendored) less every rule
// whose selectors name a class, an id or an element that no template, no Python module and no
// script of ours can write. PurgeCSS reads those files as text, so a class built from parts
// in a template (« alert-{{ message.level_tag }} ») is listed in the safelist below.
module.exports = {
  css: ["static/vendor/bootstrap/bootstrap.min.css"],
  content: [
    "templates/**/*.html",
    "kb/**/*.py",
    "triage/**/*.py",
    "teams/**/*.py",
    "static/js/*.js",
    // The form layouts crispy-forms renders (its Bootstrap 5 templates).
    ".venv/lib/python3*/site-packages/crispy_bootstrap5/templates/**/*.html",
  ],
  // Django's message levels, as base.html turns them into alert classes.
  safelist: ["alert-success", "alert-info", "alert-warning", "alert-danger", "alert-debug"],
  output: "static/build/",
};
