// Instructor's session list: start a session of a module, then go to its controls.
"use strict";

(() => {
  const form = document.getElementById("new-session");
  const status = document.getElementById("new-status");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { module: document.getElementById("module").value };
    const title = document.getElementById("session-title").value.trim();
    if (title) body.title = title;
    try {
      const session = await Live.api("POST", "live/sessions", body);
      location.assign(`${Live.base}course/live/sessions/${session.id}/control`);
    } catch (error) {
      Live.say(status, error.message, true);
    }
  });
})();
