// A QR code opens this page as .../course/signin#code=ABCDE-FGHJK: the code stays in the
// fragment (never in a server or proxy log); fill the form and send it once.
(function () {
  const match = window.location.hash.match(/code=([A-Za-z0-9-]{4,40})/);
  if (!match) return;
  history.replaceState(null, "", window.location.pathname);
  document.getElementById("code").value = match[1];
  document.getElementById("signin").submit();
})();
