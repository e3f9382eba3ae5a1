// 相似意见 / 相关问题 while a citizen types a title, so duplicates are caught before filing.
(function () {
  "use strict";
  var title = document.getElementById("title");
  var box = document.getElementById("similar");
  if (!title || !box) { return; }
  var timer = null;
  var last = "";

  function item(list, entry, link) {
    var li = document.createElement("li");
    if (link && entry.url) {
      var a = document.createElement("a");
      a.href = entry.url;
      a.textContent = (entry.code ? entry.code + " " : "") + entry.title;
      li.appendChild(a);
    } else {
      li.textContent = entry.title;
    }
    if (entry.status) { li.appendChild(document.createTextNode("（" + entry.status + "）")); }
    list.appendChild(li);
  }

  function show(data) {
    box.textContent = "";
    if (!data.opinions.length && !data.problems.length) { box.hidden = true; return; }
    box.hidden = false;
    var intro = document.createElement("p");
    intro.textContent = "以下内容可能与您要反映的问题相同，可先看看办理情况：";
    box.appendChild(intro);
    [["相关问题（已列入清单）", data.problems, true], ["相似意见", data.opinions, false]].forEach(function (group) {
      if (!group[1].length) { return; }
      var heading = document.createElement("strong");
      heading.textContent = group[0];
      box.appendChild(heading);
      var list = document.createElement("ul");
      group[1].forEach(function (entry) { item(list, entry, group[2]); });
      box.appendChild(list);
    });
  }

  function lookup() {
    var text = title.value.trim();
    if (text.length < 4 || text === last) { return; }
    last = text;
    fetch("/api/v1/similar?text=" + encodeURIComponent(text), { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { show(data); } })
      .catch(function () { /* offline or busy: the form works without it */ });
  }

  title.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookup, 400);
  });
})();
