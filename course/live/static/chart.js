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

  const numbers = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
  function format(number) {
    return number === null || number === undefined ? "–" : numbers.format(number);
  }

  // rows → vertical columns (a histogram), the range under each column
  function columns(rows, total, width, font) {
    const height = Math.round(font * 11);
    const base = height - font * 2.2;
    const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "columns", preserveAspectRatio: "xMinYMin meet" });
    const most = Math.max(1, ...rows.map((r) => r.count));
    const step = width / rows.length;
    const widest = Math.max(...rows.map((r) => r.label.length)) * font * 0.8 * 0.62;
    const every = Math.max(1, Math.ceil(widest / step)); // label every n-th column: no overlap
    rows.forEach((row, i) => {
      const x = i * step;
      const tall = Math.max(3, ((base - font * 1.4) * row.count) / most);
      const group = svg("g", { class: row.correct ? "row correct" : "row" });
      group.append(
        svg("rect", { x: x + step * 0.1, y: base - tall, width: step * 0.8, height: tall, rx: 3, class: "bar" }),
        svg("text", { x: x + step / 2, y: base - tall - font * 0.3, class: "count", "text-anchor": "middle" }, String(row.count)),
      );
      const label = svg("text", { x: x + step / 2, y: base + font * 1.1, class: "tick", "text-anchor": "middle" }, row.label);
      label.appendChild(svg("title", {}, row.range));
      if (i % every === 0) group.appendChild(label);
      root.appendChild(group);
    });
    return root;
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
      const value = correct && typeof correct === "object" ? correct.value : null;
      rows = results.histogram.map((bin, i) => ({
        label: format(bin.from),
        range: `${format(bin.from)} – ${format(bin.to)}`,
        count: bin.count,
        correct: value !== null && value >= bin.from && (value < bin.to || i === results.histogram.length - 1),
      }));
      extra.push(`median ${format(results.median)} · mean ${format(results.mean)}`);
      if (value !== null) extra.push(`${results.within_tolerance} of ${total} correct (${format(value)})`);
    } else if (results.words) {
      rows = results.words.slice(0, 8).map((w) => ({ label: w.word, count: w.count, correct: false }));
    }
    const nodes = extra.map((line) => Live.el("p", { class: "summary", text: line }));
    if (!rows.length) nodes.push(Live.el("p", { class: "muted", text: "No answers yet." }));
    else if (results.histogram) nodes.push(columns(rows, total, width, font));
    else nodes.push(bars(rows, total, width, font));
    container.replaceChildren(...nodes);
    container.setAttribute("aria-label", `${total} answers. ${describe(rows)}`);
  }

  return { draw };
})();
