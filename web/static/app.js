// reportsearch's page. Plain JavaScript, no build step.
//
// Safety rule: text from the corpus, the user or the server is only ever
// inserted with textContent / createTextNode (see el() and highlight()),
// never as HTML; the Content-Security-Policy forbids inline code anyway.
//
// Views: each route (#/search, #/read/<id>, #/context, ...) is one entry of
// the `views` registry below; a new view (compare, trend) is one more
// view(...) call with a render function.
"use strict";

const $ = (sel, root) => (root || document).querySelector(sel);
const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

// el builds an element; children are nodes or strings (inserted as text).
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return e;
}

// highlight returns text as nodes with every occurrence of the words in
// matched (longest first, as the server sends them) inside <mark>.
function highlight(text, matched) {
  const words = (matched || []).filter((w) => w).slice().sort((a, b) => b.length - a.length);
  const out = [];
  let plain = "";
  let i = 0;
  outer: while (i < text.length) {
    for (const w of words) {
      if (text.startsWith(w, i)) {
        if (plain) out.push(document.createTextNode(plain));
        plain = "";
        out.push(el("mark", { text: w }));
        i += w.length;
        continue outer;
      }
    }
    plain += text[i];
    i++;
  }
  if (plain) out.push(document.createTextNode(plain));
  return out;
}

// ---- API (same origin; POST bodies are application/json, as the server requires)

