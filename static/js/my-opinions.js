// 我的意见: this browser remembers the tracking codes it submitted or looked up (no account),
// lists them at /my, and copies a code with one tap. Nothing leaves the browser.
(function () {
  "use strict";
  var KEY = "lianxin.codes";
  function load() {
    try { return JSON.parse(window.localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function store(list) {
    try { window.localStorage.setItem(KEY, JSON.stringify(list.slice(0, 50))); } catch (e) { /* private mode */ }
  }
  function remember(code, title) {
    var list = load().filter(function (c) { return c.code !== code; });
    list.unshift({ code: code, title: title || "", at: new Date().toISOString().slice(0, 10) });
    store(list);
  }
  function copy(code, button) {
    var done = function () { button.textContent = "已复制"; setTimeout(function () { button.textContent = "复制查询码"; }, 2000); };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(code).then(done, function () { window.prompt("请长按复制查询码", code); });
    } else {
      window.prompt("请长按复制查询码", code);
    }
  }
  document.querySelectorAll("[data-remember-code]").forEach(function (el) {
    remember(el.getAttribute("data-remember-code"), el.getAttribute("data-title"));
  });
  document.querySelectorAll("[data-copy-code]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { copy(button.getAttribute("data-copy-code"), button); });
  });
  var mine = document.getElementById("my-codes");
  if (!mine) { return; }
  var template = document.getElementById("my-code-row");
  var list = load();
  document.getElementById("my-empty").hidden = list.length > 0;
  document.getElementById("my-nojs").hidden = true;
  list.forEach(function (c) {
    var row = template.content.cloneNode(true);
    row.querySelector(".my-code").textContent = c.code;
    row.querySelector(".my-title").textContent = c.title ? c.title + " · " + c.at : c.at;
    row.querySelector("input[name=code]").value = c.code;
    var copyButton = row.querySelector(".my-copy");
    copyButton.addEventListener("click", function () { copy(c.code, copyButton); });
    row.querySelector(".my-forget").addEventListener("click", function (event) {
      store(load().filter(function (x) { return x.code !== c.code; }));
      event.target.closest("li").remove();
      document.getElementById("my-empty").hidden = load().length > 0;
    });
    mine.appendChild(row);
  });
})();
