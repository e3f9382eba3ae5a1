// 智能问答 without reloading the page: the form still works without this script (each message
// is then a form post). Answers go into a live region so screen readers read them out.
(function () {
  "use strict";
  var form = document.getElementById("chat-form");
  if (!form || !window.fetch) { return; }
  var log = document.getElementById("chat-log");
  var cards = document.getElementById("chat-cards");
  var suggestions = document.getElementById("chat-suggestions");
  var input = document.getElementById("chat-message");
  var session = form.querySelector("input[name=session]");
  var KEY = "lianxin.chat";
  try { if (!session.value) { session.value = window.sessionStorage.getItem(KEY) || ""; } } catch (e) { /* private mode */ }

  function bubble(text, bot) {
    var li = document.createElement("li");
    li.className = "bubble " + (bot ? "bot" : "me");
    var who = document.createElement("span");
    who.className = "visually-hidden";
    who.textContent = bot ? "智能问答：" : "我：";
    li.appendChild(who);
    li.appendChild(document.createTextNode(text));
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
    return li;
  }

  function vote(li, messageId) {
    var box = document.createElement("div");
    box.className = "chat-vote";
    box.appendChild(document.createTextNode("这个回答有帮助吗？"));
    [["有帮助", true], ["没帮助", false]].forEach(function (pair) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "small-button";
      b.textContent = pair[0];
      b.addEventListener("click", function () {
        fetch("/api/v1/chat/feedback", { method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ session: session.value, message_id: messageId, helpful: pair[1] }) });
        box.textContent = "谢谢您的反馈。";
      });
      box.appendChild(b);
    });
    li.appendChild(box);
  }

  function show(reply) {
    var li = bubble(reply.reply, true);
    cards.textContent = "";
    if (reply.cards.length) {
      var ul = document.createElement("ul");
      ul.className = "chat-cards";
      reply.cards.forEach(function (c) {
        var item = document.createElement("li");
        var a = document.createElement("a");
        a.href = c.url;
        a.textContent = c.title;
        item.appendChild(a);
        if (c.status) { var s = document.createElement("span"); s.className = "badge"; s.textContent = c.status; item.appendChild(document.createTextNode(" ")); item.appendChild(s); }
        var src = document.createElement("span"); src.className = "muted"; src.textContent = " 来源：" + c.source;
        item.appendChild(src);
        ul.appendChild(item);
      });
      cards.appendChild(ul);
    }
    suggestions.textContent = "";
    reply.suggestions.forEach(function (text) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "small-button";
      b.textContent = text;
      b.addEventListener("click", function () { send(text); });
      suggestions.appendChild(b);
    });
    if (reply.intent !== "emergency") { vote(li, reply.message_id); }
  }

  function send(text) {
    text = text.trim();
    if (!text) { input.focus(); return; }
    bubble(text, false);
    input.value = "";
    fetch("/api/v1/chat", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ session: session.value || null, message: text }) })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (!res.ok) { bubble((res.body.error && res.body.error.message) || "暂时无法回答，请稍后再试。", true); return; }
        session.value = res.body.session;
        try { window.sessionStorage.setItem(KEY, res.body.session); } catch (e) { /* private mode */ }
        show(res.body);
      })
      .catch(function () { bubble("网络不通，请稍后再试，或拨打 12345。", true); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var clicked = event.submitter && event.submitter.name === "message" ? event.submitter.value : input.value;
    send(clicked);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); send(input.value); }
  });
})();
