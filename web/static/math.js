// answerbook: typesets the TeX of answers ($…$, $$…$$), which the server
// sends as text in <span class="math …">. KaTeX is served by the site
// itself and loaded only on a page that has a formula; without script the
// TeX reads as written.
(function () {
  "use strict";
  var me = document.currentScript;
  var loading = null;

  function load() {
    if (loading) return loading;
    loading = new Promise(function (resolve, reject) {
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = me.dataset.katexCss;
      document.head.appendChild(css);
      var js = document.createElement("script");
      js.src = me.dataset.katex;
      js.onload = resolve;
      js.onerror = reject;
      document.head.appendChild(js);
    });
    return loading;
  }

  // typeset renders every formula under root that is not yet rendered.
  function typeset(root) {
    var els = (root || document).querySelectorAll("span.math:not([data-tex])");
    if (!els.length) return;
    load().then(function () {
      els.forEach(function (el) {
        var tex = el.textContent;
        el.setAttribute("data-tex", tex);
        try {
          window.katex.render(tex, el, {
            displayMode: el.classList.contains("math-display"),
            throwOnError: false,
            maxSize: 50,
            maxExpand: 500,
          });
        } catch (e) {
          el.textContent = tex;
        }
      });
    });
  }

  window.answerbookTypeset = typeset;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { typeset(); });
  } else {
    typeset();
  }
})();
