// Instructor controls: polls (open, close, reveal, next), questions, groups, session state.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const el = Live.el;
  const sid = document.body.dataset.session;
  const state = { session: null, polls: new Map(), questions: [], participants: 0, groups: [] };
  let selected = null; // poll whose chart is shown; the current poll when null

  async function act(method, path, body, done) {
    try {
      const reply = await Live.api(method, `live/sessions/${sid}${path ? `/${path}` : ""}`, body);
      if (done) Live.say($("status"), done);
      return reply;
    } catch (error) {
      Live.say($("status"), error.message, true);
      return null;
    }
  }

  function renderPolls() {
    const polls = [...state.polls.values()].sort((a, b) => a.position - b.position);
    const current = state.session && state.session.current_poll_id;
    $("polls").replaceChildren(...polls.map((poll) => {
      const answers = poll.results ? poll.results.answers : 0;
      const button = (label, action, disabled) => el("button", {
        type: "button", text: label, disabled, "aria-label": `${label}: ${poll.question}`,
        onclick: async () => {
          selected = poll.id;
          const reply = await act("POST", `polls/${poll.id}/${action}`, undefined, `${label}: ${poll.question}`);
          if (reply) onMessage({ type: "poll", poll: reply });
        },
      });
      return el("li", { class: poll.id === current ? "current" : "" },
        el("span", { class: `badge ${poll.state}`, text: poll.state + (poll.revealed ? " · revealed" : "") }),
        el("button", { type: "button", class: "link text", text: poll.question, onclick: () => { selected = poll.id; renderChart(); } }),
        el("span", { class: "muted", text: ` ${poll.kind} · ${Live.plural(answers, "answer")} ` }),
        el("span", { class: "actions" },
          button("Open", "open", poll.state === "open" || (state.session && state.session.state !== "open")),
          button("Close", "close", poll.state !== "open"),
          button("Reveal", "reveal", poll.revealed)));
    }));
    renderChart();
  }

  function renderChart() {
    const id = selected || (state.session && state.session.current_poll_id);
    const poll = state.polls.get(id);
    $("chart-question").textContent = poll ? poll.question : "Choose a poll to see its results.";
    LiveChart.draw($("chart"), poll, true);
    renderWords(poll);
  }

  // A text poll's words are held until approved (course/live/words.py): the presenter
  // draws approved words only.
  function renderWords(poll) {
    const text = poll && poll.kind === "text" && poll.results;
    $("word-moderation").hidden = !text;
    if (!text) return;
    const list = (id, words, buttons) => {
      const items = words.map((w) => el("li", {},
        el("span", { class: "text", text: `${w.word} (${w.count}) ` }),
        el("span", { class: "actions" }, ...buttons.map(([label, state]) => el("button", {
          type: "button", text: label, "aria-label": `${label}: ${w.word}`,
          onclick: () => decideWords(poll, [w.word], state),
        })))));
      $(id).replaceChildren(...(items.length ? items : [el("li", { class: "muted", text: "none" })]));
    };
    list("pending-words", poll.results.pending || [], [["Approve", "approved"], ["Hide", "hidden"]]);
    list("approved-words", poll.results.words || [], [["Hide", "hidden"]]);
    list("hidden-words", poll.results.hidden || [], [["Approve", "approved"]]);
    $("approve-all").disabled = !(poll.results.pending || []).length;
    $("approve-all").onclick = () => decideWords(poll, poll.results.pending.map((w) => w.word), "approved");
  }

  async function decideWords(poll, words, state) {
    const reply = await act("PATCH", `polls/${poll.id}/words`, { words, state },
      `${state === "hidden" ? "Hidden" : "Approved"}: ${words.join(", ")}`);
    if (reply) onMessage({ type: "poll", poll: reply });
  }

  function renderQuestions() {
    const items = Live.sortQuestions(state.questions).map((q) => el("li", { class: q.hidden ? "hidden-q" : q.answered ? "answered" : "" },
      el("span", { class: "votes", text: `▲ ${q.votes}` }),
      el("span", { class: "text", text: q.text }),
      el("span", { class: "actions" },
        el("button", { type: "button", text: q.answered ? "Unmark answered" : "Mark answered", onclick: () => moderate(q, { answered: !q.answered }) }),
        el("button", { type: "button", text: q.hidden ? "Show" : "Hide", onclick: () => moderate(q, { hidden: !q.hidden }) }))));
    $("questions").replaceChildren(...items);
    if (!items.length) $("questions").replaceChildren(el("li", { class: "muted", text: "No questions yet." }));
  }

  async function moderate(question, change) {
    const reply = await act("PATCH", `questions/${question.id}`, change);
    if (reply) {
      state.questions = state.questions.map((q) => (q.id === reply.id ? reply : q));
      renderQuestions();
    }
  }

  function renderGroups() {
    $("groups").replaceChildren(...state.groups.map((g) => el("li", {},
      el("strong", { text: `Group ${g.number}: ` }),
      el("span", { text: g.members.map((m) => (m.anonymous ? "anonymous" : m.name)).join(", ") || "nobody" }),
      g.url ? el("a", { href: g.url, target: "_blank", rel: "noopener", text: " open notebook" }) : null)));
  }

  function renderSession() {
    const ended = state.session && state.session.state === "ended";
    $("end-session").textContent = ended ? "Open session again" : "End session";
    $("joined").textContent = String(state.participants);
  }

  function onMessage(message) {
    const kind = Live.applyPresenter(state, message);
    if (kind === "state" || kind === "questions") renderQuestions();
    if (kind === "state" || kind === "groups") renderGroups();
    if (["state", "session", "poll", "participants"].includes(kind)) {
      renderSession();
      renderPolls();
    }
  }

  $("next-poll").addEventListener("click", async () => {
    selected = null;
    const reply = await act("POST", "next", undefined);
    if (reply) Live.say($("status"), reply.poll ? `Opened: ${reply.poll.question}` : "No poll left to open.");
  });

  $("groups-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const n = Number($("group-n").value);
    const groups = await act("POST", "groups", { [$("group-by").value]: n }, "Groups formed.");
    if (groups) {
      state.groups = groups;
      renderGroups();
    }
  });

  $("end-session").addEventListener("click", async () => {
    const ended = state.session && state.session.state === "ended";
    const session = await act("PATCH", "", { state: ended ? "open" : "ended" }, ended ? "Session open again." : "Session ended.");
    if (session) onMessage({ type: "session", session });
  });

  Live.socket(`live/sessions/${sid}/ws`, onMessage, $("connection"));
})();
