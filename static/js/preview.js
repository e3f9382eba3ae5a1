// The report editor's live preview: the body, rendered and cleaned by the server exactly as the
// public page will show it, a moment after the editor stops typing. Without script the 预览
// button does the same by reloading the page.
(function () {
  "use strict";
  var body = document.getElementById("body_md");
  var out = document.getElementById("live-preview");
  var form = body && body.form;
  if (!body || !out || !form) { return; }
  var token = form.querySelector("input[name=csrf_token]");
  var timer = null;
  var sent = body.value;

  function render() {
    if (body.value === sent) { return; }
    sent = body.value;
    var data = new URLSearchParams();
    data.set("csrf_token", token ? token.value : "");
    data.set("body_md", sent);
    fetch("/publicity/preview", { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { if (sent === body.value) { out.innerHTML = html; } })
      .catch(function () { /* the 预览 button still works */ });
  }

  // Leaving with unsaved text (another button's form, a link) asks first.
  var dirty = false;
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (e) {
    if (dirty) { e.preventDefault(); e.returnValue = ""; }
  });

  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(render, 600);
  });
})();
