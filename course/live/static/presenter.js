// Presenter view (projector): current poll with its live chart, top questions, joins, readiness.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const sid = document.body.dataset.session;
  const KINDS = { single: "single choice", multiple: "multiple choice", numeric: "number", text: "short text" };
  const state = { session: null, polls: new Map(), questions: [], participants: 0 };

  function currentPoll() {
    return state.session && state.polls.get(state.session.current_poll_id);
  }

  function renderPoll() {
    const poll = currentPoll();
    if (!poll) {
      $("poll-question").textContent = state.session ? state.session.title : "";
      $("poll-meta").textContent = "Waiting for a poll…";
      LiveChart.draw($("chart"), null, false);
      return;
    }
    $("poll-question").textContent = poll.question;
    const answers = poll.results ? poll.results.answers : 0;
    const status = poll.state === "open" ? "open" : poll.state === "closed" ? "closed" : "not open yet";
    $("poll-meta").textContent = `${KINDS[poll.kind] || poll.kind} · ${Live.plural(answers, "answer")} · ${status}`;
    $("chart").dataset.answers = String(answers);
    LiveChart.draw($("chart"), poll, poll.revealed);
  }

  function renderQuestions() {
    const top = Live.sortQuestions(state.questions.filter((q) => !q.hidden && !q.answered)).slice(0, 5);
    $("questions").replaceChildren(
      ...top.map((q) => Live.el("li", {}, Live.el("span", { class: "votes", text: `▲ ${q.votes}` }), Live.el("span", { class: "text", text: q.text }))),
    );
    if (!top.length) $("questions").replaceChildren(Live.el("li", { class: "muted", text: "No questions yet." }));
  }

  function renderJoined() {
    $("joined").textContent = String(state.participants);
  }

  function onMessage(message) {
    const kind = Live.applyPresenter(state, message);
    if (kind === "state" || kind === "questions") renderQuestions();
    if (kind === "state" || kind === "participants") renderJoined();
    if (["state", "session", "poll"].includes(kind)) renderPoll();
  }

  async function readiness() {
    try {
      const report = await Live.api("GET", `live/sessions/${sid}/readiness`);
      const p = report.participants;
      const l = report.learners;
      const parts = [];
      if (p.known) parts.push(`${p.ready} of ${p.known} signed-in learners here ready (${Math.round(100 * p.share)}%)`);
      else parts.push("no signed-in learner has joined yet");
      if (l.total) parts.push(`class: ${l.ready} of ${l.total} learners ready`);
      $("readiness").textContent = `Readiness: ${parts.join(" · ")}`;
    } catch (error) {
      $("readiness").textContent = `Readiness: unavailable (${error.message})`;
    }
  }

  Live.socket(`live/sessions/${sid}/ws`, onMessage, $("connection"));
  readiness();
  setInterval(readiness, 30000);
})();
