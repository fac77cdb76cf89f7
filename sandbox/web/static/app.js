// The Omzien web sandbox: one pane per persona, live over a WebSocket, actions as JSON POSTs.
// Message markup comes from the server, built from Telegram entities with all text escaped
// (sandbox/web/render.py); everything else here is set as text, never as HTML.
"use strict";

const TEXTS = {
  nl: {
    skip: "Naar de gesprekken", sandbox: "proefomgeving", botTime: "Tijd van de bot",
    plusHour: "+1 uur", plusDay: "+1 dag", toMonday: "naar maandag 19:30",
    addPersona: "+ persona", personaName: "Naam", add: "Toevoegen",
    addPersonaHelp: "Wim is vrijwilliger. Een andere naam is iemand die nog niet is aangemeld.",
    replay: "Script afspelen", script: "Script", replayStart: "Begin", replayStep: "Volgende stap",
    replayAll: "Speel de rest", language: "Taal", menu: "Menu", send: "Stuur",
    messageAs: "Bericht als {name}", messagesOf: "Gesprek van {name} met Omzien",
    chatOf: "Chat van {name}", fromBot: "Omzien:", fromUser: "{name}:", edited: "bewerkt",
    download: "Download", photo: "Afbeelding van Omzien", noMenu: "Nog geen menu.",
    roles: { coordinator: "coördinator", professional: "sociaal werker",
             volunteer: "vrijwilliger", unregistered: "nog niet aangemeld" },
    next: "Volgende: regel {number}: {line}", done: "Het script is klaar.",
    failed: "Het script stopte bij een mislukte controle.", noScripts: "Geen scripts gevonden.",
    busy: "Even wachten op Omzien…", connected: "Verbonden.", offline: "Geen verbinding; ik probeer het opnieuw.",
    added: "{name} staat erbij.", moved: "De klok staat nu op {time}.",
    otherMedia: "({kinds})",
    empty: "Nog geen berichten. Kies iets uit het menu of typ een bericht.",
  },
  en: {
    skip: "Skip to the chats", sandbox: "sandbox", botTime: "Bot's time",
    plusHour: "+1 hour", plusDay: "+1 day", toMonday: "to Monday 19:30",
    addPersona: "+ persona", personaName: "Name", add: "Add",
    addPersonaHelp: "Wim is a volunteer. Any other name is someone who has not signed up yet.",
    replay: "Replay a script", script: "Script", replayStart: "Start", replayStep: "Next step",
    replayAll: "Play the rest", language: "Language", menu: "Menu", send: "Send",
    messageAs: "Message as {name}", messagesOf: "{name}'s chat with Omzien",
    chatOf: "{name}'s chat", fromBot: "Omzien:", fromUser: "{name}:", edited: "edited",
    download: "Download", photo: "Picture from Omzien", noMenu: "No menu yet.",
    roles: { coordinator: "coordinator", professional: "social worker",
             volunteer: "volunteer", unregistered: "not signed up yet" },
    next: "Next: line {number}: {line}", done: "The script has finished.",
    failed: "The script stopped at a failed check.", noScripts: "No scripts found.",
    busy: "Waiting for Omzien…", connected: "Connected.", offline: "No connection; trying again.",
    added: "{name} is here now.", moved: "The clock now says {time}.",
    otherMedia: "({kinds})",
    empty: "No messages yet. Pick something from the menu or type a message.",
  },
};

const state = { lang: "nl", panes: new Map(), clock: null, scripts: [], replay: null };

function t(key, values = {}) {
  const text = TEXTS[state.lang][key] ?? TEXTS.nl[key] ?? key;
  return typeof text === "string"
    ? text.replace(/\{(\w+)\}/g, (_, name) => values[name] ?? "") : text;
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

function say(text) { document.getElementById("status").textContent = text; }

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (!answer.ok) throw new Error(answer.error);
  return answer.result;
}

async function act(path, body) {
  document.body.classList.add("busy");
  say(t("busy"));
  try {
    const result = await post(path, body);
    say("");
    return result;
  } catch (error) {
    say(error.message);
    throw error;
  } finally {
    document.body.classList.remove("busy");
  }
}

// ---- panes ------------------------------------------------------------------------------

