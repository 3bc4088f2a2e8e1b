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
      tag: "en", // the lang attribute
      name: "English", // how the control that chooses this language reads, in this language
      choose: "Language", // the control's accessible group name
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
      progressDone: "All questions answered",
      showDetails: "Show details",
      hideDetails: "Hide details",
      forDoctor: "For your doctor:",
      print: "Print or save as PDF",
      save: "Save as text",
      startOver: "Start over",
      confirmStartOver: "Start over? This clears the conversation on this page.",
      newTab: "(opens in a new tab)",
      connecting: "Connecting…",
      reconnected: "Connected again.",
      lost: "Connection lost. Trying again…",
      unreachable: "Cannot reach the screener right now. Trying again…",
      noScript: "The chat could not be loaded. Please try again later.",
    },
    zh: {
      tag: "zh-CN",
      name: "中文",
      choose: "语言",
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
      progressDone: "所有问题已回答",
      showDetails: "显示详情",
      hideDetails: "隐藏详情",
      forDoctor: "给您的医生：",
      print: "打印或存为 PDF",
      save: "存为文本",
      startOver: "重新开始",
      confirmStartOver: "要重新开始吗？本页上的对话将被清除。",
      newTab: "（在新标签页中打开）",
      connecting: "正在连接…",
      reconnected: "已重新连接。",
      lost: "连接已断开，正在重试…",
      unreachable: "暂时无法连接筛查助手，正在重试…",
      noScript: "聊天无法加载，请稍后再试。",
    },
  };
  // "which_answer" (after "Change an answer") shows its buttons as a list under the parts' headings;
  // "restarted" (a start over the person confirmed) clears the conversation before it, as our own control does.
  const KINDS = ["question", "recap", "result", "next_steps", "details", "which_answer", "restarted"];
  const OUTCOMES = ["may_fit", "needs_team", "likely_not"];
  const DETAILS = "/details"; // the bot's "Show details" button: the result card has its own control

  const options = script.dataset;
  const serverUrl = (options.serverUrl || "http://127.0.0.1:5005").replace(/\/+$/, "");
  // The language: data-lang, else the page's own (<html lang="zh-CN">), else English. The person can
  // switch with the widget's control or by typing 中文 / English; the bot's messages say which.
  const known = (tag) => (typeof tag === "string" && STRINGS[tag.split("-")[0].toLowerCase()] ? tag.split("-")[0].toLowerCase() : null);
  const pageLang = known(options.lang) || known(document.documentElement.lang) || "en";
  const titleIn = (code) => (options.title && code === pageLang ? options.title : STRINGS[code].title);
  const here = script.src;
  const uid = "scr-" + Math.random().toString(36).slice(2, 8);

  // ---- Saved state: sessionStorage keeps the conversation across reloads and
  // forgets it when the tab closes (health answers on a shared computer).
  // (Read once the checks below are defined: see `const state`.)
  const storageKey = "nct-screener:" + serverUrl;
  let lang = pageLang;
  let t = STRINGS[lang];

  function readState() {
    const fresh = () => ({
      sessionId: null,
      greeted: false,
      transcript: [],
      replies: [],
      groups: [],
      progress: null,
      open: false,
      lang: pageLang,
    });
    try {
      const saved = Object.assign(fresh(), JSON.parse(sessionStorage.getItem(storageKey) || "{}"));
      const texts = (list, keys) =>
        Array.isArray(list) && list.every((item) => item && keys.every((key) => typeof item[key] === "string"));
      saved.progress = cleanProgress(saved.progress);
      saved.groups = cleanGroups(saved.groups);
      saved.lang = known(saved.lang) || pageLang;
      if (texts(saved.transcript, ["from", "text"]) && texts(saved.replies, ["title", "payload"])) {
        saved.transcript = saved.transcript
          .filter((item) => item.from === "bot" || item.from === "user")
          .map((item) => cleanMessage(item, item.from));
        return saved;
      }
    } catch (_) {
      // storage blocked or damaged: start afresh
    }
    return fresh();
  }

  // ---- What a message may carry besides its text, checked field by field (from the server or
  // from storage): anything of the wrong shape is dropped, and only strings ever reach the page.
  const isText = (value) => typeof value === "string";
  const textList = (value) => (Array.isArray(value) ? value.filter(isText) : []);
  const textRows = (value) =>
    Array.isArray(value) ? value.map(textList).filter((row) => row.length > 0) : [];
  // Buttons: {title, payload} (texts), either one standing for a missing other.
  const filled = (value) => (isText(value) && value ? value : null);
  const cleanReplies = (list) =>
    (Array.isArray(list) ? list : [])
      .filter((r) => r && (filled(r.title) || filled(r.payload)))
      .map((r) => ({ title: filled(r.title) || r.payload, payload: filled(r.payload) || r.title }));

  // A list's groups: [{heading, replies}], a heading ("" for none) over its buttons.
  function cleanGroups(groups) {
    return (Array.isArray(groups) ? groups : [])
      .filter((group) => group && isText(group.heading))
      .map((group) => ({ heading: group.heading, replies: cleanReplies(group.replies || group.buttons) }))
      .filter((group) => group.replies.length > 0);
  }

  // The buttons of a "which_answer" message as a list: under the parts' headings (its `groups`), and any
  // button no group holds after them, under none. Only buttons the message offers are listed.
  function listGroups(offered, groups) {
    const payloads = new Set(offered.map((reply) => reply.payload));
    const listed = new Set();
    const once = (reply) => {
      if (!payloads.has(reply.payload) || listed.has(reply.payload)) return false;
      listed.add(reply.payload);
      return true;
    };
    const result = cleanGroups(groups)
      .map((group) => ({ heading: group.heading, replies: group.replies.filter(once) }))
      .filter((group) => group.replies.length > 0);
    const rest = offered.filter((reply) => !listed.has(reply.payload));
    if (rest.length) result.push({ heading: "", replies: rest });
    return result;
  }

  function cleanMessage(message, from) {
    const item = { from, text: isText(message.text) ? message.text : "" };
    if (KINDS.includes(message.kind)) item.kind = message.kind;
    if (item.kind !== "result") return item;
    if (OUTCOMES.includes(message.outcome)) item.outcome = message.outcome;
    item.details = (Array.isArray(message.details) ? message.details : [])
      .filter((group) => group && isText(group.heading) && Array.isArray(group.items))
      .map((group) => ({
        heading: group.heading,
        items: group.items.filter((i) => i && isText(i.criterion) && isText(i.reason)),
      }));
    item.report = cleanReport(message.report);
    return item;
  }

  function cleanReport(report) {
    if (!report || typeof report !== "object" || !isText(report.title)) return null;
    const sections = (Array.isArray(report.sections) ? report.sections : [])
      .filter((section) => section && isText(section.heading))
      .map((section) => ({
        heading: section.heading,
        columns: textList(section.columns),
        rows: textRows(section.rows),
        items: textList(section.items),
      }));
    return {
      lang: known(report.lang) ? STRINGS[known(report.lang)].tag : t.tag,
      title: report.title,
      registryId: isText(report.registry_id) ? report.registry_id : "",
      date: isText(report.date) ? report.date : "",
      facts: textRows(report.facts),
      outcome: textList(report.outcome),
      sections,
      note: isText(report.note) ? report.note : "",
    };
  }

  function cleanProgress(p) {
    if (!p || !Number.isInteger(p.total) || p.total <= 0) return null;
    if (p.done) return { done: true, total: p.total };
    if (!Number.isInteger(p.number) || !isText(p.label)) return null;
    return { number: Math.min(Math.max(p.number, 1), p.total), total: p.total, label: p.label };
  }

  // The saved conversation, read only now: its checks above are constants, not hoisted functions.
  const state = readState();
  lang = state.lang;
  t = STRINGS[lang];

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
  const startOverButton = el("button", { type: "button", class: "scr-tool" });
  // One button per other language, named in that language ("中文" on an English chat).
  const languageButtons = Object.keys(STRINGS).map((code) => {
    const button = el("button", { type: "button", class: "scr-tool", lang: STRINGS[code].tag, text: STRINGS[code].name });
    button.addEventListener("click", () => chooseLanguage(code));
    return [code, button];
  });
  const languages = el("div", { class: "scr-languages", role: "group" }, ...languageButtons.map(([, b]) => b));
  const tools = el("div", { class: "scr-tools" }, languages, startOverButton);
  const titleNode = el("h2", { id: ids.title, class: "scr-title" });
  const header = el("div", { class: "scr-header" }, titleNode, tools);
  const progressLabel = el("span", { id: ids.progress });
  const progressBar = el("progress", { "aria-labelledby": ids.progress });
  const progress = el("div", { class: "scr-progress", hidden: true }, progressLabel, progressBar);
  // A log is a polite live region: screen readers read each new message once.
  const log = el("div", { class: "scr-log", role: "log", tabindex: "0" });
  const typingLabel = el("span");
  const typing = el(
    "div",
    { class: "scr-typing", hidden: true },
    el("span", { class: "scr-dots", "aria-hidden": "true" }, el("span"), el("span"), el("span")),
    typingLabel,
  );
  const replies = el("div", { class: "scr-replies", role: "group", hidden: true });
  const status = el("p", { class: "scr-status", role: "status" });
  const input = el("input", {
    id: ids.input,
    class: "scr-input",
    type: "text",
    autocomplete: "off",
    enterkeyhint: "send",
    maxlength: "1000",
  });
  const sendButton = el("button", { type: "submit", class: "scr-send", disabled: true });
  const inputLabel = el("label", { for: ids.input, class: "scr-sr" });
  const form = el("form", { class: "scr-form" }, inputLabel, input, sendButton);
  const panel = el(
    "section",
    { id: ids.panel, class: "scr", "aria-labelledby": ids.title },
    header,
    progress,
    log,
    typing,
    replies,
    status,
    form,
  );

  let launcher = null; // the floating button and its close button (mount), when there is no container
  let closeButton = null;

  // Every word of the widget's own in the conversation's language, and the lang attribute with them.
  function showLanguage(code) {
    lang = code;
    t = STRINGS[code];
    state.lang = code;
    panel.setAttribute("lang", t.tag);
    titleNode.textContent = titleIn(code);
    startOverButton.textContent = t.startOver;
    languages.setAttribute("aria-label", t.choose);
    for (const [other, button] of languageButtons) button.hidden = other === code;
    log.setAttribute("aria-label", t.log);
    typingLabel.textContent = t.typing;
    replies.setAttribute("aria-label", t.replies);
    input.placeholder = t.placeholder;
    sendButton.textContent = t.send;
    inputLabel.textContent = t.input;
    if (launcher) {
      launcher.textContent = titleIn(code);
      launcher.setAttribute("lang", t.tag);
      launcher.parentElement.setAttribute("aria-label", titleIn(code));
      closeButton.textContent = t.close;
    }
    setStatus(statusKey, status.classList.contains("scr-problem"));
  }

  // The person chose a language with the control: it is said, as typing its name would say it, and
  // the bot goes on in it where it was (actions/conversation.py ActionChooseLanguage).
  function chooseLanguage(code) {
    if (code === lang || !ready) return;
    showLanguage(code);
    renderTranscript();
    send(STRINGS[code].name, STRINGS[code].name);
    input.focus();
  }

  // ---- Rendering.
  function textNode(item) {
    const text = el("div", { class: "scr-text" });
    text.append(...(item.from === "bot" ? linkified(item.text) : [item.text]));
    return text;
  }

  function messageNode(item) {
    if (item.kind === "result") return resultCard(item);
    const kind = item.kind ? " scr-kind-" + item.kind : "";
    return el(
      "div",
      { class: "scr-msg scr-msg-" + item.from + kind },
      el("span", { class: "scr-sr", text: (item.from === "bot" ? t.bot : t.you) + " " }),
      textNode(item),
    );
  }

  // The result card: the outcome first, what decided it, then (joined as it arrives) what to do
  // next; the details behind a disclosure button; the doctor's summary to print or save.
  let cardCount = 0;
  function resultCard(item) {
    const [outcome, ...rest] = item.text.split(/\n\n/);
    const card = el(
      "div",
      { class: "scr-msg scr-msg-bot scr-card scr-outcome-" + (item.outcome || "needs_team") },
      el("span", { class: "scr-sr", text: t.bot + " " }),
      el("p", { class: "scr-card-outcome", text: outcome }),
    );
    if (rest.length) card.append(textNode({ from: "bot", text: rest.join("\n\n") }));
    if (item.details && item.details.length) card.append(detailsControl(item.details));
    if (item.report) {
      const report = item.report;
      const print = el("button", { type: "button", class: "scr-tool", text: t.print });
      const save = el("button", { type: "button", class: "scr-tool", text: t.save });
      print.addEventListener("click", () => printReport(report));
      save.addEventListener("click", () => saveReport(report));
      card.append(el("div", { class: "scr-card-tools" }, el("span", { text: t.forDoctor }), print, save));
    }
    return card;
  }

  function detailsControl(groups) {
    const id = uid + "-details-" + ++cardCount;
    const button = el("button", {
      type: "button",
      class: "scr-tool",
      "aria-expanded": "false",
      "aria-controls": id,
      text: t.showDetails,
    });
    const region = el("div", { id, class: "scr-details", hidden: true });
    for (const group of groups) {
      const list = el("ul");
      for (const item of group.items) {
        list.append(el("li", {}, el("strong", { text: item.criterion + ":" }), " " + item.reason));
      }
      region.append(el("h3", { text: group.heading }), list);
    }
    button.addEventListener("click", () => {
      const open = region.hidden;
      region.hidden = !open;
      button.setAttribute("aria-expanded", String(open));
      button.textContent = open ? t.hideDetails : t.showDetails;
    });
    return el("div", { class: "scr-card-details" }, button, region);
  }

  // "What to do next" joins the result card it follows; any other message is a bubble of its own.
  function appendMessage(item) {
    const last = log.lastElementChild;
    if (item.kind === "next_steps" && last && last.classList.contains("scr-card")) {
      const after = last.querySelector(".scr-card-details, .scr-card-tools");
      last.insertBefore(el("div", { class: "scr-card-next" }, textNode(item)), after);
    } else {
      log.append(messageNode(item));
    }
  }

  function addMessage(item) {
    state.transcript.push(item);
    if (item.from === "user") pinned = null;
    appendMessage(item);
    if (item.kind === "result") pinned = log.lastElementChild;
    scrollIntoPlace();
  }

  function renderTranscript() {
    log.replaceChildren();
    pinned = null;
    for (const item of state.transcript) {
      appendMessage(item);
      if (item.kind === "result") pinned = log.lastElementChild;
      if (item.from === "user") pinned = null;
    }
    renderReplies();
    renderProgress();
    scrollIntoPlace();
  }

  function hasCard() {
    return state.transcript.some((item) => item.kind === "result" && item.details && item.details.length);
  }

  function replyButton(reply, className) {
    const button = el("button", { type: "button", class: className, text: reply.title });
    button.addEventListener("click", (event) => {
      if (!send(reply.payload, reply.title)) return;
      // The button is gone, so focus must go somewhere: the answer box after a key press (detail 0),
      // else the conversation, so that a tap does not pop up a phone's keyboard.
      if (event.detail === 0) input.focus();
      else log.focus({ preventScroll: true });
    });
    return button;
  }

  // Quick replies are a row of buttons. A long choice (which answer to change: one button for each
  // answer) is a list under the parts' headings instead, in a box of capped height that scrolls by
  // itself, so that the question above it and the answer box below it stay on screen.
  function renderReplies() {
    const listed = state.groups.length > 0 && state.replies.length > 0;
    if (listed) {
      replies.replaceChildren(
        ...state.groups.flatMap((group, index) => {
          const id = uid + "-group-" + index;
          const items = group.replies.map((reply) => el("li", {}, replyButton(reply, "scr-choice")));
          if (!group.heading) return [el("ul", { class: "scr-choices" }, ...items)];
          return [
            el("h3", { id, class: "scr-choices-heading", text: group.heading }),
            el("ul", { class: "scr-choices", "aria-labelledby": id }, ...items),
          ];
        }),
      );
    } else {
      const offered = hasCard() ? state.replies.filter((reply) => reply.payload !== DETAILS) : state.replies;
      replies.replaceChildren(...offered.map((reply) => replyButton(reply, "scr-reply")));
    }
    const buttons = replies.querySelectorAll("button");
    replies.classList.toggle("scr-list", listed);
    replies.hidden = buttons.length === 0;
    replies.scrollTop = 0;
    // New buttons appear under the pointer that pressed the last one: none may look chosen
    // (the hover fill) until the pointer moves.
    replies.classList.add("scr-fresh");
    buttons.forEach((button) => (button.disabled = !ready));
  }
  replies.addEventListener("pointermove", () => replies.classList.remove("scr-fresh"));

  function renderProgress() {
    const p = state.progress;
    progress.hidden = !p;
    panel.classList.toggle("scr-with-progress", Boolean(p)); // on a phone, the progress takes the title's place
    if (!p) return;
    progressBar.max = p.total;
    progressBar.value = p.done ? p.total : p.number;
    progressLabel.textContent = p.done ? t.progressDone : p.label;
  }

  // The newest message stays in view, except that a result is read from its top: the card
  // stays pinned there (as the rest of the result arrives) until the person answers.
  let pinned = null;
  function place() {
    const end = log.scrollHeight - log.clientHeight;
    if (!pinned) return end;
    const top = log.scrollTop + pinned.getBoundingClientRect().top - log.getBoundingClientRect().top - 8;
    return Math.min(top, end);
  }

  function scrollIntoPlace() {
    log.scrollTop = place();
  }

  // When the widget changes size (a phone turned, the keyboard opened), keep that place,
  // unless the person had scrolled away to read.
  let placed = true;
  log.addEventListener("scroll", () => (placed = Math.abs(log.scrollTop - place()) < 24));
  if (window.ResizeObserver) new ResizeObserver(() => placed && scrollIntoPlace()).observe(log);

  // ---- The summary for the person's doctor: a one-page document built from the result's
  // report (every word from the bot, in the person's language), printed or saved as text.
  function reportSheet(report) {
    const sheet = el("article", { class: "scr-print", lang: report.lang }, el("h1", { text: report.title }));
    const facts = el("dl", { class: "scr-print-facts" });
    for (const [label, value] of report.facts) facts.append(el("dt", { text: label }), el("dd", { text: value || "" }));
    sheet.append(facts);
    if (report.outcome.length) {
      const [label, value] = report.outcome;
      sheet.append(el("p", { class: "scr-print-outcome" }, el("strong", { text: label + ": " }), value || ""));
    }
    // What the summary is (and is not) comes before the details, where no one can miss it.
    if (report.note) sheet.append(el("p", { class: "scr-print-note", text: report.note }));
    // The sections flow in two columns: one page holds a whole screening.
    const sections = el("div", { class: "scr-print-sections" });
    sheet.append(sections);
    for (const section of report.sections) {
      const part = el("section", {}, el("h2", { text: section.heading }));
      sections.append(part);
      if (section.rows.length) {
        const table = el("table");
        if (section.columns.length) {
          const head = el("tr", {}, ...section.columns.map((c) => el("th", { scope: "col", text: c })));
          table.append(el("thead", {}, head));
        }
        const body = el("tbody");
        for (const [label, ...values] of section.rows) {
          body.append(el("tr", {}, el("th", { scope: "row", text: label }), ...values.map((v) => el("td", { text: v }))));
        }
        table.append(body);
        part.append(table);
      }
      if (section.items.length) part.append(el("ul", {}, ...section.items.map((i) => el("li", { text: i }))));
    }
    return sheet;
  }

  function reportText(report) {
    const heading = (text, mark) => [text, mark.repeat(Math.max(text.length, 3))];
    const lines = [...heading(report.title, "="), ""];
    lines.push(...report.facts.map(([label, value]) => label + ": " + (value || "")));
    if (report.outcome.length) lines.push("", report.outcome.join(": "));
    if (report.note) lines.push("", report.note);
    for (const section of report.sections) {
      lines.push("", ...heading(section.heading, "-"));
      lines.push(...section.rows.map(([label, ...values]) => "- " + label + ": " + values.join(", ")));
      lines.push(...section.items.map((item) => "- " + item));
    }
    return lines.join("\n") + "\n";
  }

  function saveReport(report) {
    const safe = (text) => text.replace(/[^\w.-]/g, ""); // the file name holds nothing but plain characters
    const name = [safe(report.registryId), "screening-summary", safe(report.date)].filter(Boolean).join("-") + ".txt";
    const url = URL.createObjectURL(new Blob([reportText(report)], { type: "text/plain;charset=utf-8" }));
    const link = el("a", { href: url, download: name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  function printReport(report) {
    // The print stylesheet hides everything but this sheet, on any host page.
    document.querySelectorAll(".scr-print").forEach((old) => old.remove());
    const sheet = reportSheet(report);
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
  }

  // ---- Talking to the server.
  let socket = null;
  let ready = false; // connected and the session confirmed: only then can anything be sent
  let everConnected = false;

  function setReady(value) {
    ready = value;
    sendButton.disabled = !value;
    startOverButton.disabled = !value;
    for (const [, button] of languageButtons) button.disabled = !value;
    replies.querySelectorAll("button").forEach((button) => (button.disabled = !value));
    if (!value) typing.hidden = true;
  }

  // `key` names one of the widget's words (STRINGS), so it can be said again in another language.
  let statusKey = "";
  function setStatus(key, problem) {
    statusKey = key;
    const text = key ? t[key] : "";
    if (status.textContent !== text) status.textContent = text;
    status.classList.toggle("scr-problem", Boolean(problem));
  }

  function send(payload, shown) {
    if (!ready || !payload) return false;
    // The page's language goes with every message: the screener answers in it until the person
    // writes in, or chooses, another (channels/socketio.py, bot/language.py).
    socket.emit("user_uttered", { message: payload, metadata: { language: lang } });
    if (shown) addMessage({ from: "user", text: shown });
    pinned = null;
    state.replies = [];
    state.groups = [];
    renderReplies();
    saveState();
    return true;
  }

  function onBotMessage(message) {
    if (!message || typeof message !== "object") return;
    const item = cleanMessage(message, "bot");
    // The conversation's language changed (the person typed 中文 or English, or wrote in it first).
    const spoken = known(message.language);
    if (spoken && spoken !== lang) {
      showLanguage(spoken);
      renderTranscript();
    }
    // A start over the person confirmed to the bot: the old conversation, its result and the progress
    // go, as with the widget's own control (which has cleared them already).
    if (item.kind === "restarted") clearConversation();
    if (item.text) addMessage(item);
    const offered = cleanReplies(message.quick_replies);
    if (offered.length) {
      state.replies = offered;
      state.groups = item.kind === "which_answer" ? listGroups(offered, message.groups) : [];
    }
    const p = cleanProgress(message.progress);
    if (p) {
      state.progress = p;
    } else if ((item.kind === "recap" || item.kind === "result") && state.progress) {
      state.progress = { done: true, total: state.progress.total };
    }
    renderReplies();
    renderProgress();
    scrollIntoPlace(); // the replies took or gave back room: the newest message stays in view
    saveState();
  }

  function clearConversation() {
    Object.assign(state, { transcript: [], replies: [], groups: [], progress: null });
    renderTranscript();
  }

  function connect() {
    if (socket) return;
    setStatus("connecting");
    // A WebSocket from the start, no HTTP polling first: the connection stays on the Rasa server it
    // reached, so several servers behind a load balancer need no sticky sessions.
    socket = window.io(serverUrl, { path: options.socketPath || "/socket.io", transports: ["websocket"] });
    socket.on("connect", () => socket.emit("session_request", { session_id: state.sessionId }));
    socket.on("session_confirm", (sessionId) => {
      if (typeof sessionId !== "string") return;
      if (state.sessionId && sessionId !== state.sessionId) {
        // The server did not take our id back, so its conversation is new: ours is stale.
        state.greeted = false;
        clearConversation();
      }
      state.sessionId = sessionId;
      setStatus(everConnected ? "reconnected" : "");
      if (everConnected) setTimeout(() => statusKey === "reconnected" && setStatus(""), 5000);
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
      scrollIntoPlace();
    });
    socket.on("disconnect", (reason) => {
      setReady(false);
      setStatus("lost", true);
      // The server closed the socket on purpose; socket.io only retries by itself after network failures.
      if (reason === "io server disconnect") setTimeout(() => socket.connect(), 2000);
    });
    socket.on("connect_error", () => {
      setReady(false);
      setStatus(everConnected ? "lost" : "unreachable", true);
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
    state.greeted = true;
    clearConversation();
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
    launcher = el("button", {
      type: "button",
      class: "scr-launcher",
      "aria-controls": ids.panel,
      "aria-expanded": "false",
    });
    if (colour) launcher.style.setProperty("--scr-accent", colour);
    closeButton = el("button", { type: "button", class: "scr-tool" });
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
    document.body.append(el("aside", { class: "scr-root" }, launcher, panel));
    showLanguage(lang);
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
  loaded.catch(() => setStatus("noScript", true));
  showLanguage(lang);
  setReady(false);
  renderTranscript();
  // Shown once styled, so the page never flashes an unstyled chat.
  styled.finally(() => {
    const open = mount();
    scrollIntoPlace();
    if (open) loaded.then(connect);
  });
})();
