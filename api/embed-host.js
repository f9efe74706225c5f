// answerbook embeds: include this once on a page that frames answer cards
// (<script async src="https://answers.example.com/embed.js"></script>) and
// each card's iframe takes the height of its content. Only messages from
// a card's own window are believed, and only its height is read.
(function () {
  "use strict";
  if (window.answerbookEmbeds) return;
  window.answerbookEmbeds = true;
  window.addEventListener("message", function (e) {
    var d = e.data;
    if (!d || d.type !== "answerbook:embed-height" || typeof d.height !== "number") return;
    var frames = document.getElementsByTagName("iframe");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === e.source) {
        var h = Math.max(60, Math.min(Math.round(d.height) + 2, 20000));
        frames[i].style.height = h + "px";
        frames[i].setAttribute("height", String(h));
      }
    }
  });
})();
