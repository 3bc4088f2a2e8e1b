/*
 * The screener's chat widget: one classic script, no framework, no build step.
 * It talks to Rasa's socket.io channel (channels/socketio.py) and loads
 * widget.css and vendor/socket.io.min.js from next to itself.
 * Options are data- attributes on its script tag; see web/README.md.
 *
 * Safety rule for this file: text from a message or from the person only ever
 * reaches the page through textContent / text nodes, never as HTML.
 */
(function () {
  "use strict";

  const script = document.currentScript;
  if (!script) return; // loaded as a module or injected late: no data- options to read

  const STRINGS = {
    en: {
      title: "Check if this study might suit you",
      close: "Close",
      log: "Conversation",
      bot: "Screener said:",
      you: "You said:",
      replies: "Suggested answers",
      input: "Your answer",
      placeholder: "Type your answer",
      send: "Send",
      typing: "The screener is typing…",
      progress: "Question {number} of about {total}",
      progressDone: "All questions answered",
      save: ["Save", " summary"], // on a phone only the first part shows; readers hear both
      print: ["Print", " summary"],
      startOver: "Start over",
      confirmStartOver: "Start over? This clears the conversation on this page.",
      newTab: "(opens in a new tab)",
      connecting: "Connecting…",
      reconnected: "Connected again.",
      lost: "Connection lost. Trying again…",
      unreachable: "Cannot reach the screener right now. Trying again…",
      noScript: "The chat could not be loaded. Please try again later.",
      savedOn: "Saved on {date}.",
    },
    zh: {
      title: "看看这项研究是否适合您",
      close: "关闭",
      log: "对话",
      bot: "筛查助手：",
      you: "您：",
      replies: "建议的回答",
      input: "您的回答",
      placeholder: "请输入您的回答",
      send: "发送",
      typing: "筛查助手正在输入…",
      progress: "第 {number} 题，共约 {total} 题",
      progressDone: "所有问题已回答",
      save: ["保存", "摘要"],
      print: ["打印", "摘要"],
      startOver: "重新开始",
      confirmStartOver: "要重新开始吗？本页上的对话将被清除。",
      newTab: "（在新标签页中打开）",
      connecting: "正在连接…",
      reconnected: "已重新连接。",
      lost: "连接已断开，正在重试…",
      unreachable: "暂时无法连接筛查助手，正在重试…",
      noScript: "聊天无法加载，请稍后再试。",
      savedOn: "保存于 {date}。",
    },
  };
  const KINDS = ["question", "recap", "summary"];

  const options = script.dataset;
  const lang = STRINGS[options.lang] ? options.lang : "en";
  const t = STRINGS[lang];
  const format = (text, values) => text.replace(/\{(\w+)\}/g, (_, key) => values[key]);
  const serverUrl = (options.serverUrl || "http://127.0.0.1:5005").replace(/\/+$/, "");
  const title = options.title || t.title;
  const here = script.src;
  const uid = "scr-" + Math.random().toString(36).slice(2, 8);

  // ---- Saved state: sessionStorage keeps the conversation across reloads and
  // forgets it when the tab closes (health answers on a shared computer).
  const storageKey = "nct-screener:" + serverUrl;
  const state = readState();

  function readState() {
    const fresh = { sessionId: null, greeted: false, transcript: [], replies: [], progress: null, open: false };
    try {
      const saved = Object.assign(fresh, JSON.parse(sessionStorage.getItem(storageKey) || "{}"));
      const texts = (list, keys) =>
        Array.isArray(list) && list.every((item) => item && keys.every((key) => typeof item[key] === "string"));
      const p = saved.progress;
      const count = p && Number.isInteger(p.total) && p.total > 0 && (p.done || Number.isInteger(p.number));
      if (p && !count) saved.progress = null;
      if (texts(saved.transcript, ["from", "text"]) && texts(saved.replies, ["title", "payload"])) return saved;
    } catch (_) {
      // storage blocked or damaged: start afresh
    }
    return fresh;
  }

  function saveState() {
    try {
      sessionStorage.setItem(storageKey, JSON.stringify(state));
    } catch (_) {
      // Storage blocked (private mode, full): the chat still works, only reloads forget it.
    }
  }

  // ---- DOM helpers. `text` sets textContent; children are nodes or strings (text nodes).
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (name === "text") node.textContent = value;
      else if (name === "class") node.className = value;
      else if (value === true) node.setAttribute(name, "");
      else if (value !== false && value != null) node.setAttribute(name, value);
    }
    node.append(...children);
    return node;
  }

  // ---- Colours: the embedder's colour is used as given when text on it and it
  // on white keep 4.5:1; a colour too light is darkened until they do (WCAG AA).
  function luminance(rgb) {
    const [r, g, b] = rgb.map((c) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }

  function accessibleColour(value) {
    const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec((value || "").trim());
    if (!hex) return null;
    const digits = hex[1].length === 3 ? hex[1].replace(/./g, "$&$&") : hex[1];
    let rgb = [0, 2, 4].map((i) => parseInt(digits.slice(i, i + 2), 16));
    // Links sit on the bot bubble's grey (#eef1f4), darker than white; white text sits on the colour.
    const grey = luminance([0xee, 0xf1, 0xf4]);
    while ((grey + 0.05) / (luminance(rgb) + 0.05) < 4.5 && rgb.some((c) => c > 0)) {
      rgb = rgb.map((c) => Math.floor(c * 0.9));
    }
    return "rgb(" + rgb.join(", ") + ")";
  }

  // ---- Links: URLs (https only), e-mail addresses, international phone numbers
  // and the emergency numbers after "call" become <a> elements built from text.
  const LINKS =
    /(https:\/\/[^\s<>"'`]+)|([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})|(\+\d[\d ()-]{6,}\d)|(\b(?:call|hotline)\s+)(\d{3,6})\b/gi;

  function linkified(text) {
    const parts = [];
    let last = 0;
    for (const match of text.matchAll(LINKS)) {
      const [whole, url, email, phone, callWord, short] = match;
      let start = match.index;
      let end = start + whole.length;
      let link = null;
      if (url) {
        const trimmed = url.replace(/[.,;:!?)\]]+$/, "");
        end = start + trimmed.length;
        if (isHttps(trimmed)) {
          link = el("a", { href: trimmed, target: "_blank", rel: "noopener noreferrer" }, trimmed);
          link.append(el("span", { class: "scr-sr", text: " " + t.newTab }));
        }
      } else if (email) {
        link = el("a", { href: "mailto:" + email, text: email });
      } else if (phone) {
        link = el("a", { href: "tel:+" + phone.replace(/\D/g, ""), text: phone });
      } else if (short) {
        start += callWord.length;
        link = el("a", { href: "tel:" + short, text: short });
      }
      if (!link) continue;
      parts.push(text.slice(last, start), link);
      last = end;
    }
    parts.push(text.slice(last));
    return parts.filter((part) => part !== "");
  }

  function isHttps(text) {
    try {
      return new URL(text).protocol === "https:";
    } catch (_) {
      return false;
    }
  }

  // ---- The widget's elements.
  const ids = { title: uid + "-title", progress: uid + "-progress", input: uid + "-input", panel: uid + "-panel" };
  const shortLabel = ([first, more]) => [first, el("span", { class: "scr-more", text: more })];
  const saveButton = el("button", { type: "button", class: "scr-tool", hidden: true }, ...shortLabel(t.save));
  const printButton = el("button", { type: "button", class: "scr-tool", hidden: true }, ...shortLabel(t.print));
  const startOverButton = el("button", { type: "button", class: "scr-tool", text: t.startOver });
  const tools = el("div", { class: "scr-tools" }, saveButton, printButton, startOverButton);
  const header = el("div", { class: "scr-header" }, el("h2", { id: ids.title, class: "scr-title", text: title }), tools);
  const progressLabel = el("span", { id: ids.progress });
  const progressBar = el("progress", { "aria-labelledby": ids.progress });
  const progress = el("div", { class: "scr-progress", hidden: true }, progressLabel, progressBar);
  // A log is a polite live region: screen readers read each new message once.
  const log = el("div", { class: "scr-log", role: "log", "aria-label": t.log, tabindex: "0" });
  const typing = el(
    "div",
    { class: "scr-typing", hidden: true },
    el("span", { class: "scr-dots", "aria-hidden": "true" }, el("span"), el("span"), el("span")),
    el("span", { text: t.typing }),
  );
  const replies = el("div", { class: "scr-replies", role: "group", "aria-label": t.replies, hidden: true });
  const status = el("p", { class: "scr-status", role: "status" });
  const input = el("input", {
    id: ids.input,
    class: "scr-input",
    type: "text",
    autocomplete: "off",
    enterkeyhint: "send",
    maxlength: "1000",
    placeholder: t.placeholder,
  });
  const sendButton = el("button", { type: "submit", class: "scr-send", disabled: true, text: t.send });
  const form = el(
    "form",
    { class: "scr-form" },
    el("label", { for: ids.input, class: "scr-sr", text: t.input }),
    input,
    sendButton,
  );
  const panel = el(
    "section",
    { id: ids.panel, class: "scr", lang: lang, "aria-labelledby": ids.title },
    header,
    progress,
    log,
    typing,
    replies,
    status,
    form,
  );

  // ---- Rendering.
  function messageNode(item) {
    const text = el("div", { class: "scr-text" });
    text.append(...(item.from === "bot" ? linkified(item.text) : [item.text]));
    const kind = item.kind ? " scr-kind-" + item.kind : "";
    return el(
      "div",
      { class: "scr-msg scr-msg-" + item.from + kind },
      el("span", { class: "scr-sr", text: (item.from === "bot" ? t.bot : t.you) + " " }),
      text,
    );
  }

  function addMessage(item) {
    state.transcript.push(item);
    log.append(messageNode(item));
    scrollToEnd();
  }

  function renderTranscript() {
    log.replaceChildren(...state.transcript.map(messageNode));
    renderReplies();
    renderProgress();
    renderSummaryTools();
    scrollToEnd();
  }

  function renderReplies() {
    const buttons = state.replies.map((reply) => {
      const button = el("button", { type: "button", class: "scr-reply", text: reply.title });
      button.addEventListener("click", (event) => {
        if (!send(reply.payload, reply.title)) return;
        // The button is gone, so focus must go somewhere: the answer box after a key press (detail 0),
        // else the conversation, so that a tap does not pop up a phone's keyboard.
        if (event.detail === 0) input.focus();
        else log.focus({ preventScroll: true });
      });
      return button;
    });
    replies.replaceChildren(...buttons);
    replies.hidden = buttons.length === 0;
    buttons.forEach((button) => (button.disabled = !ready));
  }

  function renderProgress() {
    const p = state.progress;
    progress.hidden = !p;
    if (!p) return;
    progressBar.max = p.total;
    progressBar.value = p.done ? p.total : p.number;
    progressLabel.textContent = p.done ? t.progressDone : format(t.progress, p);
  }

  function renderSummaryTools() {
    const has = summaryIndex() >= 0;
    saveButton.hidden = !has;
    printButton.hidden = !has;
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  // When the widget changes size (a phone turned, the keyboard opened), keep the newest
  // message in view, unless the person had scrolled back to read.
  let atEnd = true;
  log.addEventListener("scroll", () => (atEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 24));
  if (window.ResizeObserver) new ResizeObserver(() => atEnd && scrollToEnd()).observe(log);

  // ---- The summary for the person's doctor: the summary message and the bot
  // messages right after it (guidance, contacts, reference).
  function summaryIndex() {
    for (let i = state.transcript.length - 1; i >= 0; i--) {
      if (state.transcript[i].kind === "summary") return i;
    }
    return -1;
  }

  function summaryTexts() {
    const start = summaryIndex();
    const texts = [];
    for (let i = start; i >= 0 && i < state.transcript.length && state.transcript[i].from === "bot"; i++) {
      texts.push(state.transcript[i].text);
    }
    return texts;
  }

  function summaryFileName(text) {
    const registryId = /\bNCT\d{8}\b/.exec(text);
    return (registryId ? registryId[0] + "-" : "") + "screening-summary.txt";
  }

  saveButton.addEventListener("click", () => {
    const date = new Date().toLocaleDateString(lang);
    const text = [title, ...summaryTexts(), format(t.savedOn, { date })].join("\n\n") + "\n";
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
    const link = el("a", { href: url, download: summaryFileName(text), hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  });

  printButton.addEventListener("click", () => {
    // The print stylesheet hides everything but this sheet, on any host page.
    document.querySelectorAll(".scr-print").forEach((old) => old.remove());
    const sheet = el("div", { class: "scr-print", lang: lang }, el("h1", { text: title }));
    sheet.append(...summaryTexts().map((text) => el("p", { text: text })));
    document.body.append(sheet);
    document.documentElement.classList.add("scr-printing");
    window.addEventListener(
      "afterprint",
      () => {
        document.documentElement.classList.remove("scr-printing");
        sheet.remove();
      },
      { once: true },
    );
    window.print();
  });

  // ---- Talking to the server.
  let socket = null;
  let ready = false; // connected and the session confirmed: only then can anything be sent
  let everConnected = false;

  function setReady(value) {
    ready = value;
    sendButton.disabled = !value;
    startOverButton.disabled = !value;
    replies.querySelectorAll("button").forEach((button) => (button.disabled = !value));
    if (!value) typing.hidden = true;
  }

  function setStatus(text, problem) {
    if (status.textContent !== text) status.textContent = text;
    status.classList.toggle("scr-problem", Boolean(problem));
  }

  function send(payload, shown) {
    if (!ready || !payload) return false;
    socket.emit("user_uttered", { message: payload });
    if (shown) addMessage({ from: "user", text: shown });
    state.replies = [];
    renderReplies();
    saveState();
    return true;
  }

  function onBotMessage(message) {
    if (!message || typeof message !== "object") return;
    const text = typeof message.text === "string" ? message.text : "";
    const kind = KINDS.includes(message.kind) ? message.kind : undefined;
    if (text) addMessage(kind ? { from: "bot", text, kind } : { from: "bot", text });
    const quick = Array.isArray(message.quick_replies) ? message.quick_replies : [];
    const offered = quick
      .filter((r) => r && (typeof r.title === "string" || typeof r.payload === "string"))
      .map((r) => ({ title: String(r.title || r.payload), payload: String(r.payload || r.title) }));
    if (offered.length) state.replies = offered;
    const p = message.progress;
    if (p && Number.isInteger(p.number) && Number.isInteger(p.total) && p.total > 0) {
      state.progress = { number: Math.min(p.number, p.total), total: p.total };
    } else if ((kind === "recap" || kind === "summary") && state.progress) {
      state.progress = { done: true, total: state.progress.total };
    }
    renderReplies();
    renderProgress();
    renderSummaryTools();
    saveState();
  }

  function connect() {
    if (socket) return;
    setStatus(t.connecting);
    socket = window.io(serverUrl, { path: options.socketPath || "/socket.io" });
    socket.on("connect", () => socket.emit("session_request", { session_id: state.sessionId }));
    socket.on("session_confirm", (sessionId) => {
      if (typeof sessionId !== "string") return;
      if (state.sessionId && sessionId !== state.sessionId) {
        // The server did not take our id back, so its conversation is new: ours is stale.
        Object.assign(state, { greeted: false, transcript: [], replies: [], progress: null });
        renderTranscript();
      }
      state.sessionId = sessionId;
      setStatus(everConnected ? t.reconnected : "");
      if (everConnected) setTimeout(() => status.textContent === t.reconnected && setStatus(""), 5000);
      everConnected = true;
      setReady(true);
      saveState();
      if (!state.greeted && state.transcript.length === 0) {
        // Open the conversation so the person sees what this is without typing first.
        state.greeted = true;
        saveState();
        send("/greet");
      }
    });
    socket.on("bot_uttered", onBotMessage);
    socket.on("bot_typing", (data) => {
      typing.hidden = !(ready && data && data.typing === true);
      scrollToEnd();
    });
    socket.on("disconnect", (reason) => {
      setReady(false);
      setStatus(t.lost, true);
      // The server closed the socket on purpose; socket.io only retries by itself after network failures.
      if (reason === "io server disconnect") setTimeout(() => socket.connect(), 2000);
    });
    socket.on("connect_error", () => {
      setReady(false);
      setStatus(everConnected ? t.lost : t.unreachable, true);
    });
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (text && send(text, text)) input.value = "";
    input.focus();
  });

  startOverButton.addEventListener("click", () => {
    if (!ready || !window.confirm(t.confirmStartOver)) return;
    Object.assign(state, { transcript: [], replies: [], progress: null, greeted: true });
    renderTranscript();
    send("/start_over"); // the bot's own start-over payload: confirmed above, so it starts at once
    input.focus();
  });

  // ---- Placement: inside data-container, or a floating launcher button.
  function mount() {
    const container = options.container ? document.querySelector(options.container) : null;
    if (container) {
      container.append(panel);
      return true;
    }
    panel.classList.add("scr-floating");
    const launcher = el("button", {
      type: "button",
      class: "scr-launcher",
      "aria-controls": ids.panel,
      "aria-expanded": "false",
      text: title,
    });
    if (colour) launcher.style.setProperty("--scr-accent", colour);
    const closeButton = el("button", { type: "button", class: "scr-tool", text: t.close });
    tools.append(closeButton);
    const show = (open, focus) => {
      state.open = open;
      saveState();
      panel.hidden = !open;
      launcher.setAttribute("aria-expanded", String(open));
      if (open) {
        loaded.then(connect);
        if (focus) input.focus();
      } else if (focus) {
        launcher.focus();
      }
    };
    launcher.addEventListener("click", () => show(panel.hidden, true));
    closeButton.addEventListener("click", () => show(false, true));
    panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") show(false, true);
    });
    document.body.append(el("aside", { class: "scr-root", "aria-label": title }, launcher, panel));
    show(Boolean(state.open), false);
    return state.open;
  }

  function load(tag, attrs) {
    return new Promise((resolve, reject) => {
      const node = el(tag, attrs);
      node.addEventListener("load", resolve);
      node.addEventListener("error", reject);
      document.head.append(node);
    });
  }

  const colour = accessibleColour(options.primaryColor);
  if (colour) panel.style.setProperty("--scr-accent", colour);
  const styled = load("link", { rel: "stylesheet", href: new URL("widget.css", here).href });
  const loaded = window.io
    ? Promise.resolve()
    : load("script", { src: new URL("vendor/socket.io.min.js", here).href });
  loaded.catch(() => setStatus(t.noScript, true));
  setReady(false);
  renderTranscript();
  // Shown once styled, so the page never flashes an unstyled chat.
  styled.finally(() => {
    const open = mount();
    scrollToEnd();
    if (open) loaded.then(connect);
  });
})();