function addPane(persona) {
  if (state.panes.has(persona.name)) { updatePane(persona); return; }
  const section = document.getElementById("pane-template").content.firstElementChild.cloneNode(true);
  const pane = { persona, section, messages: new Map(), commands: [],
                 list: section.querySelector(".messages"),
                 input: section.querySelector("input"),
                 menuButton: section.querySelector(".menu-button"),
                 menuList: section.querySelector(".menu-list"),
                 notice: section.querySelector(".notice") };
  const id = `pane-${persona.name}`;
  section.id = id;
  section.dataset.persona = persona.name;
  section.querySelector(".name").id = `${id}-name`;
  section.setAttribute("aria-labelledby", `${id}-name`);
  section.querySelector("label").htmlFor = pane.input.id = `${id}-text`;
  pane.menuList.id = `${id}-menu`;
  pane.menuButton.setAttribute("aria-controls", pane.menuList.id);
  pane.menuButton.addEventListener("click", () => toggleMenu(pane));
  section.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !pane.menuList.hidden) { toggleMenu(pane, false); pane.menuButton.focus(); }
  });
  section.querySelector("form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = pane.input.value.trim();
    if (!text) return;
    pane.input.value = "";
    sendText(pane, text);
  });
  state.panes.set(persona.name, pane);
  document.getElementById("panes").append(section);
  updatePane(persona);
}

function updatePane(persona) {
  const pane = state.panes.get(persona.name);
  pane.persona = persona;
  const name = persona.first_name;
  pane.section.querySelector(".avatar").textContent = name.slice(0, 1).toUpperCase();
  pane.section.querySelector(".avatar").dataset.role = persona.role;
  pane.section.querySelector(".name").textContent = name;
  pane.section.querySelector(".role").textContent = t("roles")[persona.role] ?? persona.role;
  pane.list.setAttribute("aria-label", t("messagesOf", { name }));
  pane.list.dataset.empty = t("empty");
  pane.section.querySelector("label").textContent = t("messageAs", { name });
  pane.section.querySelector(".menu-label").textContent = t("menu");
  pane.section.querySelector(".send").textContent = t("send");
  renderMenu(pane);
}

async function sendText(pane, text) {
  toggleMenu(pane, false);
  try {
    showChat(pane, await act(`/api/chats/${pane.persona.name}/text`, { text }));
  } catch { /* said */ }
}

// The answer to an action is the chat once the bot is idle: draw it at once, so the pane is
// complete when the action ends, whichever comes first, this or the socket's events.
function showChat(pane, chat) { applyChat(pane.persona.name, chat.messages, chat.commands); }

function toggleMenu(pane, open = pane.menuList.hidden) {
  pane.menuList.hidden = !open;
  pane.menuButton.setAttribute("aria-expanded", String(open));
  if (open) pane.menuList.querySelector("button")?.focus();
}

function renderMenu(pane) {
  const list = pane.menuList.querySelector("ul");
  list.replaceChildren();
  pane.menuButton.hidden = pane.commands.length === 0;
  for (const command of pane.commands) {
    const button = el("button", { type: "button", class: "command-item",
                                  onclick: () => sendText(pane, `/${command.command}`) },
      el("span", { class: "command", text: `/${command.command}` }),
      el("span", { class: "description", text: command.description }));
    list.append(el("li", {}, button));
  }
}

// ---- messages ---------------------------------------------------------------------------

function upsertMessage(pane, message) {
  const old = pane.messages.get(message.id);
  const drawn = JSON.stringify(message);
  if (old && old.dataset.drawn === drawn) return;  // unchanged: keep the node (and focus)
  const hadFocus = old && old.contains(document.activeElement);
  const node = renderMessage(pane, message);
  node.dataset.drawn = drawn;
  if (old) old.replaceWith(node); else pane.list.append(node);
  pane.messages.set(message.id, node);
  if (hadFocus) (node.querySelector(".keyboard button") ?? pane.input).focus();
}

