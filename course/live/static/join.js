// Join page: the code first, then a name or anonymous; POST live/join sets the cookie.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const codeForm = $("code-step");
  const nameForm = $("name-step");
  const codeInput = $("code");
  const nameInput = $("name");
  const anonymous = $("anonymous");
  const CODE = /^[A-Za-z0-9 -]{4,12}$/;
  let code = "";

  function showCode(message) {
    nameForm.hidden = true;
    codeForm.hidden = false;
    Live.say($("code-error"), message || "");
    codeInput.setAttribute("aria-invalid", message ? "true" : "false");
    codeInput.focus();
  }

  function showName() {
    codeForm.hidden = true;
    nameForm.hidden = false;
    $("code-shown").textContent = code;
    Live.say($("name-error"), "");
    nameInput.focus();
  }

  codeForm.addEventListener("submit", (event) => {
    event.preventDefault();
    code = codeInput.value.trim().toUpperCase();
    if (!CODE.test(code)) {
      showCode("Type the 4 to 12 letters and digits of the code.");
      return;
    }
    showName();
  });

  $("change-code").addEventListener("click", () => showCode(""));

  anonymous.addEventListener("change", () => {
    nameInput.disabled = anonymous.checked;
  });

  nameForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = nameInput.value.trim();
    if (!anonymous.checked && !name) {
      Live.say($("name-error"), "Type your name, or join anonymously.", true);
      nameInput.focus();
      return;
    }
    const body = { code, anonymous: anonymous.checked };
    if (!anonymous.checked) body.name = name;
    const button = nameForm.querySelector("button[type=submit]");
    button.disabled = true;
    // A room of phones behind one address can hit the server's join limit: wait, try again.
    for (let attempt = 0; ; attempt += 1) {
      try {
        const joined = await Live.api("POST", "live/join", body);
        location.assign(`${Live.base}course/live/s/${joined.session.id}`);
        return;
      } catch (error) {
        if (error.status === 429 && attempt < 8) {
          Live.say($("name-error"), "Many people are joining; trying again…");
          await new Promise((done) => setTimeout(done, 1000 * Math.max(1, error.retryAfter) * (0.5 + Math.random())));
          continue;
        }
        button.disabled = false;
        if (error.status === 404) showCode("No open session has this code. Check it and try again.");
        else Live.say($("name-error"), error.message, true);
        return;
      }
    }
  });

  code = codeInput.value.trim().toUpperCase();
  if (CODE.test(code)) showName();
  else codeInput.focus();
})();
