// Result charts drawn in the browser as SVG (no library, no network). Labels are text nodes.
"use strict";

const LiveChart = (() => {
  const NS = "http://www.w3.org/2000/svg";
  const drawn = new Map(); // container → [poll, showCorrect], to redraw on resize
  const resized = new ResizeObserver((entries) => {
    for (const entry of entries) {
      const last = drawn.get(entry.target);
      if (last && Math.abs(entry.contentRect.width - last[2]) > 1) draw(entry.target, last[0], last[1]);
    }
  });

  function svg(tag, attrs = {}, text) {
    const node = document.createElementNS(NS, tag);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function short(text, max) {
    return text.length > max ? `${text.slice(0, max - 1)}…` : text;
  }

  // rows: [{label, count, correct}] → horizontal bars, the label above each bar. The viewBox
  // is the container's size in CSS pixels, so text keeps the page's font size at any width.
  function bars(rows, total, width, font) {
    const rowHeight = Math.round(font * 3.1);
    const height = Math.max(rows.length, 1) * rowHeight;
    const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "bars", preserveAspectRatio: "xMinYMin meet" });
    const most = Math.max(1, ...rows.map((r) => r.count));
    const room = Math.max(40, width - font * 6.5);
    rows.forEach((row, i) => {
      const y = i * rowHeight;
      const share = total ? Math.round((100 * row.count) / total) : 0;
      const length = Math.max(4, (room * row.count) / most);
      const group = svg("g", { class: row.correct ? "row correct" : "row" });
      const maxChars = Math.max(12, Math.floor(width / (font * 0.55)));
      const label = svg("text", { x: 0, y: y + font, class: "label" }, short((row.correct ? "✓ " : "") + row.label, maxChars));
      label.appendChild(svg("title", {}, row.label));
      group.append(
        label,
        svg("rect", { x: 0, y: y + font * 1.35, height: font * 1.2, width: length, rx: 3, class: "bar" }),
        svg("text", { x: length + font * 0.4, y: y + font * 2.3, class: "count" }, `${row.count} · ${share}%`),
      );
      root.appendChild(group);
    });
    return root;
  }

  function format(number) {
    if (number === null || number === undefined) return "–";
    return Math.abs(number) >= 1000 || Number.isInteger(number) ? String(Math.round(number * 100) / 100) : number.toPrecision(3);
  }

  function describe(rows) {
    return rows.map((r) => `${r.label}: ${r.count}${r.correct ? " (correct)" : ""}`).join("; ");
  }

  // Draws poll.results into container; showCorrect marks the right answers.
  function draw(container, poll, showCorrect) {
    const width = Math.max(240, Math.round(container.clientWidth || 600));
    const font = parseFloat(getComputedStyle(container).fontSize) || 16;
    if (!drawn.has(container)) resized.observe(container);
    drawn.set(container, [poll, showCorrect, width]);
    const results = poll && poll.results;
    if (!results) {
      container.replaceChildren();
      container.setAttribute("aria-label", "No results yet");
      return;
    }
    const total = results.answers;
    const correct = showCorrect ? poll.correct : null;
    let rows = [];
    const extra = [];
    if (results.counts) {
      const right = new Set(Array.isArray(correct) ? correct : []);
      rows = poll.options.map((label, i) => ({ label, count: results.counts[i] || 0, correct: right.has(i) }));
    } else if (results.histogram) {
      rows = results.histogram.map((bin) => ({
        label: bin.from === bin.to || results.histogram.length === 1 ? format(bin.from) : `${format(bin.from)} – ${format(bin.to)}`,
        count: bin.count,
        correct: Boolean(correct && typeof correct === "object" && correct.value >= bin.from && correct.value <= bin.to),
      }));
      extra.push(`median ${format(results.median)} · mean ${format(results.mean)}`);
      if (correct && typeof correct === "object") extra.push(`${results.within_tolerance} of ${total} correct (${format(correct.value)})`);
    } else if (results.words) {
      rows = results.words.slice(0, 12).map((w) => ({ label: w.word, count: w.count, correct: false }));
    }
    const nodes = [];
    if (rows.length) nodes.push(bars(rows, total, width, font));
    else nodes.push(Live.el("p", { class: "muted", text: "No answers yet." }));
    for (const line of extra) nodes.push(Live.el("p", { class: "summary", text: line }));
    container.replaceChildren(...nodes);
    container.setAttribute("aria-label", `${total} answers. ${describe(rows)}`);
  }

  return { draw };
})();
