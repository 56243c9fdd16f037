// Participant view: the current poll with answer controls, questions with upvotes, the group.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const el = Live.el;
  const sid = document.body.dataset.session;
  const state = { session: null, me: null, poll: null, answer: null, questions: [], voted: new Set(), group: null };
  let shownPoll = null; // "id:state" of the controls on screen, so updates keep a half-made choice

  function render() {
    if (state.session) {
      $("title").textContent = state.session.title;
      document.title = state.session.title;
    }
    if (state.me) $("who").textContent = state.me.anonymous ? "anonymous" : state.me.name;
    renderEnded();
    renderApp();
    renderPoll();
    renderQuestions();
    renderGroup();
  }

  // an ended session: said at the top, and nothing left to send ----------------------------

  function renderEnded() {
    const ended = Boolean(state.session && state.session.state === "ended");
    $("ended").hidden = !ended;
    $("ask-form").hidden = ended;
    if (ended) $("connection").textContent = "ended";
  }

  // polls -------------------------------------------------------------------------------

  function renderPoll() {
    const poll = state.poll;
    const form = $("poll-form");
    const active = poll && poll.state !== "draft";
    $("poll-waiting").hidden = Boolean(active) || state.session?.state === "ended";
    form.hidden = !active;
    $("poll-result").hidden = true;
    if (!active) {
      shownPoll = null;
      return;
    }
    const key = `${poll.id}:${poll.state}`;
    if (shownPoll !== key) {
      shownPoll = key;
      $("poll-question").textContent = poll.question;
      $("poll-controls").replaceChildren(...controls(poll, state.answer, poll.state !== "open"));
      $("poll-submit").hidden = poll.state !== "open";
      Live.say($("poll-status"), poll.state === "open" ? (state.answer !== null ? "Your answer is saved; you can change it while the poll is open." : "") : "This poll is closed.");
    }
    if (poll.revealed) showReveal(poll);
  }

  function controls(poll, answer, closed) {
    if (poll.kind === "single" || poll.kind === "multiple") {
      const type = poll.kind === "single" ? "radio" : "checkbox";
      const chosen = new Set(Array.isArray(answer) ? answer : answer === null ? [] : [answer]);
      return poll.options.map((option, index) => {
        const id = `option-${poll.id}-${index}`;
        return el("div", { class: "option" },
          el("input", { type, id, name: "answer", value: String(index), checked: chosen.has(index), disabled: closed }),
          el("label", { for: id, text: option }));
      });
    }
    const id = `answer-${poll.id}`;
    const input = poll.kind === "numeric"
      ? el("input", { type: "number", id, step: "any", inputmode: "decimal", required: true, disabled: closed })
      : el("input", { type: "text", id, maxLength: 200, autocomplete: "off", required: true, disabled: closed });
    if (answer !== null && answer !== undefined) input.value = String(answer);
    return [el("label", { for: id, text: poll.kind === "numeric" ? "Your number" : "Your answer (a few words)" }), input];
  }

  function chosenValue(poll) {
    const form = $("poll-form");
    if (poll.kind === "single") {
      const checked = form.querySelector("input[name=answer]:checked");
      return checked ? Number(checked.value) : null;
    }
    if (poll.kind === "multiple") {
      const checked = [...form.querySelectorAll("input[name=answer]:checked")].map((i) => Number(i.value));
      return checked.length ? checked : null;
    }
    const text = form.querySelector("input").value.trim();
    if (!text) return null;
    if (poll.kind === "numeric") {
      const number = Number(text);
      return Number.isFinite(number) ? number : null;
    }
    return text;
  }

  function showReveal(poll) {
    const box = $("poll-result");
    const correct = poll.correct;
    let text = "";
    if (Array.isArray(correct)) text = `Correct: ${correct.map((i) => poll.options[i]).join(", ")}`;
    else if (correct && typeof correct === "object") text = `Correct: ${correct.value}${correct.tolerance ? ` (± ${correct.tolerance})` : ""}`;
    const answers = poll.results ? poll.results.answers : 0;
    box.replaceChildren(el("p", { class: "reveal", text }), el("p", { class: "muted", text: `${Live.plural(answers, "answer")} in total` }));
    box.hidden = !text;
  }

  $("poll-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const poll = state.poll;
    if (!poll || poll.state !== "open") return;
    const value = chosenValue(poll);
    if (value === null) {
      Live.say($("poll-status"), poll.kind === "numeric" ? "Type a number first." : "Choose or type an answer first.", true);
      return;
    }
    const button = $("poll-submit");
    button.disabled = true;
    try {
      const saved = await Live.api("PUT", `live/sessions/${sid}/me/answers/${poll.id}`, { value });
      state.answer = saved.value;
      Live.say($("poll-status"), "Answer sent ✓ You can change it while the poll is open.");
    } catch (error) {
      Live.say($("poll-status"), error.message, true);
    } finally {
      button.disabled = false;
    }
  });

  // questions ---------------------------------------------------------------------------

  function renderQuestions() {
    const list = $("questions");
    const items = Live.sortQuestions(state.questions).map((q) => {
      const voted = state.voted.has(q.id);
      const button = el("button", {
        type: "button",
        class: "vote",
        disabled: voted,
        "aria-pressed": voted ? "true" : "false",
        "aria-label": `Upvote (${q.votes} votes): ${q.text}`,
        onclick: () => vote(q.id),
      }, el("span", { "aria-hidden": "true", text: "▲" }), el("span", { text: String(q.votes) }));
      return el("li", { class: q.answered ? "answered" : "" },
        button,
        el("span", { class: "text", text: q.text }),
        q.answered ? el("span", { class: "badge", text: "answered" }) : null);
    });
    list.replaceChildren(...items);
  }

  async function vote(id) {
    try {
      const question = await Live.api("PUT", `live/sessions/${sid}/me/votes/${id}`);
      state.voted.add(id);
      state.questions = state.questions.map((q) => (q.id === id ? question : q));
      renderQuestions();
    } catch (error) {
      Live.say($("ask-status"), error.message, true);
    }
  }

  $("ask-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const box = $("ask-text");
    const text = box.value.trim();
    if (!text) {
      Live.say($("ask-status"), "Type a question first.", true);
      return;
    }
    try {
      const question = await Live.api("POST", `live/sessions/${sid}/me/questions`, { text });
      box.value = "";
      if (!state.questions.some((q) => q.id === question.id)) state.questions.push(question);
      renderQuestions();
      Live.say($("ask-status"), "Question posted.");
    } catch (error) {
      Live.say($("ask-status"), error.message, true);
    }
  });

  // the session's presentation app (course/live/apps.py): asked for once, on a port of
  // its own that needs no login --------------------------------------------------------

  let app = null; // null: not asked yet; {url} | {none: true} | {error}

  async function askForApp() {
    app = { waiting: true };
    try {
      app = await Live.api("GET", `live/sessions/${sid}/me/app`);
    } catch (error) {
      app = error.status === 404 ? { none: true } : { error: error.message };
    }
    render();
  }

  function renderApp() {
    const ended = Boolean(state.session && state.session.state === "ended");
    if (app === null && state.session && !ended) askForApp();
    const shown = app !== null && !app.none && !ended;
    $("app").hidden = !shown;
    if (!shown) return;
    $("app-link").hidden = !app.url;
    if (app.url) {
      $("app-link").href = app.url;
      $("app-text").textContent = "Open it here; it works on this phone, no login needed.";
    } else if (app.error) {
      $("app-text").textContent = `The app could not start: ${app.error}`;
    }
  }

  // group -------------------------------------------------------------------------------

  function renderGroup() {
    const group = state.group;
    $("group").hidden = !group;
    if (!group) return;
    const others = group.members.filter((m) => !state.me || m.id !== state.me.id).map((m) => (m.anonymous ? "anonymous" : m.name));
    $("group-text").textContent = `Group ${group.number}` + (others.length ? ` with ${others.join(", ")}` : "");
    const link = $("group-link");
    const ended = Boolean(state.session && state.session.state === "ended");
    // the door to the notebook sets the group cookie, then opens it in JupyterLab
    link.hidden = !group.url || ended;
    if (group.url) link.href = `${location.pathname.replace(/\/$/, "")}/notebook`;
    const download = $("group-download");
    download.hidden = !group.url;
    download.href = `${Live.base}course/api/live/sessions/${sid}/me/notebook`;
  }

  // live updates ------------------------------------------------------------------------

  function onMessage(message) {
    switch (message.type) {
      case "state":
        Object.assign(state, {
          session: message.session, me: message.me, poll: message.poll, answer: message.answer,
          questions: message.questions || [], voted: new Set(message.voted || []), group: message.group,
        });
        shownPoll = null;
        break;
      case "session":
        state.session = message.session;
        break;
      case "poll": {
        const poll = message.poll;
        const current = state.session && state.session.current_poll_id;
        if (poll.id === current || (state.poll && poll.id === state.poll.id)) {
          if (!state.poll || state.poll.id !== poll.id) state.answer = null;
          if (poll.id === current || poll.state !== "draft") state.poll = poll;
        }
        break;
      }
      case "questions":
        state.questions = message.questions;
        break;
      case "group":
        state.group = message.group;
        break;
      default:
        return;
    }
    render();
  }

  Live.socket(`live/sessions/${sid}/me/ws`, onMessage, $("connection"));
})();