function renderMessage(pane, message) {
  const mine = message.from === "user";
  const item = el("li", { class: `message ${mine ? "mine" : "bot"}`, "data-id": message.id });
  if (message.deleted) item.hidden = true;
  const bubble = el("div", { class: "bubble" });
  bubble.append(el("span", { class: "visually-hidden",
                             text: mine ? t("fromUser", { name: pane.persona.first_name }) : t("fromBot") }));
  if (message.photo) {
    bubble.append(el("img", { src: message.photo.url, alt: t("photo"), class: "photo", loading: "lazy" }));
  }
  if (message.document) {
    const size = message.document.size ? ` · ${Math.max(1, Math.round(message.document.size / 1024))} kB` : "";
    bubble.append(el("a", { class: "document", href: message.document.url,
                            download: message.document.file_name ?? "" },
      el("span", { class: "doc-icon", "aria-hidden": "true", text: "⤓" }),
      el("span", { class: "doc-name", text: message.document.file_name ?? t("download") }),
      el("span", { class: "doc-size", text: size })));
  }
  const html = message.html || message.caption_html;
  if (html) {
    const text = el("div", { class: "text" });
    text.innerHTML = html;  // safe: built from entities with every text escaped (render.py)
    bubble.append(text);
  }
  if (message.media.length) bubble.append(el("div", { class: "text", text: t("otherMedia", { kinds: message.media.join(", ") }) }));
  // Telegram stamps a message with real time; shown in the organisation's zone, like the clock.
  const time = new Date(message.date * 1000).toLocaleTimeString(locale(), {
    hour: "2-digit", minute: "2-digit", timeZone: state.clock?.timezone });
  bubble.append(el("span", { class: "meta", text: message.edited ? `${t("edited")} ${time}` : time }));
  item.append(bubble);
  if (message.buttons.length) item.append(renderKeyboard(pane, message));
  return item;
}

function renderKeyboard(pane, message) {
  const keyboard = el("div", { class: "keyboard", role: "group" });
  for (const row of message.buttons) {
    const line = el("div", { class: "row" });
    for (const button of row) {
      if (button.url) {
        line.append(el("a", { class: "key", href: button.url, target: "_blank", rel: "noopener noreferrer", text: button.text }));
      } else {
        line.append(el("button", { type: "button", class: "key", text: button.text,
                                   onclick: (event) => press(pane, message, button, event.currentTarget) }));
      }
    }
    keyboard.append(line);
  }
  return keyboard;
}

async function press(pane, message, button, node) {
  node.closest(".keyboard").querySelectorAll("button").forEach((b) => { b.disabled = true; });
  node.classList.add("pressed");
  try {
    showChat(pane, await act(`/api/chats/${pane.persona.name}/press`,
                             { message_id: message.id, data: button.data }));
  } catch {
    node.closest(".keyboard")?.querySelectorAll("button").forEach((b) => { b.disabled = false; });
  }
}

function showNotice(pane, text) {
  pane.notice.textContent = text;
  pane.notice.hidden = false;
  clearTimeout(pane.noticeTimer);
  pane.noticeTimer = setTimeout(() => { pane.notice.hidden = true; }, 4000);
}

function scrollDown(pane) { pane.list.scrollTop = pane.list.scrollHeight; }

// ---- clock ------------------------------------------------------------------------------

function locale() { return state.lang === "en" ? "en-GB" : "nl-NL"; }

function setClock(clock) {
  state.clock = { ...clock, at: performance.now() };
  drawClock();
}

function botNow() {
  return new Date(state.clock.epoch_ms + (performance.now() - state.clock.at));
}

function clockText() {
  return new Intl.DateTimeFormat(locale(), {
    timeZone: state.clock.timezone, weekday: "short", day: "numeric", month: "short",
    hour: "2-digit", minute: "2-digit",
  }).format(botNow());
}

function drawClock() {
  if (!state.clock) return;
  const output = document.getElementById("clock-now");
  output.textContent = clockText();
  output.dataset.iso = botNow().toISOString();
}

async function moveClock(move) {
  const clock = await act("/api/clock", { move });
  setClock(clock);
  say(t("moved", { time: clockText() }));
}

// ---- replay -----------------------------------------------------------------------------

function drawScripts() {
  const select = document.getElementById("script-select");
  const chosen = select.value;
  select.replaceChildren(...state.scripts.map((s) => el("option", { value: s.name, text: s.name })));
  if (chosen) select.value = chosen;
  if (!state.scripts.length) document.getElementById("script-about").textContent = t("noScripts");
  drawAbout();
}

function drawAbout() {
  const name = document.getElementById("script-select").value;
  const script = state.scripts.find((s) => s.name === name);
  if (script) document.getElementById("script-about").textContent = script.about;
}

