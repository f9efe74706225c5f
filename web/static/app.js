// answerbook: small enhancements. Every page works without this file; with
// it, previews, similar answers and draft saves happen while you type.
(function () {
  "use strict";

  function debounce(fn, ms) {
    var t;
    return function () {
      clearTimeout(t);
      t = setTimeout(fn, ms);
    };
  }

  // Copies the text of a search snippet (HTML that the server escaped but
  // for <mark>) into el, keeping only text and <mark>.
  function appendSnippet(el, html) {
    var tpl = document.createElement("template");
    tpl.innerHTML = html;
    tpl.content.childNodes.forEach(function (n) {
      if (n.nodeType === Node.TEXT_NODE) {
        el.appendChild(document.createTextNode(n.textContent));
      } else if (n.nodeName === "MARK") {
        var m = document.createElement("mark");
        m.textContent = n.textContent;
        el.appendChild(m);
      }
    });
  }

  // Similar answers while a member types the question.
  document.querySelectorAll("form[data-similar]").forEach(function (form) {
    var box = document.getElementById(form.dataset.similar);
    var title = form.querySelector("#title");
    var body = form.querySelector("#body");
    var submit = form.querySelector("#ask-submit");
    if (!box || !title) return;
    var label = submit ? submit.textContent : "";
    var seq = 0;
    var last = "";
    function show(hits) {
      box.textContent = "";
      if (!hits.length) {
        box.hidden = true;
        if (submit) submit.textContent = label;
        return;
      }
      var h = document.createElement("h2");
      h.className = "small-h";
      h.textContent = box.dataset.heading;
      var ul = document.createElement("ul");
      ul.className = "compact";
      hits.forEach(function (hit) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = "/answers/" + encodeURIComponent(hit.id);
        a.textContent = hit.title;
        li.appendChild(a);
        if (hit.snippet) {
          li.appendChild(document.createElement("br"));
          var s = document.createElement("span");
          s.className = "snippet";
          appendSnippet(s, hit.snippet);
          li.appendChild(s);
        }
        ul.appendChild(li);
      });
      box.appendChild(h);
      box.appendChild(ul);
      box.hidden = false;
      if (submit && submit.dataset.anyway) submit.textContent = submit.dataset.anyway;
    }
    var lookup = debounce(function () {
      var q = title.value.trim();
      var b = body ? body.value.slice(0, 600) : "";
      var key = q + "\n" + b;
      if (key === last) return;
      last = key;
      if (q.length < 2) {
        show([]);
        return;
      }
      var mine = ++seq;
      var url = "/api/v1/similar?per_page=5&q=" + encodeURIComponent(q) + "&body=" + encodeURIComponent(b);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { hits: [] }; })
        .then(function (res) { if (mine === seq) show(res.hits || []); })
        .catch(function () {});
    }, 350);
    title.addEventListener("input", lookup);
    if (body) body.addEventListener("input", debounce(lookup, 800));
  });

  // Live Markdown preview, rendered by the server exactly as it will be
  // published.
  document.querySelectorAll("textarea[data-preview]").forEach(function (ta) {
    var out = document.getElementById(ta.dataset.preview);
    if (!out) return;
    var seq = 0;
    var render = function () {
      var mine = ++seq;
      fetch("/preview", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ text: ta.value })
      }).then(function (r) {
        return r.text().then(function (t) { return { ok: r.ok, text: t }; });
      }).then(function (res) {
        if (mine !== seq) return;
        if (res.ok) {
          out.innerHTML = res.text; // sanitised HTML from the server's renderer
          if (window.answerbookTypeset) window.answerbookTypeset(out);
        } else {
          out.textContent = "";
          var p = document.createElement("p");
          p.className = "error";
          p.textContent = res.text;
          out.appendChild(p);
        }
      }).catch(function () {});
    };
    ta.addEventListener("input", debounce(render, 400));
    // A draft or an edit opens with text: show its preview at once.
    if (ta.value.trim() !== "" && out.querySelector(".muted")) render();
  });

  // Drafts saved on the server while the expert writes.
  document.querySelectorAll("form[data-draft]").forEach(function (form) {
    var status = form.querySelector("#draft-status");
    var dirty = false;
    var save = debounce(function () {
      if (!dirty) return;
      dirty = false;
      fetch(form.dataset.draft, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(new FormData(form))
      }).then(function (r) { return r.json(); })
        .then(function (res) {
          if (status) status.textContent = res.message || res.error || "";
          if (res.error) dirty = true;
        })
        .catch(function () { dirty = true; });
    }, 1500);
    form.addEventListener("input", function () { dirty = true; save(); });
    form.addEventListener("submit", function () { dirty = false; });
  });

  // Copy a token to the clipboard.
  document.querySelectorAll("button[data-copy]").forEach(function (btn) {
    var src = document.getElementById(btn.dataset.copy);
    if (!src || !navigator.clipboard) return;
    btn.hidden = false;
    btn.addEventListener("click", function () {
      navigator.clipboard.writeText(src.textContent).then(function () {
        btn.textContent = btn.dataset.copied;
      });
    });
  });
  // The tag filter: the list narrows as one types (the form's ?q= does the
  // same without this file).
  document.querySelectorAll("form[data-tag-filter]").forEach(function (form) {
    var list = document.getElementById(form.dataset.tagFilter);
    var input = form.querySelector("input[name=q]");
    if (!list || !input) return;
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      list.querySelectorAll("li[data-tag]").forEach(function (li) {
        li.hidden = q !== "" && li.dataset.tag.indexOf(q) < 0;
      });
    });
  });
  // Queue shortcuts: j/k move, a answers, d ticks for declining (and
  // opens the decline box), ? shows the list of keys. Not while typing.
  document.querySelectorAll("ol[data-keys]").forEach(function (list) {
    var items = Array.prototype.slice.call(list.querySelectorAll("li[data-answer]"));
    var help = document.getElementById(list.dataset.keys);
    if (!items.length) return;
    var at = -1;
    function select(i) {
      if (at >= 0) items[at].classList.remove("selected");
      at = Math.max(0, Math.min(items.length - 1, i));
      items[at].classList.add("selected");
      items[at].setAttribute("tabindex", "-1");
      items[at].focus();
    }
    document.addEventListener("keydown", function (e) {
      var t = e.target;
      if (e.ctrlKey || e.metaKey || e.altKey || (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)))) return;
      switch (e.key) {
        case "j": select(at + 1); break;
        case "k": select(at < 0 ? 0 : at - 1); break;
        case "a": if (at >= 0) location.href = items[at].dataset.answer; break;
        case "d":
          if (at < 0) return;
          var box = items[at].querySelector("input[type=checkbox]");
          if (box) box.checked = !box.checked;
          var bulk = document.querySelector("details.bulk");
          if (bulk) bulk.open = true;
          break;
        case "?": if (help) help.open = !help.open; break;
        default: return;
      }
      e.preventDefault();
    });
  });
  // Images in answers: choosing a file, or pasting or dropping an image
  // into either text of the editor, uploads it (POST /images) and puts its
  // Markdown at the cursor. Without this file the image form opens the
  // line to copy in a new tab.
  document.querySelectorAll("[data-image-upload]").forEach(function (box) {
    var input = box.querySelector("input[type=file]");
    var status = box.querySelector("[role=status]");
    var form = input && input.form;
    var editor = box.closest("form");
    var target = document.getElementById(box.dataset.imageUpload);
    if (!input || !form || !editor || !target) return;
    box.querySelectorAll("[data-nojs]").forEach(function (el) { el.hidden = true; });
    var max = Number(box.dataset.max) || 0;
    function say(text, bad) {
      status.textContent = text;
      status.classList.toggle("error", !!bad);
    }
    // An image is a paragraph of its own: blank lines around it.
    function insert(ta, md) {
      var s = ta.selectionStart, e = ta.selectionEnd, pre = ta.value.slice(0, s), post = ta.value.slice(e);
      var lead = pre === "" || /\n\n$/.test(pre) ? "" : /\n$/.test(pre) ? "\n" : "\n\n";
      var trail = /^\n\n/.test(post) ? "" : /^\n/.test(post) ? "\n" : "\n\n";
      var text = lead + md + trail;
      ta.focus();
      ta.setRangeText(text, s, e, "end");
      // The preview and the draft follow the text.
      ta.dispatchEvent(new Event("input", { bubbles: true }));
    }
    function upload(file, ta) {
      if (max && file.size > max) {
        say(box.dataset.tooLarge, true);
        return;
      }
      say(box.dataset.uploading);
      var body = new FormData();
      body.append("file", file);
      fetch(form.action, { method: "POST", credentials: "same-origin", headers: { Accept: "application/json" }, body: body })
        .then(function (r) {
          return r.json().then(function (res) { return { ok: r.ok, res: res }; }, function () { return { ok: false, res: {} }; });
        })
        .then(function (x) {
          if (!x.ok || !x.res.markdown) {
            say(x.res.error || box.dataset.failed, true);
            return;
          }
          insert(ta, x.res.markdown);
          say(x.res.message || "");
        })
        .catch(function () { say(box.dataset.failed, true); });
    }
    // The button and the file field put the image where the cursor was
    // last, in the answer unless the question was being written.
    editor.querySelectorAll("textarea").forEach(function (ta) {
      ta.addEventListener("focus", function () { target = ta; });
      ta.addEventListener("paste", function (e) {
        var files = e.clipboardData ? e.clipboardData.files : [];
        if (!files.length) return;
        e.preventDefault();
        upload(files[0], ta);
      });
      ta.addEventListener("dragover", function (e) {
        if (e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types, "Files") >= 0) e.preventDefault();
      });
      ta.addEventListener("drop", function (e) {
        var files = e.dataTransfer ? e.dataTransfer.files : [];
        if (!files.length) return;
        e.preventDefault();
        ta.focus();
        upload(files[0], ta);
      });
    });
    input.addEventListener("change", function () {
      if (input.files.length) upload(input.files[0], target);
      input.value = "";
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (input.files.length) upload(input.files[0], target);
    });
  });
})();