async function api(method, path, body) {
  const init = { method, headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const resp = await fetch(path, init);
  let data;
  try {
    data = await resp.json();
  } catch (e) {
    throw new Error(`${method} ${path}: ${resp.status}, not JSON`);
  }
  if (!resp.ok) throw new Error(data && data.error ? data.error : `${method} ${path}: ${resp.status}`);
  return data;
}

// ---- state shared by views

const state = {
  reports: null, // GET /reports answer
  reportsLoading: null,
  matched: new Map(), // chunk ID -> matched words of the last search, for the reader
  lastSearch: "", // hash of the last search, for "back to results"
  reader: null, // { key, data } of the report on screen
};

function loadReports() {
  if (!state.reportsLoading) {
    state.reportsLoading = api("GET", "/reports").then((r) => {
      state.reports = r;
      fillFilters(r);
      return r;
    });
  }
  return state.reportsLoading;
}

// yearOf is the year a report is of, from its title (or file name).
function yearOf(rep) {
  const m = /((?:19|20)\d\d)\s*年/.exec(rep.title || "") || /(?:^|\D)((?:19|20)\d\d)(?:\D|$)/.exec(rep.file || "");
  return m ? m[1] : "";
}

function fillFilters(r) {
  $("#collection").textContent = `collection ${r.collection} · ${r.reports.length} reports`;
  const years = [...new Set(r.reports.map(yearOf).filter((y) => y))].sort().reverse();
  const ysel = $("#year");
  for (const y of years) ysel.append(el("option", { value: y, text: y }));
  const rsel = $("#report");
  for (const rep of r.reports) {
    const y = yearOf(rep);
    const label = (rep.title || rep.file) + (rep.region ? ` (${rep.region})` : "") + (y && !(rep.title || "").includes(y) ? ` ${y}` : "");
    rsel.append(el("option", { value: rep.key, text: label }));
  }
  syncForm(parseRoute().params);
}

// ---- routing

function parseRoute() {
  const h = location.hash.replace(/^#\/?/, "");
  const [pathPart, qs] = h.split("?", 2);
  const parts = pathPart.split("/");
  const name = parts[0] || "search";
  const arg = parts.length > 1 ? decodeURIComponent(parts.slice(1).join("/")) : "";
  return { name, arg, params: new URLSearchParams(qs || "") };
}

function routeHash(name, params, arg) {
  const qs = params ? params.toString() : "";
  return "#/" + name + (arg ? "/" + encodeURIComponent(arg) : "") + (qs ? "?" + qs : "");
}

const views = {};
// view registers a route: name is the first hash segment; def.render(route,
// root) draws into root; def.label, when given, puts it in the nav.
function view(name, def) {
  views[name] = def;
  if (def.label) {
    $("#views").append(el("a", { href: "#/" + name, "data-view": name, text: def.label }));
  }
}

let renderSeq = 0;
async function render() {
  const route = parseRoute();
  const def = views[route.name] || views.search;
  const seq = ++renderSeq;
  document.body.dataset.view = route.name;
  for (const a of $$("#views a")) a.classList.toggle("active", a.dataset.view === route.name);
  syncForm(route.params);
  try {
    await def.render(route, $("#view"), () => seq === renderSeq);
  } catch (e) {
    if (seq === renderSeq) setStatus(String(e.message || e), true);
  }
}

function setStatus(msg, isError) {
  const s = $("#status");
  s.textContent = msg || "";
  s.classList.toggle("error", !!isError);
}

// ---- the search form

function formParams() {
  const p = new URLSearchParams();
  p.set("q", $("#q").value.trim());
  const mode = $("#mode").value;
  if (mode && mode !== "auto") p.set("mode", mode);
  if ($("#year").value) p.set("year", $("#year").value);
  if ($("#report").value) p.set("report", $("#report").value);
  return p;
}

function syncForm(params) {
  if (!params.has("q")) return;
  $("#q").value = params.get("q");
  $("#mode").value = params.get("mode") || "auto";
  setSelect($("#year"), params.get("year") || "");
  setSelect($("#report"), params.get("report") || "");
}

function setSelect(sel, value) {
  if ([...sel.options].some((o) => o.value === value)) sel.value = value;
}

// requestFor turns the route's parameters into a /search or /context body.
async function requestFor(params) {
  const body = { query: params.get("q") || "" };
  const mode = params.get("mode");
  if (mode) body.mode = mode;
  if (params.get("report")) {
    body.reports = [params.get("report")];
  } else if (params.get("year")) {
    const r = await loadReports();
    body.reports = r.reports.filter((rep) => yearOf(rep) === params.get("year")).map((rep) => rep.key);
    if (body.reports.length === 0) throw new Error(`no report of ${params.get("year")} in this collection`);
  }
  return body;
}

// ---- citations and copying

function paraLabel(c) {
  return c.part > 0 ? `¶${c.paragraph}.${c.part}` : `¶${c.paragraph}`;
}

// citation is "report › headings, ¶N, file:line", as the command line prints it.
function citation(c) {
  const where = [c.report, ...(c.headings || [])].join(" › ");
  const loc = c.line > 0 ? `${c.file}:${c.line}` : c.file;
  return `${where}, ${paraLabel(c)}, ${loc}`;
}

function permalink(id) {
  return location.origin + location.pathname + routeHash("read", null, id);
}

async function copy(text, what) {
  document.body.dataset.copied = text; // what was copied, for tests and assistive tools
  let ok = false;
  try {
    // writeText can wait on a permission prompt forever: give up after 1 s.
    await Promise.race([
      navigator.clipboard.writeText(text),
      new Promise((_, reject) => setTimeout(() => reject(new Error("clipboard timeout")), 1000)),
    ]);
    ok = true;
  } catch (e) {
    // No clipboard API (or no permission): copy through a selected textarea.
    const ta = el("textarea", { class: "offscreen", readonly: true });
    ta.value = text;
    document.body.append(ta);
    ta.select();
    try {
      ok = document.execCommand("copy");
    } catch (e2) {
      ok = false;
    }
    ta.remove();
  }
  setStatus(ok ? `Copied ${what}.` : `Could not copy ${what}; select it by hand.`, !ok);
}

// ---- search view

function card(res, i) {
  const rep = state.reports && state.reports.reports.find((r) => r.file === res.file && r.title === res.report);
  const year = rep ? yearOf(rep) : yearOf({ title: res.report, file: res.file });
  const open = () => (location.hash = routeHash("read", null, res.id));
  const cite = citation(res);
  const c = el(
    "article",
    { class: "card", tabindex: "0", "data-id": res.id, "data-rank": res.rank, onclick: (e) => {
      // Selecting words to copy is not a click to open.
      if (!e.target.closest("button, a") && !String(window.getSelection())) open();
    }, onkeydown: (e) => {
      if (e.key === "Enter" && e.target === c) open();
    } },
    el("div", { class: "meta" },
      el("span", { class: "rank", text: String(i + 1) }),
      el("span", { class: "report", text: res.report || res.file }),
      year && !(res.report || "").includes(year) ? el("span", { class: "year", text: year }) : null,
      el("span", { class: "score", title: "score", text: res.score.toFixed(3) })),
    (res.headings || []).length ? el("div", { class: "path", text: res.headings.join(" › ") }) : null,
    el("p", { class: "text" }, highlight(res.text, res.matched)),
    el("div", { class: "actions" },
      el("a", { class: "open", href: routeHash("read", null, res.id), text: "Read in context" }),
      el("button", { type: "button", class: "copy-cite", onclick: () => copy(cite, "the citation") }, "Copy citation"),
      el("code", { class: "cite", text: cite })));
  return c;
}

view("search", {
  async render(route, root, current) {
    const q = route.params.get("q");
    if (!q) {
      root.replaceChildren(el("div", { class: "hint" },
        el("p", { text: "Ask in Chinese or English, e.g. " }),
        el("ul", {},
          ["新质生产力", "低空经济", "城市更新 老旧小区改造", "elderly care services"].map((s) =>
            el("li", {}, el("a", { href: routeHash("search", new URLSearchParams({ q: s })), text: s }))))));
      setStatus("");
      return;
    }
    setStatus("Searching…");
    const body = await requestFor(route.params);
    body.k = 10;
    const t0 = performance.now();
    const data = await api("POST", "/search", body);
    if (!current()) return;
    state.lastSearch = location.hash;
    state.matched.clear();
    for (const r of data.results) state.matched.set(r.id, r.matched);
    const list = el("div", { id: "results", class: "results" }, data.results.map(card));
    root.replaceChildren(list);
    const took = Math.round(performance.now() - t0);
    setStatus(`${data.results.length} results · ${data.mode} · ${took} ms` + (data.notice ? ` · ${data.notice}` : ""));
    if (data.results.length === 0) list.append(el("p", { class: "empty", text: "No passage matches. Try other words, or mode hybrid." }));
    document.body.dataset.ready = "search";
    performance.mark("results"); // time to first results, read by the page benchmark
  },
});

// ---- reading view

function outlineTree(data, onPick) {
  // Two levels keep the outline short; the breadcrumb shows the full path.
  const items = data.outline.filter((o) => o.level <= 2);
  return el("nav", { id: "outline", class: "outline", "aria-label": "outline" },
    el("h2", { text: "Outline" }),
    el("ol", {}, items.map((o) =>
      el("li", { class: "l" + o.level },
        el("a", { href: routeHash("read", null, o.id), "data-id": o.id, text: o.heading, onclick: onPick })))));
}

function drawReport(root, data) {
  const byStart = new Map();
  for (const o of data.outline) {
    if (!byStart.has(o.id)) byStart.set(o.id, []);
    byStart.get(o.id).push(o);
  }
  const doc = el("article", { id: "doc", class: "doc", "data-key": data.report.key });
  for (const c of data.chunks) {
    for (const o of byStart.get(c.id) || []) {
      // Lead-in items (deep levels) are also the paragraph's first words:
      // only real headings are drawn as headings.
      if (o.level <= 2) doc.append(el(o.level === 1 ? "h2" : "h3", { class: "heading", text: o.heading }));
    }
    doc.append(el("p", { class: "para", "data-id": c.id, title: paraLabel(c) }, c.text));
  }
  const bar = el("div", { class: "readbar" },
    el("a", { class: "back", href: state.lastSearch || "#/", text: "← results" }),
    el("button", { type: "button", id: "prev", title: "previous paragraph (←)", onclick: () => step(-1) }, "‹ prev"),
    el("button", { type: "button", id: "next", title: "next paragraph (→)", onclick: () => step(1) }, "next ›"),
    el("button", { type: "button", id: "copy-link", onclick: () => copy($("#permalink").href, "the link") }, "Copy link"),
    el("button", { type: "button", id: "copy-cite", onclick: () => copy($("#read-cite").textContent, "the citation") }, "Copy citation"),
    el("a", { id: "permalink", class: "permalink", href: "#" , text: "link" }));
  const head = el("div", { class: "readhead" },
    el("h1", { class: "title", text: data.report.title || data.report.file }),
    el("nav", { id: "breadcrumb", class: "breadcrumb", "aria-label": "breadcrumb" }),
    el("code", { id: "read-cite", class: "cite" }),
    bar);
  root.replaceChildren(el("div", { class: "reader" }, outlineTree(data), el("div", { class: "reading" }, head, doc)));
}

// target marks chunk id as the one read: highlighted, scrolled to, named
// in the breadcrumb, the citation and the link.
function target(id) {
  const data = state.reader.data;
  const c = data.chunks.find((x) => x.id === id);
  if (!c) return;
  for (const p of $$("#doc .para.target")) {
    p.classList.remove("target");
    p.replaceChildren(data.chunks.find((x) => x.id === p.dataset.id).text);
  }
  const p = $$("#doc .para").find((x) => x.dataset.id === id);
  p.classList.add("target");
  if (state.matched.has(id)) p.replaceChildren(...highlight(c.text, state.matched.get(id)));
  const bc = $("#breadcrumb");
  bc.replaceChildren();
  [data.report.title || data.report.file, ...c.headings].forEach((h, i) => {
    if (i) bc.append(el("span", { class: "sep", text: " › " }));
    bc.append(el("span", { text: h }));
  });
  $("#read-cite").textContent = citation(c);
  const link = $("#permalink");
  link.href = permalink(id);
  link.textContent = "#" + id;
  for (const a of $$("#outline a")) a.classList.remove("here");
  let here = null;
  for (const o of data.outline) {
    if (o.level > 2) continue;
    if (data.chunks.findIndex((x) => x.id === o.id) <= data.chunks.indexOf(c)) here = o.id;
  }
  const a = $$("#outline a").find((x) => x.dataset.id === here);
  if (a) a.classList.add("here");
  const i = data.chunks.indexOf(c);
  $("#prev").disabled = i === 0;
  $("#next").disabled = i === data.chunks.length - 1;
  p.scrollIntoView({ block: "center" });
  document.title = `${c.headings.length ? c.headings[c.headings.length - 1] : data.report.title} · reportsearch`;
  document.body.dataset.ready = "read";
}

function step(d) {
  if (!state.reader) return;
  const chunks = state.reader.data.chunks;
  const i = chunks.findIndex((x) => x.id === state.reader.id) + d;
  if (i < 0 || i >= chunks.length) return;
  // replace: stepping through paragraphs should not fill the history.
  location.replace(routeHash("read", null, chunks[i].id));
}

view("read", {
  async render(route, root, current) {
    const id = route.arg;
    if (!id) throw new Error("no chunk ID in the link");
    const have = state.reader && state.reader.data.chunks.some((x) => x.id === id) && $("#doc", root);
    if (!have) {
      setStatus("Loading the report…");
      const data = await api("GET", "/report?id=" + encodeURIComponent(id));
      if (!current()) return;
      state.reader = { data, id };
      drawReport(root, data);
    }
    state.reader.id = id;
    setStatus("");
    target(id);
  },
});

// ---- evidence pack view

// The form's Evidence button opens this view, so it needs no nav entry.
view("context", {
  async render(route, root, current) {
    const q = route.params.get("q");
    if (!q) {
      root.replaceChildren(el("p", { class: "hint", text: "Type a question and press Evidence: the passages an LLM should read, numbered for citation, within a character budget." }));
      setStatus("");
      return;
    }
    setStatus("Building the evidence pack…");
    const data = await api("POST", "/context", await requestFor(route.params));
    if (!current()) return;
    const pack = el("div", { class: "pack" },
      el("div", { class: "packbar" },
        el("button", { type: "button", id: "copy-prompt", onclick: () => copy(data.prompt, "the evidence for an LLM prompt") }, "Copy for an LLM prompt"),
        el("span", { text: `${data.passages.length} passages · ${data.used}/${data.budget} characters · ${data.mode}` })),
      data.passages.map((p) =>
        el("section", { class: "passage" },
          el("h3", {}, `[${p.n}] `, el("a", { href: routeHash("read", null, p.ids[0]), text: [p.report, ...p.headings].join(" › ") })),
          el("p", { class: "text", text: p.text }))),
      el("details", {}, el("summary", { text: "Prompt text" }), el("pre", { id: "prompt", text: data.prompt })));
    root.replaceChildren(pack);
    setStatus(data.notice || "");
    document.body.dataset.ready = "context";
  },
});

// ---- keyboard

function typing(t) {
  return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
}

document.addEventListener("keydown", (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const t = e.target;
  if (e.key === "/" && !typing(t)) {
    e.preventDefault();
    $("#q").focus();
    $("#q").select();
    return;
  }
  if (e.key === "Escape" && typing(t)) {
    t.blur();
    return;
  }
  const route = parseRoute();
  if (route.name === "search" && (e.key === "ArrowDown" || e.key === "ArrowUp") && (t === $("#q") || !typing(t))) {
    const cards = $$("#results .card");
    if (!cards.length) return;
    e.preventDefault();
    let i = cards.indexOf(t.closest ? t.closest(".card") : null);
    i = e.key === "ArrowDown" ? Math.min(i + 1, cards.length - 1) : i - 1;
    if (i < 0) $("#q").focus();
    else cards[i].focus();
    return;
  }
  if (route.name === "read" && !typing(t) && (e.key === "ArrowLeft" || e.key === "ArrowRight")) {
    e.preventDefault();
    step(e.key === "ArrowLeft" ? -1 : 1);
  }
});

document.addEventListener("DOMContentLoaded", () => {
  $("#search-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const p = formParams();
    if (!p.get("q")) return;
    const h = routeHash("search", p);
    if (location.hash === h) render();
    else location.hash = h;
  });
  $("#ctx").addEventListener("click", () => {
    const p = formParams();
    location.hash = routeHash("context", p.get("q") ? p : null);
  });
  for (const id of ["#mode", "#year", "#report"]) {
    $(id).addEventListener("change", () => {
      if (id === "#report" && $("#report").value) $("#year").value = "";
      const route = parseRoute();
      if ((route.name === "search" || route.name === "context") && $("#q").value.trim()) {
        location.hash = routeHash(route.name, formParams());
      }
    });
  }
  window.addEventListener("hashchange", render);
  loadReports().catch((e) => setStatus(String(e.message || e), true));
  render();
});
