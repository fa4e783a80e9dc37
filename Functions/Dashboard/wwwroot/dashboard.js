// Engage dashboard: plain JavaScript, no dependencies. Reads the app's own JSON API (relative URLs, so
// every request stays on the page's origin) and keeps its state in the URL hash so a view can be shared.
"use strict";
(() => {
  const DAY = 86400000;
  const WEEK = 7 * DAY;
  const MAX_WEEKS = 26;
  const SVG = "http://www.w3.org/2000/svg";
  const $ = id => document.getElementById(id);

  // In Azure the page is opened with ?code=<function key>; every API call passes it on.
  const functionKey = new URLSearchParams(location.search).get("code");

  // ---------- small DOM helpers (text only: handles come from webhooks and are never parsed as HTML) ----------
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    setAttrs(el, attrs);
    append(el, children);
    return el;
  }
  function s(tag, attrs, ...children) {
    const el = document.createElementNS(SVG, tag);
    setAttrs(el, attrs);
    append(el, children);
    return el;
  }
  function setAttrs(el, attrs) {
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") el.setAttribute("class", v);
      else if (k === "text") el.textContent = v;
      else el.setAttribute(k, v === true ? "" : String(v));
    }
  }
  function append(el, children) {
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
  }
  function fill(id, ...children) {
    const el = $(id);
    el.replaceChildren();
    append(el, children);
    return el;
  }

  // ---------- formatting ----------
  const fmt = (n, digits = 1) => n === null || n === undefined ? "—" : Number(n).toFixed(digits);
  const pct = n => n === null || n === undefined ? "—" : Math.round(n * 100) + " %";
  function when(iso) {
    if (!iso) return "—";
    return iso.replace("T", " ").replace(/:\d{2}(\.\d+)?Z$/, " UTC");
  }
  function durationMs(text) {
    const m = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text || "");
    if (!m || text === "P" || text.endsWith("T")) return null;
    const [d, hh, mm, ss] = m.slice(1).map(x => Number(x || 0));
    return ((d * 24 + hh) * 60 + mm) * 60000 + ss * 1000;
  }
  function humanDuration(text) {
    const ms = durationMs(text);
    if (ms === null) return text || "—";
    const days = Math.floor(ms / DAY), hours = Math.floor(ms % DAY / 3600000), minutes = Math.round(ms % 3600000 / 60000);
    const parts = [];
    if (days) parts.push(days + (days === 1 ? " day" : " days"));
    if (hours) parts.push(hours + " h");
    if (minutes && !days) parts.push(minutes + " min");
    return parts.length ? parts.join(" ") : "under a minute";
  }
  const windowLabel = w => humanDuration(w);
  const isoSeconds = date => date.toISOString().replace(/\.\d{3}Z$/, "Z");

  // ---------- state in the URL hash ----------
  function readState() {
    const p = new URLSearchParams(location.hash.replace(/^#/, ""));
    const asOf = p.get("asOf") || "";
    const win = p.get("window") || "P30D";
    return { asOf: Number.isNaN(Date.parse(asOf)) ? "" : asOf, window: durationMs(win) ? win : "P30D", member: p.get("member") || "" };
  }
  function stateHash(state) {
    const p = new URLSearchParams();
    if (state.asOf) p.set("asOf", state.asOf);
    p.set("window", state.window);
    if (state.member) p.set("member", state.member);
    return "#" + p.toString();
  }
  const memberHref = (state, userId) => stateHash({ ...state, member: userId });

  // ---------- the API ----------
  async function api(path, params) {
    const url = new URL(path, document.baseURI);
    for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, v);
    if (functionKey) url.searchParams.set("code", functionKey);
    const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    const text = await response.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch { body = null; }
    if (!response.ok) {
      const detail = body && (body.detail || body.title) || response.statusText;
      const error = new Error(detail + " (" + response.status + ")");
      error.status = response.status;
      throw error;
    }
    return body;
  }
  // Platform userIds always hold a ':' (github:octocat); personIds never do (the People API). A member of
  // the page is either, so showing people once their API has landed is this one switch plus the entries'
  // personId below.
  const memberPath = (id, what) => (id.includes(":") ? "users/" : "people/") + encodeURIComponent(id) + "/" + what;
  const entryId = e => e.personId || e.userId;

  // ---------- names: who is who (from every answer that names users) ----------
  const known = new Map(); // userId -> handle
  function learn(userId, handle) {
    if (!userId) return;
    if (handle || !known.has(userId)) known.set(userId, handle || known.get(userId) || null);
  }
  function label(userId, handle) {
    const name = handle || known.get(userId);
    return name ? "@" + name : userId;
  }
  function memberLink(state, userId, handle) {
    return h("a", { href: memberHref(state, userId), "data-user": userId, title: userId }, label(userId, handle));
  }
  function resolveMember(text) {
    const t = text.trim().replace(/^@/, "");
    if (!t) return "";
    if (known.has(t)) return t;
    const lower = t.toLowerCase();
    for (const [id, handle] of known) if (handle && handle.toLowerCase() === lower) return id;
    if (t.includes(":")) return t; // a platform userId such as github:octocat
    return null;
  }
  function refreshDatalist() {
    const list = $("known-members");
    list.replaceChildren();
    const seen = new Set();
    for (const [id, handle] of known) {
      const value = handle || id;
      if (seen.has(value)) continue;
      seen.add(value);
      list.append(h("option", { value, label: handle ? id : "" }));
    }
  }

  // ---------- community ----------
  function move(cur, prev, kind) {
    if (cur === null || cur === undefined || prev === null || prev === undefined) {
      return h("span", { class: "move" }, "no previous figure");
    }
    const delta = cur - prev;
    const shown = kind === "ratio" ? (delta * 100).toFixed(0) + " pts" : String(Math.round(delta * 100) / 100);
    if (Math.abs(delta) < 1e-9) return h("span", { class: "move" }, "= same as previous window");
    const up = delta > 0;
    return h("span", { class: "move " + (up ? "up" : "down") },
      h("span", { "aria-hidden": "true" }, up ? "▲ " : "▼ "),
      (up ? "up " : "down ") + shown.replace("-", "") + " vs previous window");
  }
  function renderCommunity(state, cur, prev) {
    const figures = [
      ["users", "Users", cur.users, prev && prev.users, "count", String(cur.users)],
      ["interactions", "Interactions", cur.interactions, prev && prev.interactions, "count", String(cur.interactions)],
      ["reciprocity", "Reciprocity r", cur.reciprocity, prev && prev.reciprocity, "ratio", fmt(cur.reciprocity, 2)],
      ["rho", "Reciprocity ρ", cur.rho, prev && prev.rho, "ratio", fmt(cur.rho, 2)],
      ["broadcastShare", "Broadcast share", cur.broadcastShare, prev && prev.broadcastShare, "ratio", pct(cur.broadcastShare)],
      ["openQuestions", "Open questions", cur.openQuestions, prev && prev.openQuestions, "count", String(cur.openQuestions)],
    ];
    fill("community-figures", figures.map(([key, name, value, before, kind, shown]) =>
      h("div", { "data-figure": key },
        h("dt", {}, name),
        h("dd", {}, h("span", { class: "value" }, shown), move(value, before, kind)))));
    fill("community-note", `${windowLabel(cur.window)} up to ${when(cur.asOf)}, compared with the ${windowLabel(cur.window)} before.`);
  }

  // ---------- leaderboards ----------
  function board(state, data, by, caption) {
    const entries = data.entries.slice(0, 20);
    if (!entries.length) return h("p", { class: "empty" }, caption + ": no projection yet (the scores projection runs on its schedule).");
    return h("table", { id: "board-" + by + "-table" },
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, h("th", { scope: "col", class: "num" }, "#"), h("th", { scope: "col" }, "Member"),
        h("th", { scope: "col", class: "num" }, by === "engagement" ? "Score" : "Index"), h("th", { scope: "col" }, "Level"))),
      h("tbody", {}, entries.map((e, i) => h("tr", { class: entryId(e) === state.member ? "current" : "" },
        h("td", { class: "num" }, i + 1),
        h("td", {}, memberLink(state, entryId(e), e.handle || e.name)),
        h("td", { class: "num" }, fmt(e.score, by === "engagement" ? 1 : 2)),
        h("td", {}, h("span", { class: "level " + e.level }, e.level))))));
  }
  function renderBoards(state, engagement, reciprocity) {
    fill("board-engagement", board(state, engagement, "engagement", "By engagement"));
    fill("board-reciprocity", board(state, reciprocity, "reciprocity", "By reciprocity"));
    fill("board-note", engagement.asOf
      ? `From the last scores projection, ${when(engagement.asOf)} (leaderboards do not move with “As of”).`
      : "No scores projection has run yet.");
  }

  // ---------- charts ----------
  // Weeks end at asOf, asOf − 7 d, …: one per started week of the window, at most 26 (as /api/community/weekly).
  function barChart(figureId, caption, points, cls, digits) {
    const width = 360, height = 160, left = 34, bottom = 22, top = 10;
    const max = Math.max(...points.map(p => p.value), 0) || 1;
    const step = (width - left) / points.length;
    const bw = Math.max(2, step * 0.7);
    const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": caption + " (table below)" });
    svg.append(s("line", { class: "axis", x1: left, y1: height - bottom, x2: width, y2: height - bottom }));
    svg.append(s("text", { x: left - 4, y: top + 4, "text-anchor": "end" }, fmt(max, digits)));
    svg.append(s("text", { x: left - 4, y: height - bottom, "text-anchor": "end" }, "0"));
    const every = Math.ceil(points.length / 6);
    points.forEach((p, i) => {
      const bh = (height - bottom - top) * (p.value / max);
      const x = left + i * step + (step - bw) / 2;
      svg.append(s("rect", { class: "bar " + cls, x: x.toFixed(1), y: (height - bottom - bh).toFixed(1), width: bw.toFixed(1), height: Math.max(bh, 0).toFixed(1) },
        s("title", {}, `${p.label}: ${fmt(p.value, digits)}`)));
      if (i % every === 0 || i === points.length - 1) {
        svg.append(s("text", { x: (x + bw / 2).toFixed(1), y: height - 6, "text-anchor": "middle" }, p.label));
      }
    });
    const table = h("details", {}, h("summary", {}, "As a table"),
      h("div", { class: "scroll" }, h("table", {},
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Week ending"), h("th", { scope: "col", class: "num" }, "Value"))),
        h("tbody", {}, points.map(p => h("tr", {}, h("td", {}, when(p.at)), h("td", { class: "num" }, fmt(p.value, digits))))))));
    fill(figureId, h("figcaption", {}, caption), svg, table);
  }
  function weekEnds(asOfMs, windowMs) {
    const weeks = Math.min(MAX_WEEKS, Math.max(1, Math.ceil(windowMs / WEEK)));
    const ends = [];
    for (let k = weeks - 1; k >= 0; k--) ends.push(new Date(asOfMs - k * WEEK));
    return ends;
  }
  const shortDate = d => d.toISOString().slice(5, 10);

  // ---------- member ----------
  function renderMember(state, e, r) {
    learn(entryId(e), e.handle || e.name);
    fill("member-h", "Member ", label(entryId(e), e.handle || e.name));
    fill("member-id", `${entryId(e)} · ${windowLabel(e.window)} up to ${when(e.asOf)}`);
    fill("member-score", fmt(e.score, 1) + " points");
    const level = fill("member-level", e.level);
    level.className = "level " + e.level;

    const breakdown = [...(e.breakdown || [])].sort((a, b) => Math.abs(b.points) - Math.abs(a.points));
    const maxPoints = Math.max(...breakdown.map(b => Math.abs(b.points)), 0) || 1;
    fill("member-breakdown", breakdown.length ? breakdown.map(b => {
      const bar = h("div", { class: "bar-fill" + (b.points < 0 ? " negative" : "") });
      bar.style.width = (100 * Math.abs(b.points) / maxPoints).toFixed(1) + "%";
      return h("div", { class: "bar-row", "data-signal": b.signal },
        h("span", {}, `${b.signal} ×${b.count}`),
        h("div", { class: "bar-track", role: "img", "aria-label": `${b.signal}: ${fmt(b.points, 2)} points` }, bar),
        h("span", { class: "bar-value" }, fmt(b.points, 2)));
    }) : h("p", { class: "empty" }, "No points in this window."));

    if (e.conversationRatio === null || e.conversationRatio === undefined) {
      fill("member-mix", h("p", { class: "empty" }, "Nothing authored in this window."));
    } else {
      const conv = h("div", { class: "conversation" }), broad = h("div", { class: "broadcast" });
      conv.style.width = (100 * e.conversationRatio) + "%";
      broad.style.width = (100 * (e.broadcastRatio || 0)) + "%";
      fill("member-mix",
        h("div", { class: "mix", role: "img", "aria-label": `${pct(e.conversationRatio)} conversation, ${pct(e.broadcastRatio)} broadcast` }, conv, broad),
        h("p", { class: "mix-legend", id: "member-mix-text" }, `${pct(e.conversationRatio)} conversation · ${pct(e.broadcastRatio)} broadcast`));
    }

    const counts = Object.entries(e.counts || {});
    fill("member-counts", counts.map(([k, v]) => h("div", { "data-count": k, class: v ? "" : "zero" }, h("dt", {}, k), h("dd", {}, v))));

    for (const c of r.counterparts || []) learn(entryId(c), c.handle);
    for (const o of r.owed || []) learn(entryId(o), o.handle);
    for (const q of r.openQuestions || []) learn(q.from, q.fromHandle);
    fill("member-reciprocity",
      figure("given", "Given", `${r.given.count} · ${fmt(r.given.points, 1)} pts`),
      figure("received", "Received", `${r.received.count} · ${fmt(r.received.points, 1)} pts`),
      figure("index", "Reciprocity index", fmt(r.reciprocityIndex, 2)),
      figure("replyRate", "Reply rate", pct(r.replyRate)),
      figure("latency", "Median reply latency", r.medianReplyLatency ? humanDuration(r.medianReplyLatency) : "—"));

    fill("member-owed", (r.owed || []).length ? r.owed.map(o => h("li", { "data-user": entryId(o) },
      "Owes ", memberLink(state, entryId(o), o.handle), `: received ${o.received.count} (${fmt(o.received.points, 1)} pts), gave ${o.given.count} (${fmt(o.given.points, 1)} pts) since ${when(o.since)}`))
      : h("li", { class: "empty" }, "Owes no one."));
    fill("member-questions", (r.openQuestions || []).length ? r.openQuestions.map(q => h("li", { "data-question": q.id },
      "From ", memberLink(state, q.from, q.fromHandle), `, asked ${when(q.askedAt)} (${q.id})`))
      : h("li", { class: "empty" }, "No open questions."));

    const cps = r.counterparts || [];
    fill("member-counterparts", cps.length ? h("table", { id: "counterparts-table" },
      h("caption", {}, "Everyone they gave to or received from, most recent first"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Member"), h("th", { scope: "col", class: "num" }, "Given"),
        h("th", { scope: "col", class: "num" }, "Received"), h("th", { scope: "col" }, "Balance"), h("th", { scope: "col" }, "Last"))),
      h("tbody", {}, cps.map(c => h("tr", { "data-user": entryId(c) },
        h("td", {}, memberLink(state, entryId(c), c.handle)),
        h("td", { class: "num" }, `${c.given.count} · ${fmt(c.given.points, 1)}`),
        h("td", { class: "num" }, `${c.received.count} · ${fmt(c.received.points, 1)}`),
        h("td", {}, balance(c.balance), fmt(c.balance, 2)),
        h("td", {}, when(c.lastInteractionAt)))))) : h("p", { class: "empty" }, "No counterparts in this window."));
  }
  function figure(key, name, value) {
    return h("div", { "data-figure": key }, h("dt", {}, name), h("dd", {}, value));
  }
  function balance(b) {
    const f = h("span", { class: "fill" + (b < 0 ? " owing" : "") });
    const w = Math.min(1, Math.abs(b)) * 50;
    f.style.left = (b < 0 ? 50 - w : 50) + "%";
    f.style.width = w + "%";
    return h("span", { class: "balance", role: "img", "aria-label": b >= 0 ? "gave more than received" : "received more than gave" }, h("span", { class: "mid" }), f);
  }

  // ---------- network ----------
  function renderNetwork(state, data) {
    const pairs = data.pairs || [];
    for (const p of pairs) { learn(p.a, p.aHandle); learn(p.b, p.bHandle); }
    const graph = $("network-graph");
    graph.classList.toggle("focused", !!state.member && pairs.some(p => p.a === state.member || p.b === state.member));
    if (!pairs.length) {
      fill("network-graph", h("p", { class: "empty" }, "No one gave to anyone in this window."));
      fill("network-table");
      return;
    }
    const strength = new Map();
    for (const p of pairs) for (const u of [p.a, p.b]) strength.set(u, (strength.get(u) || 0) + p.strength);
    const nodes = [...strength.keys()].sort((x, y) => strength.get(y) - strength.get(x) || (x < y ? -1 : 1));
    const size = 420, cx = size / 2, cy = size / 2, radius = nodes.length === 1 ? 0 : size / 2 - 60;
    const at = new Map(nodes.map((u, i) => {
      const angle = -Math.PI / 2 + 2 * Math.PI * i / nodes.length;
      return [u, { x: cx + radius * Math.cos(angle), y: cy + radius * Math.sin(angle), angle }];
    }));
    const maxStrength = Math.max(...pairs.map(p => p.strength), 0) || 1;
    const svg = s("svg", { viewBox: `0 0 ${size} ${size}`, role: "group", "aria-labelledby": "network-h network-desc" },
      s("desc", { id: "network-desc" }, `${pairs.length} strongest pairs; ${pairs.filter(p => p.mutual).length} mutual.`),
      s("defs", {},
        s("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5", markerUnits: "userSpaceOnUse", markerWidth: "11", markerHeight: "11", orient: "auto-start-reverse" },
          s("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#9a4d00" })),
        s("marker", { id: "arrow-hl", viewBox: "0 0 10 10", refX: "10", refY: "5", markerUnits: "userSpaceOnUse", markerWidth: "11", markerHeight: "11", orient: "auto-start-reverse" },
          s("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#b0166b" }))));
    const nodeRadius = 14;
    for (const p of pairs) {
      const giverIsA = p.aToB.count > 0;
      const [from, to] = p.mutual || giverIsA ? [at.get(p.a), at.get(p.b)] : [at.get(p.b), at.get(p.a)];
      const dx = to.x - from.x, dy = to.y - from.y, len = Math.hypot(dx, dy) || 1;
      const ux = dx / len, uy = dy / len;
      const hl = state.member && (p.a === state.member || p.b === state.member);
      const line = s("line", {
        class: "edge " + (p.mutual ? "mutual" : "oneway") + (hl ? " hl" : ""),
        x1: (from.x + ux * nodeRadius).toFixed(1), y1: (from.y + uy * nodeRadius).toFixed(1),
        x2: (to.x - ux * (nodeRadius + 2)).toFixed(1), y2: (to.y - uy * (nodeRadius + 2)).toFixed(1),
        "stroke-width": (1.5 + 4.5 * p.strength / maxStrength).toFixed(1),
        "marker-end": p.mutual ? null : (hl ? "url(#arrow-hl)" : "url(#arrow)"),
        "data-pair": p.a + " " + p.b,
      }, s("title", {}, pairText(p)));
      svg.append(line);
    }
    for (const u of nodes) {
      const pos = at.get(u);
      const hl = u === state.member || (state.member && pairs.some(p => (p.a === state.member && p.b === u) || (p.b === state.member && p.a === u)));
      const anchor = Math.abs(Math.cos(pos.angle)) < 0.3 ? "middle" : Math.cos(pos.angle) > 0 ? "start" : "end";
      const lx = pos.x + Math.cos(pos.angle) * (nodeRadius + 6), ly = pos.y + Math.sin(pos.angle) * (nodeRadius + 6) + (Math.sin(pos.angle) > 0.3 ? 10 : Math.sin(pos.angle) < -0.3 ? -4 : 4);
      svg.append(s("a", { href: memberHref(state, u), class: "node" + (hl ? " hl" : ""), "data-user": u, "aria-label": label(u) + (u === state.member ? " (shown member)" : "") },
        s("circle", { cx: pos.x.toFixed(1), cy: pos.y.toFixed(1), r: nodeRadius }),
        s("text", { x: lx.toFixed(1), y: ly.toFixed(1), "text-anchor": nodes.length === 1 ? "middle" : anchor }, label(u))));
    }
    fill("network-graph", svg);
    fill("network-table", h("table", {},
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Pair"), h("th", { scope: "col" }, "Kind"),
        h("th", { scope: "col", class: "num" }, "A → B"), h("th", { scope: "col", class: "num" }, "B → A"), h("th", { scope: "col", class: "num" }, "Strength"))),
      h("tbody", {}, pairs.map(p => h("tr", { class: state.member && (p.a === state.member || p.b === state.member) ? "current" : "" },
        h("td", {}, memberLink(state, p.a, p.aHandle), " · ", memberLink(state, p.b, p.bHandle)),
        h("td", {}, p.mutual ? "mutual" : "one way"),
        h("td", { class: "num" }, `${p.aToB.count} · ${fmt(p.aToB.points, 1)}`),
        h("td", { class: "num" }, `${p.bToA.count} · ${fmt(p.bToA.points, 1)}`),
        h("td", { class: "num" }, fmt(p.strength, 1)))))));
  }
  function pairText(p) {
    return `${label(p.a, p.aHandle)} → ${label(p.b, p.bHandle)}: ${p.aToB.count} (${fmt(p.aToB.points, 1)} pts); ` +
      `${label(p.b, p.bHandle)} → ${label(p.a, p.aHandle)}: ${p.bToA.count} (${fmt(p.bToA.points, 1)} pts)` + (p.mutual ? "; mutual" : "; one way");
  }

  // ---------- the whole page ----------
  let generation = 0;
  function showError(message) {
    const el = $("error");
    el.hidden = !message;
    el.textContent = message || "";
  }
  function sectionError(id, error) {
    fill(id, h("p", { class: "empty" }, "Could not load: " + error.message));
  }

  async function render(focusMember) {
    const state = readState();
    const mine = ++generation;
    const asOfMs = state.asOf ? Date.parse(state.asOf) : Date.now();
    const asOf = isoSeconds(new Date(asOfMs));
    const windowMs = durationMs(state.window);
    const previousAsOf = isoSeconds(new Date(asOfMs - windowMs));
    const params = { asOf, window: state.window };

    // Controls reflect the state (a shared link opens with them filled in).
    $("asOf").value = state.asOf ? new Date(asOfMs).toISOString().slice(0, 19) : "";
    const select = $("window");
    if (![...select.options].some(o => o.value === state.window)) select.append(h("option", { value: state.window }, state.window));
    select.value = state.window;
    if (document.activeElement !== $("search")) $("search").value = state.member ? (known.get(state.member) || state.member) : "";
    $("member").hidden = !state.member;
    $("trend-member").hidden = !state.member;
    $("status").textContent = "Loading…";
    showError("");

    const ends = weekEnds(asOfMs, windowMs);
    const jobs = [
      Promise.all([api("community", params), api("community", { asOf: previousAsOf, window: state.window })])
        .then(([cur, prev]) => mine === generation && renderCommunity(state, cur, prev), e => sectionError("community-figures", e)),
      Promise.all([api("leaderboard", { ...params, by: "engagement", top: 1000 }), api("leaderboard", { ...params, by: "reciprocity", top: 20 })])
        .then(([eb, rb]) => {
          for (const x of [...eb.entries, ...rb.entries]) learn(entryId(x), x.handle || x.name);
          if (mine === generation) renderBoards(state, eb, rb);
        }, e => sectionError("board-engagement", e)),
      api("community/pairs", { ...params, top: 30 })
        .then(d => mine === generation && renderNetwork(state, d), e => sectionError("network-graph", e)),
      api("community/weekly", params)
        .then(d => mine === generation && barChart("trend-community", "Community: interactions per week",
          d.weeks.map(w => ({ at: w.asOf, label: shortDate(new Date(w.asOf)), value: w.interactions })), "", 0), e => sectionError("trend-community", e)),
    ];
    if (state.member) {
      jobs.push(Promise.all([api(memberPath(state.member, "engagement"), params), api(memberPath(state.member, "reciprocity"), params)])
        .then(([e, r]) => {
          if (mine !== generation) return;
          renderMember(state, e, r);
          if (focusMember) $("member-h").focus();
        }, e => {
          if (mine !== generation) return;
          $("member").hidden = true;
          $("trend-member").hidden = true;
          showError(e.status === 404 ? `No interactions are known for ${state.member}.` : "Member: " + e.message);
        }));
      jobs.push(Promise.all(ends.map(end => api(memberPath(state.member, "engagement"), { asOf: isoSeconds(end), window: "P7D" })))
        .then(weeks => mine === generation && barChart("trend-member", `${label(state.member)}: engagement points per week`,
          weeks.map((w, i) => ({ at: w.asOf, label: shortDate(ends[i]), value: w.score })), "member", 1), e => sectionError("trend-member", e)));
    }
    await Promise.all(jobs);
    if (mine !== generation) return;
    refreshDatalist();
    if (state.member && document.activeElement !== $("search")) $("search").value = known.get(state.member) || state.member;
    $("status").textContent = `Showing ${windowLabel(state.window)} up to ${when(asOf)}` + (state.member ? ` for ${label(state.member)}.` : ".");
    document.body.dataset.loaded = String(mine);
  }

  function go(next, focusMember) {
    const hash = stateHash(next);
    pendingFocus = focusMember;
    if (hash === location.hash) render(focusMember);
    else location.hash = hash;
  }
  let pendingFocus = false;

  $("controls").addEventListener("submit", event => {
    event.preventDefault();
    const state = readState();
    const asOfText = $("asOf").value;
    const member = resolveMember($("search").value);
    if (member === null) {
      showError(`No member with the handle “${$("search").value.trim()}” is known in this view; type their id (e.g. github:octocat).`);
      $("search").focus();
      return;
    }
    go({
      asOf: asOfText ? isoSeconds(new Date(asOfText + (asOfText.length === 16 ? ":00" : "") + "Z")) : "",
      window: $("window").value,
      member,
    }, !!member && member !== state.member);
  });
  $("now").addEventListener("click", () => go({ ...readState(), asOf: "" }, false));
  $("community-only").addEventListener("click", () => { $("search").value = ""; go({ ...readState(), member: "" }, false); });
  window.addEventListener("hashchange", () => {
    const focus = pendingFocus;
    pendingFocus = false;
    render(focus);
  });
  document.addEventListener("click", event => {
    const link = event.target.closest && event.target.closest("a[data-user]");
    if (link) pendingFocus = true;
  });
  render(false);
})();
