// Shared helpers of the live pages. User text is only ever set with textContent.
"use strict";

const Live = (() => {
  const meta = (name) => {
    const node = document.querySelector(`meta[name="${name}"]`);
    return node ? node.content : "";
  };
  const base = meta("course-base") || "/";
  const xsrf = meta("course-xsrf");

  // el("li", {class: "x", text: "safe text", onclick: f}, child, "more text")
  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "text") node.textContent = String(value);
      else if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (key in node && typeof node[key] !== "function") node[key] = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    node.append(...children.filter((c) => c !== null && c !== undefined));
    return node;
  }

  class ApiError extends Error {
    constructor(message, status, retryAfter) {
      super(message);
      this.status = status;
      this.retryAfter = retryAfter || 0; // seconds, from a 429's Retry-After
    }
  }

  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (xsrf) headers["X-XSRFToken"] = xsrf;
    let reply;
    try {
      reply = await fetch(`${base}course/api/${path}`, {
        method,
        headers,
        credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new ApiError("No connection to the server; try again.", 0);
    }
    let data = null;
    try {
      data = await reply.json();
    } catch (error) {
      data = null;
    }
    if (!reply.ok) {
      const message = (data && data.message) || `${reply.status} ${reply.statusText}`;
      throw new ApiError(message, reply.status, Number(reply.headers.get("Retry-After")) || 0);
    }
    return data;
  }

  // A websocket that reconnects (with backoff) and expects a fresh "state" frame each time.
  function socket(path, onMessage, statusNode) {
    let delay = 500;
    const setStatus = (live) => {
      if (!statusNode) return;
      statusNode.textContent = live ? "live" : "reconnecting…";
      statusNode.classList.toggle("offline", !live);
    };
    function open() {
      const scheme = location.protocol === "https:" ? "wss:" : "ws:";
      const ws = new WebSocket(`${scheme}//${location.host}${base}course/api/${path}`);
      ws.onopen = () => {
        delay = 500;
        setStatus(true);
      };
      ws.onmessage = (event) => {
        let message;
        try {
          message = JSON.parse(event.data);
        } catch (error) {
          return;
        }
        onMessage(message);
      };
      ws.onclose = () => {
        setStatus(false);
        setTimeout(open, delay);
        delay = Math.min(delay * 2, 10000);
      };
    }
    open();
  }

  function say(node, text, isError = false) {
    node.textContent = text;
    node.classList.toggle("error", Boolean(isError));
  }

  function sortQuestions(questions) {
    return [...questions].sort((a, b) => b.votes - a.votes || a.id - b.id);
  }

  function plural(count, word) {
    return `${count} ${count === 1 ? word : `${word}s`}`;
  }

  // Fold one presenter-channel message into state; returns its type, or null if unknown.
  function applyPresenter(state, message) {
    switch (message.type) {
      case "state":
        state.session = message.session;
        state.polls = new Map(message.polls.map((p) => [p.id, p]));
        state.questions = message.questions;
        state.participants = message.participants;
        state.groups = message.groups;
        break;
      case "session":
        state.session = message.session;
        break;
      case "poll":
        state.polls.set(message.poll.id, message.poll);
        break;
      case "questions":
        state.questions = message.questions;
        break;
      case "participants":
        state.participants = message.count;
        break;
      case "groups":
        state.groups = message.groups;
        break;
      default:
        return null;
    }
    return message.type;
  }

  return { base, el, api, socket, say, sortQuestions, plural, applyPresenter, ApiError };
})();
