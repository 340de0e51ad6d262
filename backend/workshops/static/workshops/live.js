/*
 * Live workshop page: the executable example of frontend-contract/live/ (README.md,
 * asyncapi.yaml, schemas/). Vanilla JavaScript, no build step, no dependency.
 *
 * It uses only what the contract documents:
 *   1. GET /api/v1/workshops/join/{code}/ -> {workshop, websocket}
 *   2. open the websocket, send `join` (resume_token from localStorage, last_seq when this page
 *      already holds a state, display_name the first time; presenter screens may carry a
 *      personal access token in the URL fragment: /live/CODE/presenter/#token=npt_...)
 *   3. apply `snapshot` (replaces everything) and `event`s in seq order (skip seq <= last),
 *      keep `results` (full state, not sequenced) and `presence`, answer `ping` with `pong`
 *   4. commands carry a `ref`; exactly one `ack` or `error` echoes it.
 * Every string shown comes from the data through textContent (never innerHTML).
 */
"use strict";

(function () {
  const main = document.getElementById("main");
  if (!main || main.dataset.view === "home") {
    return;
  }
  const CODE = main.dataset.code;
  const VIEW = main.dataset.view; // "participant" | "presenter"

  const GRADES = ["Excellent", "Très bien", "Bien", "Assez bien", "Passable", "Insuffisant", "À rejeter"];
  const AGREE_VALUES = [
    [1, "D'accord"],
    [-1, "Pas d'accord"],
    [0, "Je passe"],
  ];
  const IDEA_KINDS = { problem: "Un problème", proposal: "Une proposition" };
  const IDEA_STATUS = { pending: "en attente de relecture", approved: "retenue", rejected: "non retenue" };
  const STOP_REASONS = {
    facilitator: "L'animation a clos cette activité.",
    timer: "Le temps est écoulé.",
    next_activity: "",
    workshop_closed: "",
  };
  const CLOSE_MESSAGES = {
    4404: "Cet atelier n'existe pas ou n'est pas visible.",
    4409: "Cet atelier n'est pas ouvert (pas encore commencé, ou terminé).",
  };

  // ---------------------------------------------------------------------------------------
  // State: what the server told us, nothing else.
  const state = {
    workshop: null,
    websocketPath: null,
    role: null,
    participant: null,
    activities: new Map(), // id -> activity
    ideas: new Map(), // id -> idea (approved ones; facilitators: all)
    myAnswers: new Map(), // activity id -> answer (vote, poll) or {ideas: [...]}
    results: new Map(), // activity id -> last `results` message
    presence: null,
    lastSeq: null, // last event applied; null until a snapshot
    lastStop: null, // {activity, reason}
  };
  let socket = null;
  let attempts = 0;
  let refCounter = 0;
  let finished = false; // no reconnect after this (closed workshop, unknown code)
  let joinSentAt = null;
  const QUICK_REFUSAL_MS = 5000;
  const pending = new Map(); // ref -> resolve

  // ---------------------------------------------------------------------------------------
  // Storage: the resume token of this device's participant card, per workshop.
  function storageKey() {
    return "npt-live:" + (state.workshop ? state.workshop.id : CODE) + ":" + VIEW;
  }
  function loadStored() {
    try {
      return JSON.parse(localStorage.getItem(storageKey()) || "{}") || {};
    } catch (error) {
      return {};
    }
  }
  function saveStored(value) {
    try {
      localStorage.setItem(storageKey(), JSON.stringify(value));
    } catch (error) {
      /* private browsing: the page still works, without resuming after a reload */
    }
  }
  let stored = {};

  // A personal access token for the projector, from the URL fragment (never sent in HTTP).
  function presenterToken() {
    const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
    if (match) {
      sessionStorage.setItem("npt-live-token", decodeURIComponent(match[1]));
      history.replaceState(null, "", location.pathname + location.search);
    }
    return sessionStorage.getItem("npt-live-token");
  }

  // ---------------------------------------------------------------------------------------
  // DOM helpers.
  const $ = (id) => document.getElementById(id);
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") node.textContent = value;
      else if (name === "className") node.className = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }
  function setText(id, text) {
    const node = $(id);
    if (node && node.textContent !== text) node.textContent = text;
  }
  function notice(text) {
    const node = $("notice");
    node.textContent = text || "";
    node.hidden = !text;
  }
  function plural(count, one, many) {
    return count + " " + (count > 1 ? many : one);
  }
  function percent(part, whole) {
    return whole > 0 ? Math.round((100 * part) / whole) : 0;
  }

  // ---------------------------------------------------------------------------------------
  // Connection.
  async function start() {
    if (!/^[A-Z0-9]{6}$/.test(CODE)) {
      stop("Ce code n'est pas valide : un code d'atelier compte 6 lettres ou chiffres.");
      return;
    }
    let response;
    try {
      response = await fetch("/api/v1/workshops/join/" + encodeURIComponent(CODE) + "/", {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
    } catch (error) {
      retryLater(start);
      return;
    }
    if (response.status === 404) {
      stop("Aucun atelier ouvert ne correspond au code " + CODE + ". Vérifiez le code, ou l'atelier est terminé.");
      return;
    }
    if (!response.ok) {
      retryLater(start);
      return;
    }
    const body = await response.json();
    state.workshop = body.workshop;
    state.websocketPath = body.websocket;
    stored = loadStored();
    renderAll();
    if (VIEW === "participant" && !stored.joined) {
      showJoinForm();
    } else {
      connect();
    }
  }

  function showJoinForm() {
    setText("connection", "");
    const panel = $("join-panel");
    panel.hidden = false;
    const form = $("join-form");
    form.addEventListener(
      "submit",
      (submitted) => {
        submitted.preventDefault();
        stored.display_name = $("display-name").value.trim();
        panel.hidden = true;
        connect();
      },
      { once: true }
    );
    $("display-name").focus();
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    setText("connection", attempts ? "Reconnexion…" : "Connexion…");
    socket = new WebSocket(scheme + location.host + state.websocketPath);
    socket.addEventListener("open", () => {
      const join = { type: "join" };
      if (stored.resume_token) join.resume_token = stored.resume_token;
      else if (stored.display_name) join.display_name = stored.display_name;
      const token = VIEW === "presenter" ? presenterToken() : null;
      if (token) join.token = token;
      if (state.lastSeq !== null) join.last_seq = state.lastSeq;
      joinSentAt = Date.now();
      send(join);
    });
    socket.addEventListener("message", (received) => {
      let message;
      try {
        message = JSON.parse(received.data);
      } catch (error) {
        return;
      }
      handle(message);
    });
    socket.addEventListener("close", (closed) => onClose(closed.code));
  }

  function onClose(code) {
    socket = null;
    for (const resolve of pending.values()) {
      resolve({ type: "error", code: "offline", message: "Connexion perdue : réessayez dans un instant." });
    }
    pending.clear();
    if (finished) return;
    if (CLOSE_MESSAGES[code]) {
      stop(CLOSE_MESSAGES[code]);
      return;
    }
    // 4401 is both "bad token" (answered right after the join) and "no join in time" (a busy
    // server may not have read our join yet): only a quick refusal drops the tokens.
    const refusedQuickly = joinSentAt !== null && Date.now() - joinSentAt < QUICK_REFUSAL_MS;
    joinSentAt = null;
    if (code === 4401 && refusedQuickly) {
      // A resume token (or projector token) the server does not know: start as a new device.
      if (stored.resume_token) {
        delete stored.resume_token;
        saveStored(stored);
      } else if (sessionStorage.getItem("npt-live-token")) {
        sessionStorage.removeItem("npt-live-token");
        notice("Le jeton d'animation a été refusé : cet écran continue comme un écran de participant·e.");
      }
      state.lastSeq = null;
    }
    retryLater(connect);
  }

  let retryTimer = null;
  function retryLater(what) {
    attempts += 1;
    const delay = Math.min(10000, 500 * 2 ** Math.min(attempts, 5)) * (0.75 + Math.random() / 2);
    setText("connection", "Connexion perdue, nouvel essai dans " + Math.ceil(delay / 1000) + " s…");
    retryTimer = setTimeout(() => {
      retryTimer = null;
      what();
    }, delay);
  }

  // A phone coming back from sleep: reconnect now rather than at the end of the back-off.
  document.addEventListener("visibilitychange", () => {
    if (document.hidden || socket || finished || !retryTimer || !state.websocketPath) return;
    clearTimeout(retryTimer);
    retryTimer = null;
    attempts = 0;
    connect();
  });

  function stop(message) {
    finished = true;
    setText("connection", "");
    notice(message);
    if (socket) socket.close(1000);
  }

  function send(message) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(message));
    return true;
  }

  // A command: resolves with its `ack` or `error`.
  function command(message) {
    return new Promise((resolve) => {
      const ref = "c" + ++refCounter;
      pending.set(ref, resolve);
      if (!send({ ...message, ref })) {
        pending.delete(ref);
        resolve({ type: "error", code: "offline", message: "Hors connexion : réessayez dans un instant." });
      }
    });
  }

  // ---------------------------------------------------------------------------------------
  // Server messages.
  function handle(message) {
    switch (message.type) {
      case "welcome":
        attempts = 0;
        joinSentAt = null;
        state.role = message.role;
        state.participant = message.participant;
        stored.joined = true;
        if (message.resume_token) stored.resume_token = message.resume_token;
        saveStored(stored);
        setText("connection", "Connecté·e");
        if (VIEW === "presenter" && message.role !== "facilitator") {
          notice(
            "Cet écran n'est pas celui d'un·e animateur·rice : les résultats n'apparaissent que " +
              "lorsqu'ils sont rendus visibles, et le nombre de connecté·es est masqué."
          );
        }
        break;
      case "snapshot":
        state.workshop = message.workshop;
        state.activities = new Map(message.activities.map((activity) => [activity.id, activity]));
        state.ideas = new Map(message.ideas.map((idea) => [idea.id, idea]));
        state.myAnswers = new Map();
        if (message.my_answer) state.myAnswers.set(message.my_answer.activity, message.my_answer);
        state.lastSeq = message.seq;
        break;
      case "event":
        if (state.lastSeq !== null && message.seq <= state.lastSeq) return;
        applyEvent(message);
        state.lastSeq = message.seq;
        break;
      case "results":
        state.results.set(message.activity, message);
        break;
      case "presence":
        state.presence = message;
        break;
      case "ping":
        send(message.nonce === undefined ? { type: "pong" } : { type: "pong", nonce: message.nonce });
        return;
      case "ack":
      case "error": {
        const resolve = pending.get(message.ref);
        if (resolve) {
          pending.delete(message.ref);
          resolve(message);
        }
        return;
      }
      default:
        return; // pong, or a type this page does not know: ignore
    }
    renderAll();
  }

  function applyEvent(message) {
    const data = message.data;
    if (message.event.startsWith("workshop.")) {
      state.workshop = data.workshop;
    } else if (message.event.startsWith("activity.")) {
      state.activities.set(data.activity.id, data.activity);
      if (message.event === "activity.stopped") {
        state.lastStop = { activity: data.activity.id, reason: data.reason };
      }
    } else if (message.event.startsWith("idea.")) {
      state.ideas.set(data.idea.id, data.idea);
      for (const answer of state.myAnswers.values()) {
        if (answer.ideas) {
          answer.ideas = answer.ideas.map((mine) => (mine.id === data.idea.id ? data.idea : mine));
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // Reading the state.
  function currentActivity() {
    for (const activity of state.activities.values()) {
      if (activity.status === "open") return activity;
    }
    return null;
  }
  function lastStoppedActivity() {
    let last = null;
    for (const activity of state.activities.values()) {
      if (activity.status === "closed" && (!last || (activity.stopped_at || "") > (last.stopped_at || ""))) {
        last = activity;
      }
    }
    return last;
  }
  // The results to show with `activity`: facilitators always; participants while visible.
  function resultsFor(activity) {
    if (!activity) return null;
    const results = state.results.get(activity.id);
    if (!results) return null;
    if (state.role === "facilitator") return results;
    return results.visible && activity.results_visible ? results : null;
  }

  // ---------------------------------------------------------------------------------------
  // Rendering.
  let renderedKey = null; // the activity form on screen: re-built only when it changes

  function renderAll() {
    if (state.workshop) {
      setText("workshop-title", state.workshop.title + (state.workshop.place ? " · " + state.workshop.place : ""));
      if (state.workshop.status === "closed") {
        stop("L'atelier est terminé. Merci de votre participation !");
      }
    }
    if (VIEW === "presenter") renderPresenter();
    else renderParticipant();
  }

  function renderParticipant() {
    if (!state.role) return;
    $("room").hidden = false;
    if (state.participant) {
      setText("me", "Vous participez en tant que " + state.participant.display_name + ".");
    }
    const activity = currentActivity();
    const key = activity ? activity.id + ":" + activity.status : "none";
    if (key !== renderedKey) {
      renderedKey = key;
      const body = $("activity-body");
      body.replaceChildren();
      setText("feedback", "");
      if (activity) {
        setText("activity-title", activity.title);
        body.append(activityForm(activity));
      } else {
        setText("activity-title", "En attente de la prochaine activité");
        const stopped = state.lastStop && STOP_REASONS[state.lastStop.reason];
        body.append(el("p", { className: "hint", text: stopped || "L'animation va bientôt lancer la suite." }));
      }
    }
    renderTimer(activity);
    const shown = activity || lastStoppedActivity();
    const results = resultsFor(shown);
    $("results-card").hidden = !results;
    if (results) {
      setText("results-title", (results.final ? "Résultats : " : "Résultats en direct : ") + shown.title);
      renderResults($("results"), shown, results);
    }
    const approved = [...state.ideas.values()].filter((idea) => idea.status === "approved");
    $("ideas-card").hidden = approved.length === 0;
    $("ideas").replaceChildren(
      ...approved.map((idea) => el("li", {}, el("strong", { text: IDEA_KINDS[idea.kind] + " : " }), idea.text))
    );
  }

  function renderPresenter() {
    if (state.workshop && state.workshop.join_url) {
      setText("join-url", location.host + state.workshop.join_url.replace(/\/$/, ""));
    }
    const activity = currentActivity();
    const shown = activity || lastStoppedActivity();
    setText("presenter-question", shown ? shown.title : "En attente de la prochaine activité");
    renderTimer(activity);
    const results = resultsFor(shown);
    setText(
      "count-connected",
      state.presence ? String(state.presence.participants) : "—"
    );
    setText("count-answered", results ? String(results.answered) : "—");
    const container = $("results");
    if (results) renderResults(container, shown, results);
    else container.replaceChildren();
    renderControls();
  }

  let timerInterval = null;
  function renderTimer(activity) {
    const node = $("timer");
    clearInterval(timerInterval);
    if (!activity || !activity.ends_at) {
      node.hidden = true;
      return;
    }
    const ends = Date.parse(activity.ends_at);
    const tick = () => {
      const left = Math.max(0, Math.round((ends - Date.now()) / 1000));
      node.hidden = false;
      node.textContent = left > 0
        ? "Temps restant : " + Math.floor(left / 60) + " min " + String(left % 60).padStart(2, "0") + " s"
        : "Temps écoulé";
      if (left === 0) clearInterval(timerInterval);
    };
    tick();
    timerInterval = setInterval(tick, 1000);
  }

  // ---------------------------------------------------------------------------------------
  // Participant forms, one per kind of activity.
  function activityForm(activity) {
    if (activity.kind === "poll") return pollForm(activity);
    if (activity.kind === "vote") return voteForm(activity);
    return ideaForm(activity);
  }

  function feedback(text, isError) {
    const node = $("feedback");
    node.textContent = text;
    node.classList.toggle("error", Boolean(isError));
  }

  function showError(error) {
    const details = [];
    for (const problems of Object.values(error.fields || {})) {
      for (const problem of problems) details.push(problem.message);
    }
    feedback([error.message, ...details].join(" "), true);
  }

  async function submit(form, message, done) {
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    const answer = await command(message);
    button.disabled = false;
    if (answer.type === "ack") done(answer.data);
    else showError(answer);
  }

  function pollForm(activity) {
    const mine = state.myAnswers.get(activity.id);
    const chosen = new Set(mine && mine.choices ? mine.choices : []);
    const multiple = activity.poll.multiple;
    const fieldset = el(
      "fieldset",
      {},
      el("legend", { text: multiple ? "Plusieurs réponses possibles" : "Une seule réponse" }),
      ...activity.poll.choices.map((choice) =>
        el(
          "label",
          { className: "choice" },
          el("input", {
            type: multiple ? "checkbox" : "radio",
            name: "poll-" + activity.id,
            value: choice.id,
            checked: chosen.has(choice.id),
          }),
          el("span", { text: choice.label })
        )
      )
    );
    const form = el("form", {}, fieldset, el("button", { type: "submit", text: "Répondre" }));
    form.addEventListener("submit", (submitted) => {
      submitted.preventDefault();
      const choices = [...form.querySelectorAll("input:checked")].map((input) => Number(input.value));
      if (choices.length === 0) {
        feedback("Choisissez une réponse.", true);
        return;
      }
      submit(form, { type: "poll.answer", activity: activity.id, choices }, (data) => {
        state.myAnswers.set(activity.id, data.answer);
        feedback("Réponse enregistrée. Vous pouvez la changer tant que la question est ouverte.");
      });
    });
    return form;
  }

  function voteForm(activity) {
    const vote = activity.vote;
    const mine = state.myAnswers.get(activity.id);
    const previous = (mine && mine.choices) || {};
    const options = vote.options || {};
    const inputs = []; // [item id, function returning the value or null]
    const parts = [];
    const remaining = el("p", { className: "hint", "aria-live": "polite" });

    if (vote.method === "support" || vote.method === "approval") {
      const limit = options.max_supports;
      parts.push(
        el("p", {
          className: "hint",
          text: "Cochez les propositions que vous soutenez" + (limit ? " (au plus " + limit + ")." : "."),
        })
      );
      for (const item of vote.items) {
        const box = el("input", { type: "checkbox", name: "item-" + item.id, checked: previous[item.id] === 1 });
        parts.push(el("label", { className: "choice" }, box, el("span", { text: item.title })));
        inputs.push([item.id, () => (box.checked ? 1 : null)]);
      }
    } else if (vote.method === "majority_judgment") {
      parts.push(
        el("p", {
          className: "hint",
          text: "Donnez une mention à chaque proposition. Une proposition sans mention compte comme « À rejeter ».",
        })
      );
      for (const item of vote.items) {
        const radios = GRADES.map((grade, value) =>
          el(
            "label",
            { className: "grade grade-" + value },
            el("input", { type: "radio", name: "item-" + item.id, value, checked: previous[item.id] === value }),
            el("span", { text: grade })
          )
        );
        parts.push(el("fieldset", { className: "grades" }, el("legend", { text: item.title }), ...radios));
        inputs.push([
          item.id,
          () => {
            const checked = radios.map((label) => label.querySelector("input")).find((input) => input.checked);
            return checked ? Number(checked.value) : null;
          },
        ]);
      }
    } else if (vote.method === "dots") {
      const budget = options.dot_budget;
      const perItem = options.dot_max_per_item || budget;
      const numbers = [];
      const update = () => {
        const used = numbers.reduce((total, input) => total + (Number(input.value) || 0), 0);
        remaining.textContent = "Points restants : " + (budget - used) + " sur " + budget;
        remaining.classList.toggle("error", used > budget);
      };
      parts.push(
        el("p", {
          className: "hint",
          text: "Répartissez vos " + budget + " points" + (perItem < budget ? " (au plus " + perItem + " par proposition)." : "."),
        })
      );
      for (const item of vote.items) {
        const id = "dots-" + activity.id + "-" + item.id;
        const input = el("input", {
          id,
          type: "number",
          inputmode: "numeric",
          min: 0,
          max: perItem,
          step: 1,
          value: previous[item.id] || 0,
          oninput: update,
        });
        numbers.push(input);
        parts.push(el("div", { className: "dots" }, el("label", { for: id, text: item.title }), input));
        inputs.push([item.id, () => (Number(input.value) > 0 ? Number(input.value) : null)]);
      }
      parts.push(remaining);
      update();
    } else if (vote.method === "ranking") {
      parts.push(el("p", { className: "hint", text: "Classez les propositions : 1 pour votre préférée." }));
      for (const item of vote.items) {
        const id = "rank-" + activity.id + "-" + item.id;
        const select = el(
          "select",
          { id },
          el("option", { value: "", text: "Non classée" }),
          ...vote.items.map((_, index) =>
            el("option", { value: index + 1, text: String(index + 1), selected: previous[item.id] === index + 1 })
          )
        );
        parts.push(el("div", { className: "dots" }, el("label", { for: id, text: item.title }), select));
        inputs.push([item.id, () => (select.value ? Number(select.value) : null)]);
      }
    } else {
      // agree: 1 agree, -1 disagree, 0 pass
      for (const item of vote.items) {
        const radios = AGREE_VALUES.map(([value, label]) =>
          el(
            "label",
            { className: "choice agree-" + value },
            el("input", { type: "radio", name: "item-" + item.id, value, checked: previous[item.id] === value }),
            el("span", { text: label })
          )
        );
        parts.push(el("fieldset", { className: "agree" }, el("legend", { text: item.title }), ...radios));
        inputs.push([
          item.id,
          () => {
            const checked = radios.map((label) => label.querySelector("input")).find((input) => input.checked);
            return checked ? Number(checked.value) : null;
          },
        ]);
      }
    }

    const form = el("form", {}, ...parts, el("button", { type: "submit", text: "Voter" }));
    form.addEventListener("submit", (submitted) => {
      submitted.preventDefault();
      const choices = {};
      for (const [item, read] of inputs) {
        const value = read();
        if (value !== null) choices[String(item)] = value;
      }
      submit(form, { type: "ballot.submit", activity: activity.id, choices }, (data) => {
        state.myAnswers.set(activity.id, data.answer);
        feedback("Votre vote est enregistré. Vous pouvez le modifier tant que le vote est ouvert.");
      });
    });
    return form;
  }

  function ideaForm(activity) {
    const kinds = activity.idea_kinds.length ? activity.idea_kinds : ["problem", "proposal"];
    const textId = "idea-text-" + activity.id;
    const counter = el("p", { className: "hint", id: textId + "-count" });
    const text = el("textarea", {
      id: textId,
      name: "text",
      maxlength: 500,
      rows: 3,
      required: true,
      "aria-describedby": textId + "-count",
    });
    const count = () => (counter.textContent = text.value.length + " / 500 caractères");
    text.addEventListener("input", count);
    count();
    const kindChoice =
      kinds.length > 1
        ? el(
            "fieldset",
            {},
            el("legend", { text: "C'est…" }),
            ...kinds.map((kind, index) =>
              el(
                "label",
                { className: "choice" },
                el("input", { type: "radio", name: "kind", value: kind, checked: index === 0 }),
                el("span", { text: IDEA_KINDS[kind] })
              )
            )
          )
        : null;
    const mineList = el("ul", { className: "ideas mine" });
    const renderMine = () => {
      const mine = state.myAnswers.get(activity.id);
      mineList.replaceChildren(
        ...((mine && mine.ideas) || []).map((idea) =>
          el("li", {}, idea.text, el("span", { className: "status", text: " — " + IDEA_STATUS[idea.status] }))
        )
      );
    };
    renderMine();
    const form = el(
      "form",
      {},
      kindChoice,
      el("label", { for: textId, text: "Votre idée (quelques mots suffisent)" }),
      text,
      counter,
      el("button", { type: "submit", text: "Envoyer" }),
      el("h2", { className: "small", text: "Mes idées envoyées" }),
      mineList
    );
    form.addEventListener("submit", (submitted) => {
      submitted.preventDefault();
      const checked = form.querySelector("input[name=kind]:checked");
      const kind = checked ? checked.value : kinds[0];
      const value = text.value.trim();
      if (!value) {
        feedback("Écrivez votre idée avant de l'envoyer.", true);
        return;
      }
      submit(form, { type: "idea.submit", activity: activity.id, kind, text: value }, (data) => {
        const mine = state.myAnswers.get(activity.id) || { activity: activity.id, kind: "idea_capture", ideas: [] };
        mine.ideas = [...mine.ideas, data.idea];
        state.myAnswers.set(activity.id, mine);
        text.value = "";
        count();
        renderMine();
        feedback("Merci ! Votre idée est transmise à l'animation pour relecture.");
      });
    });
    return form;
  }

  // ---------------------------------------------------------------------------------------
  // Results.
  function bar(label, value, whole, valueText, itemId) {
    return el(
      "li",
      { className: "bar-row", "data-item": itemId, "data-value": value },
      el("span", { className: "bar-label", text: label }),
      el(
        "span",
        { className: "bar", "aria-hidden": "true" },
        el("span", { className: "bar-fill", style: "width:" + percent(value, whole) + "%" })
      ),
      el("span", { className: "bar-value", text: valueText })
    );
  }

  function renderResults(container, activity, message) {
    const results = message.results;
    const answered = message.answered;
    const parts = [
      el("p", {
        className: "results-summary",
        text: plural(answered, "réponse", "réponses") + (message.final ? " · résultats définitifs" : " · en direct"),
      }),
    ];
    if (message.kind === "poll") {
      const total = results.choices.reduce((sum, choice) => sum + choice.count, 0);
      parts.push(
        el(
          "ol",
          { className: "bars" },
          ...results.choices.map((choice) =>
            bar(choice.label, choice.count, total, choice.count + " (" + percent(choice.count, total) + " %)", choice.id)
          )
        )
      );
    } else if (message.kind === "vote") {
      parts.push(voteResults(activity, results));
    } else {
      parts.push(
        el(
          "p",
          {},
          plural(results.approved, "idée retenue", "idées retenues") +
            " · " +
            plural(results.pending, "en attente", "en attente") +
            " · " +
            plural(results.rejected, "non retenue", "non retenues")
        )
      );
    }
    container.replaceChildren(...parts);
  }

  function voteResults(activity, results) {
    const titles = new Map(((activity.vote && activity.vote.items) || []).map((item) => [item.id, item.title]));
    const title = (id) => titles.get(id) || "Proposition " + id;
    const entries = results.entries || [];
    const voters = results.voter_count || 0;
    switch (results.method) {
      case "support":
      case "approval":
        return el(
          "ol",
          { className: "bars" },
          ...entries.map((entry) =>
            bar(
              title(entry.item),
              entry.count,
              voters,
              plural(entry.count, "soutien", "soutiens") + (entry.has_reached_threshold ? " · seuil atteint" : ""),
              entry.item
            )
          )
        );
      case "dots": {
        const top = Math.max(1, ...entries.map((entry) => entry.points));
        return el(
          "ol",
          { className: "bars" },
          ...entries.map((entry) => bar(title(entry.item), entry.points, top, plural(entry.points, "point", "points"), entry.item))
        );
      }
      case "majority_judgment":
        return el(
          "ol",
          { className: "mj" },
          ...entries.map((entry) => {
            const total = entry.profile.reduce((sum, n) => sum + n, 0);
            const grade = entry.majority_grade === null ? "aucune mention" : GRADES[entry.majority_grade];
            return el(
              "li",
              { "data-item": entry.item },
              el("span", { className: "bar-label", text: entry.rank + ". " + title(entry.item) }),
              el("span", { className: "mj-grade", text: "Mention majoritaire : " + grade }),
              el(
                "span",
                { className: "profile", "aria-hidden": "true" },
                ...entry.profile.map((n, value) =>
                  el("span", { className: "grade-" + value, style: "width:" + percent(n, total) + "%" })
                )
              ),
              el("span", {
                className: "visually-hidden",
                text: entry.profile.map((n, value) => GRADES[value] + " " + n).join(", "),
              })
            );
          })
        );
      case "agree":
        return el(
          "ol",
          { className: "bars" },
          ...entries.map((entry) => {
            const total = entry.total || entry.agree + entry.disagree + entry.passed;
            return el(
              "li",
              { className: "bar-row", "data-item": entry.item, "data-value": entry.agree },
              el("span", { className: "bar-label", text: title(entry.item) }),
              el(
                "span",
                { className: "bar split", "aria-hidden": "true" },
                el("span", { className: "agree-1", style: "width:" + percent(entry.agree, total) + "%" }),
                el("span", { className: "agree-0", style: "width:" + percent(entry.passed, total) + "%" }),
                el("span", { className: "agree--1", style: "width:" + percent(entry.disagree, total) + "%" })
              ),
              el("span", {
                className: "bar-value",
                text: entry.agree + " d'accord · " + entry.disagree + " pas d'accord · " + entry.passed + " passent",
              })
            );
          })
        );
      default: // ranking (and any method this page does not draw)
        return el(
          "ol",
          { className: "ranking" },
          ...entries.map((entry) => el("li", { "data-item": entry.item, text: entry.rank + ". " + title(entry.item) }))
        );
    }
  }

  // ---------------------------------------------------------------------------------------
  // Facilitator controls on the presenter screen (the same commands as REST).
  function renderControls() {
    const panel = $("controls");
    if (!panel) return;
    panel.hidden = state.role !== "facilitator";
    if (panel.hidden) return;
    const list = $("activity-list");
    const activities = [...state.activities.values()].sort((a, b) => a.position - b.position);
    list.replaceChildren(
      ...activities.map((activity) => {
        const buttons = [];
        if (activity.status === "pending") {
          buttons.push(control("Lancer", { type: "activity.start", activity: activity.id }));
        }
        if (activity.status === "open") {
          buttons.push(control("Arrêter", { type: "activity.stop", activity: activity.id }));
        }
        buttons.push(
          control(activity.results_visible ? "Masquer les résultats" : "Montrer les résultats", {
            type: "activity.results",
            activity: activity.id,
            visible: !activity.results_visible,
          })
        );
        const status = { pending: "à venir", open: "en cours", closed: "terminée" }[activity.status];
        return el("li", {}, el("span", { text: activity.title + " (" + status + ") " }), ...buttons);
      })
    );
  }

  function control(label, message) {
    return el("button", {
      type: "button",
      className: "small",
      text: label,
      onclick: async () => {
        const answer = await command(message);
        notice(answer.type === "error" ? answer.message : "");
      },
    });
  }

  start();
})();