function drawReplay(replay, step) {
  state.replay = replay;
  const running = replay && !replay.done;
  document.getElementById("replay-step").disabled = !running;
  document.getElementById("replay-all").disabled = !running;
  const next = document.getElementById("replay-next");
  next.textContent = !replay ? "" : running ? t("next", replay.next)
    : replay.failed ? t("failed") : t("done");
  if (step) {
    const log = document.getElementById("replay-log");
    log.append(el("li", { class: step.ok ? "ok" : "fail" },
      el("code", { text: `${step.number}  ${step.line}` }),
      step.output ? el("pre", { text: step.output }) : ""));
    log.scrollTop = log.scrollHeight;
  }
}

async function startReplay() {
  document.getElementById("replay-log").replaceChildren();
  const name = document.getElementById("script-select").value;
  if (name) drawReplay(await act("/api/replay", { script: name }));
}

async function replayStep() { await act("/api/replay/step", {}); }

async function replayAll() {
  while (state.replay && !state.replay.done) {
    const step = await act("/api/replay/step", {});
    state.replay = step;
  }
}

// ---- live feed --------------------------------------------------------------------------

function handle(event) {
  if (event.type === "snapshot") {
    applyState(event.state);
    for (const [name, chat] of Object.entries(event.chats)) applyChat(name, chat.messages, chat.commands);
  } else if (event.type === "messages") {
    applyChat(event.persona, event.messages, null);
  } else if (event.type === "commands") {
    applyChat(event.persona, [], event.commands);
  } else if (event.type === "pane") {
    addPane(event.persona);
    say(t("added", { name: event.persona.first_name }));
  } else if (event.type === "clock") {
    setClock(event.clock);
  } else if (event.type === "notice") {
    const pane = state.panes.get(event.persona);
    if (pane) showNotice(pane, event.text);
  } else if (event.type === "replay") {
    drawReplay(event.replay, event.step);
  }
}

function applyState(snapshot) {
  for (const persona of snapshot.panes) addPane(persona);
  setClock(snapshot.clock);
  state.scripts = snapshot.scripts;
  drawScripts();
  drawReplay(snapshot.replay, null);
}

function applyChat(name, messages, commands) {
  const pane = state.panes.get(name);
  if (!pane) return;
  for (const message of messages) upsertMessage(pane, message);
  if (commands) { pane.commands = commands; renderMenu(pane); }
  if (messages.length) scrollDown(pane);
}

function connect() {
  const socket = new WebSocket(`ws://${location.host}/ws`);
  socket.addEventListener("open", () => { document.body.dataset.live = "yes"; });
  socket.addEventListener("message", (message) => handle(JSON.parse(message.data)));
  socket.addEventListener("close", () => {
    document.body.dataset.live = "no";
    say(t("offline"));
    setTimeout(connect, 1000);
  });
}

// ---- language ---------------------------------------------------------------------------

function setLanguage(lang) {
  state.lang = TEXTS[lang] ? lang : "nl";
  document.documentElement.lang = state.lang;
  localStorage.setItem("omzien-sandbox-lang", state.lang);
  document.getElementById("lang").value = state.lang;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const pane of state.panes.values()) {
    updatePane(pane.persona);
    for (const node of [...pane.messages.values()]) {  // redraw: labels, "edited", times
      const message = JSON.parse(node.dataset.drawn);
      delete node.dataset.drawn;
      upsertMessage(pane, message);
    }
  }
  drawClock();
  drawReplay(state.replay, null);
}

function start() {
  const asked = new URLSearchParams(location.search).get("lang");
  setLanguage(asked ?? localStorage.getItem("omzien-sandbox-lang") ?? "nl");
  document.getElementById("lang").addEventListener("change", (e) => setLanguage(e.target.value));
  for (const button of document.querySelectorAll("[data-move]")) {
    button.addEventListener("click", () => moveClock(button.dataset.move).catch(() => {}));
  }
  document.getElementById("persona-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = document.getElementById("persona-name");
    try {
      const persona = await act("/api/personas", { name: input.value.trim().toLowerCase() });
      addPane(persona);
      input.value = "";
      document.getElementById("add-persona").open = false;
      state.panes.get(persona.name).input.focus();
    } catch { /* said */ }
  });
  document.getElementById("script-select").addEventListener("change", drawAbout);
  document.getElementById("replay-start").addEventListener("click", () => startReplay().catch(() => {}));
  document.getElementById("replay-step").addEventListener("click", () => replayStep().catch(() => {}));
  document.getElementById("replay-all").addEventListener("click", () => replayAll().catch(() => {}));
  setInterval(drawClock, 15000);
  connect();
}

document.addEventListener("DOMContentLoaded", start);
