// acctcheck operator console. Plain browser JavaScript, no library and no build step (docs/console.md).
// Every piece of user or rule text reaches the page through textContent / createTextNode only: this file never
// assigns HTML strings (tests/test_console.py checks it), and the page's Content-Security-Policy allows no
// inline script or style.
"use strict";

(() => {
  // key: [中文, English]. Chinese first; English one click away (the choice is kept in localStorage)
  const I18N = {
    "title": ["控制台", "console"],
    "tab.playground": ["试验场", "Playground"],
    "tab.packs": ["规则包", "Rule packs"],
    "tab.activity": ["活动", "Activity"],
    "token": ["管理令牌", "Admin token"],
    "token.placeholder": ["仅在需要时填写", "only when needed"],
    "lang.switch": ["English", "中文"],
    "f.account_type": ["账号类型", "Account type"],
    "f.ip": ["IP 地址", "IP address"],
    "f.nickname": ["账号名称", "Nickname"],
    "f.bio": ["简介", "Bio"],
    "f.signature": ["签名", "Signature"],
    "f.certification": ["认证信息", "Certification"],
    "f.verified": ["平台已核验", "Verified by the platform"],
    "f.professions": ["职业代码（逗号分隔）", "Profession codes (comma-separated)"],
    "f.inst_name": ["机构主体名称", "Registered institution name"],
    "f.inst_uscc": ["统一社会信用代码", "Unified social credit code"],
    "f.inst_kind": ["机构性质", "Institution kind"],
    "acct.personal": ["个人", "personal"],
    "acct.institution": ["机构", "institution"],
    "kind.enterprise": ["企业", "enterprise"],
    "kind.government": ["党政机关", "government"],
    "kind.public_institution": ["事业单位", "public institution"],
    "kind.social_organization": ["社会组织", "social organization"],
    "kind.news_media": ["新闻媒体", "news media"],
    "kind.other": ["其他", "other"],
    "check": ["检查", "Check"],
    "share": ["复制分享链接", "Copy share link"],
    "share.copied": ["已复制", "copied"],
    "share.hint": ["分享链接把输入放在网址的 # 之后：浏览器不会把它发给服务器，也不会进入日志。", "The share link keeps the input after the # of the URL: browsers never send it to the server, so it never reaches a log."],
    "decision": ["决定", "Decision"],
    "decision.pass": ["通过", "pass"],
    "decision.review": ["人工复核", "review"],
    "decision.reject": ["拒绝", "reject"],
    "action.reject": ["拒绝", "reject"],
    "action.review": ["复核", "review"],
    "action.inform": ["提示", "inform"],
    "findings": ["发现", "Findings"],
    "shadow": ["影子规则的发现（不参与决定）", "Shadow-rule findings (never decide)"],
    "no.findings": ["没有发现。", "No findings."],
    "image.findings": ["图片中的发现", "Image findings"],
    "labels": ["资质标签", "Labels"],
    "ip_region": ["IP 属地", "IP region"],
    "revision": ["规则版本", "Rules revision"],
    "decision_id": ["决定编号", "Decision id"],
    "field": ["字段", "Field"],
    "category": ["类别", "Category"],
    "rule": ["规则", "Rule"],
    "pack": ["规则包", "Pack"],
    "method": ["方式", "Method"],
    "article": ["依据", "Article"],
    "message": ["说明", "Message"],
    "matched": ["匹配到", "matched"],
    "text": ["原文", "text"],
    "explain": ["规范化视图", "Normalised views"],
    "explain.hint": ["每个位置：规范化后的字符 ← 原文中的字符 [起, 止)，以及所做的折叠。", "Each position: the normalised character ← the original characters [start, end), and the foldings applied."],
    "sk.i": ["位置", "pos"],
    "sk.char": ["字符", "char"],
    "sk.from": ["原文", "from"],
    "sk.span": ["原文区间", "span"],
    "sk.folds": ["折叠", "folds"],
    "sk.gap": ["前有跳过的字符", "skipped before"],
    "view.skeleton": ["骨架视图", "Skeleton view"],
    "view.pinyin": ["拼音视图", "Pinyin view"],
    "view.contact": ["联系方式视图", "Contact view"],
    "m.exact": ["精确", "exact"],
    "m.traditional": ["繁体", "traditional"],
    "m.lookalike": ["形近字", "look-alike"],
    "m.separator": ["分隔符", "separator"],
    "m.number_style": ["数字写法", "number style"],
    "m.homophone": ["谐音", "homophone"],
    "m.pinyin": ["拼音", "pinyin"],
    "m.pattern": ["模式", "pattern"],
    "m.fuzzy": ["模糊", "fuzzy"],
    "m.qr_code": ["二维码", "QR code"],
    "error": ["出错", "Error"],
    "forbidden": ["需要正确的管理令牌（ACCTCHECK_CONSOLE=token）。", "The right admin token is needed (ACCTCHECK_CONSOLE=token)."],
    "p.name": ["规则包", "Pack"],
    "p.version": ["版本", "Version"],
    "p.file": ["文件", "File"],
    "p.digest": ["摘要", "Digest"],
    "p.rules": ["规则", "Rules"],
    "p.terms": ["词条", "Terms"],
    "p.examples": ["样例", "Examples"],
    "p.active": ["生效版本", "Active revision"],
    "p.activated": ["生效时间", "Activated"],
    "p.loaded": ["构建时间", "Built"],
    "p.attempt": ["最近一次构建", "Last build"],
    "p.reloads": ["构建 成功/拒绝", "Builds ok/refused"],
    "p.poll": ["检查间隔", "Poll interval"],
    "p.watch": ["监视目录", "Watching"],
    "p.refused": ["最近一次被拒绝的构建（仍在使用上一个生效版本）", "Last refused build (the previous revision keeps serving)"],
    "p.refused.at": ["拒绝时间", "Refused at"],
    "p.where": ["位置", "Where"],
    "p.none": ["没有生效的规则。", "No active rules."],
    "p.changed": ["磁盘上的文件已改动（待生效或被拒绝），样例不再对应生效版本", "the file on disk changed (pending or refused): its examples are no longer the active ones"],
    "p.unreadable": ["无法读取该文件", "the file cannot be read"],
    "p.expect": ["期望", "expect"],
    "p.got": ["结果", "got"],
    "p.note": ["备注", "note"],
    "p.rule.kind": ["种类", "kind"],
    "p.rule.mode": ["模式", "mode"],
    "p.rule.action": ["处置", "action"],
    "p.detail": ["规则与样例：", "Rules and examples: "],
    "p.all_ok": ["全部通过", "all pass"],
    "reload": ["立即重新加载", "Reload now"],
    "reload.needs": ["需要填写管理令牌。", "Enter the admin token first."],
    "reload.ok": ["已重新加载", "reloaded"],
    "reload.refused": ["被拒绝", "refused"],
    "yes": ["是", "yes"],
    "no": ["否", "no"],
    "seconds": ["秒", "s"],
    "a.hint": ["每 {s} 秒读取一次 /metrics，只保存在本页（最近 15 分钟）。多进程时每次读取只到达其中一个进程。不计 /metrics 与控制台自己的请求。", "Reads /metrics every {s} s and keeps the samples in this page only (last 15 minutes). With several workers each read reaches one of them. Requests to /metrics and to the console itself are not counted."],
    "a.rate": ["请求速率（次/秒）", "Request rate (per second)"],
    "a.decisions": ["决定（所选时间窗）", "Decisions (window)"],
    "a.categories": ["各类别发现（所选时间窗）", "Findings per category (window)"],
    "a.samples": ["样本", "samples"],
    "a.window": ["时间窗", "window"],
    "a.waiting": ["等待第二个样本……", "waiting for a second sample…"],
    "a.none": ["时间窗内没有数据。", "no data in the window."],
    "a.pid": ["进程", "worker"],
    "footer": ["acctcheck 只给出建议；由平台执行决定。", "acctcheck only advises; the platform enforces the decision."],
    "loading": ["加载中……", "loading…"],
  };

  const TEXT_FIELDS = ["nickname", "bio", "signature", "certification"];
  const ACTION_RANK = { inform: 1, review: 2, reject: 3 };
  // ?metrics_ms=… (query, at least 500) lets a test sample faster than the default 5 s
  const METRICS_EVERY_MS = Math.max(500, Number(new URLSearchParams(location.search).get("metrics_ms")) || 5000);
  const HISTORY_MS = 15 * 60 * 1000;

  let lang = localStorage.getItem("acctcheck.console.lang") === "en" ? "en" : "zh";
  let lastResult = null;
  let lastPacks = null;
  let openPack = null;
  let packsTimer = null;
  const samples = [];

  const $ = (id) => document.getElementById(id);
  const t = (key) => (I18N[key] ? I18N[key][lang === "en" ? 1 : 0] : key);

  // "繁体 (traditional)" in Chinese, "traditional" in English: the code always shows, as in the JSON
  const named = (prefix, code) => (t(prefix + code) === code ? code : t(prefix + code) + " (" + code + ")");

  // el("div", {class: "x", text: "plain text"}, child, "more text"): the only way this file builds DOM.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "text") node.textContent = String(value);
      else if (key === "class") node.className = value;
      else node.setAttribute(key, String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
    }
    return node;
  }
  const clear = (node) => { while (node.firstChild) node.removeChild(node.firstChild); return node; };
  const svg = (tag, attrs) => {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "text") node.textContent = String(v); else node.setAttribute(k, String(v));
    }
    return node;
  };

  // ---- fragment state: #tab=playground&q=<base64url(JSON)>; never sent to the server ----
  function readFragment() {
    const params = new URLSearchParams(location.hash.slice(1));
    return { tab: params.get("tab") || "playground", q: params.get("q") };
  }
  function writeFragment(tab, q) {
    const params = new URLSearchParams();
    params.set("tab", tab);
    if (q) params.set("q", q);
    history.replaceState(null, "", "#" + params.toString());
  }
  function encodeState(obj) {
    const bytes = new TextEncoder().encode(JSON.stringify(obj));
    let bin = "";
    for (const b of bytes) bin += String.fromCharCode(b);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function decodeState(q) {
    try {
      const bin = atob(q.replace(/-/g, "+").replace(/_/g, "/"));
      const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
      const obj = JSON.parse(new TextDecoder().decode(bytes));
      return obj && typeof obj === "object" ? obj : null;
    } catch (e) {
      return null;
    }
  }

  // ---- HTTP ----
  function token() { return $("token").value.trim(); }
  async function api(path, options) {
    const opts = Object.assign({ headers: {} }, options || {});
    if (token()) opts.headers.Authorization = "Bearer " + token();
    const response = await fetch(path, opts);
    let body = null;
    const type = response.headers.get("content-type") || "";
    if (type.startsWith("application/json")) body = await response.json();
    else body = await response.text();
    return { status: response.status, ok: response.ok, body };
  }
  function showNotice(message) {
    const notice = $("notice");
    notice.textContent = message || "";
    notice.hidden = !message;
  }
  function errorText(res) {
    if (res.status === 401 || res.status === 403) return t("forbidden");
    if (res.body && typeof res.body === "object" && res.body.message) return t("error") + " " + res.status + ": " + res.body.message;
    return t("error") + " " + res.status;
  }

  // ---- i18n ----
  function applyLanguage() {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.title = "acctcheck " + t("title");
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n).replace("{s}", METRICS_EVERY_MS / 1000);
    for (const node of document.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = t(node.dataset.i18nPlaceholder);
    if (lastResult) renderResult(lastResult);
    if (lastPacks) renderPacks(lastPacks);
    drawActivity();
  }

  // ---- tabs ----
  function showTab(tab) {
    if (!["playground", "packs", "activity"].includes(tab)) tab = "playground";
    for (const section of document.querySelectorAll("section.tab")) section.hidden = section.id !== tab;
    for (const button of document.querySelectorAll(".tab-button")) button.classList.toggle("active", button.dataset.tab === tab);
    clearInterval(packsTimer);
    packsTimer = null;
    if (tab === "packs") {
      loadPacks();
      packsTimer = setInterval(loadPacks, 2000);
    }
    if (tab === "activity") drawActivity();
  }
  function currentTab() {
    const active = document.querySelector(".tab-button.active");
    return active ? active.dataset.tab : "playground";
  }

  // ---- playground ----
  function formState() {
    const state = { account_type: $("account_type").value };
    for (const name of TEXT_FIELDS) state[name] = $(name).value;
    for (const name of ["ip", "professions", "inst_name", "inst_uscc", "inst_kind"]) state[name] = $(name).value;
    return state;
  }
  function fillForm(state) {
    for (const name of ["account_type", ...TEXT_FIELDS, "ip", "professions", "inst_name", "inst_uscc", "inst_kind"]) {
      if (typeof state[name] === "string") $(name).value = state[name];
    }
  }
  function requestBody(state) {
    const fields = { nickname: state.nickname };
    for (const name of ["bio", "signature", "certification"]) if (state[name]) fields[name] = state[name];
    const body = { account_type: state.account_type, fields };
    const professions = state.professions.split(/[,，\s]+/).filter(Boolean);
    const verified = {};
    if (professions.length) verified.professions = professions;
    if (state.inst_name.trim()) {
      verified.institution = { name: state.inst_name.trim(), kind: state.inst_kind };
      if (state.inst_uscc.trim()) verified.institution.uscc = state.inst_uscc.trim();
    }
    if (Object.keys(verified).length) body.verified = verified;
    if (state.ip.trim()) body.ip = state.ip.trim();
    return body;
  }
  async function runCheck() {
    const state = formState();
    writeFragment("playground", encodeState(state));
    const result = $("result");
    clear(result).appendChild(el("p", { class: "muted", text: t("loading") }));
    const res = await api("api/explain", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(requestBody(state)),
    });
    if (!res.ok) {
      lastResult = null;
      clear(result).appendChild(el("p", { class: "error", text: errorText(res) }));
      if (res.body && res.body.details) {
        const list = el("ul", { class: "error" });
        for (const d of res.body.details) list.appendChild(el("li", { text: d.loc.join(".") + ": " + d.msg }));
        result.appendChild(list);
      }
      return;
    }
    lastResult = { request: requestBody(state), ...res.body };
    renderResult(lastResult);
  }

  // The field value split into runs of code points covered by the same set of findings. Spans are Python str
  // indices (code points), so the text is indexed as Array.from(value), never by UTF-16 units.
  function segments(chars, marks) {
    const cover = chars.map(() => []);
    marks.forEach((m) => { for (let i = m.span[0]; i < m.span[1] && i < chars.length; i++) cover[i].push(m); });
    const out = [];
    let start = 0;
    for (let i = 1; i <= chars.length; i++) {
      if (i === chars.length || cover[i].map((m) => m.n).join() !== cover[start].map((m) => m.n).join()) {
        out.push({ text: chars.slice(start, i).join(""), marks: cover[start] });
        start = i;
      }
    }
    return out;
  }
  function strongest(marks) {
    return marks.reduce((best, m) => (ACTION_RANK[m.action] > ACTION_RANK[best] ? m.action : best), "inform");
  }
  function highlightedText(value, marks) {
    const chars = Array.from(value);
    const box = el("div", { class: "field-text" });
    for (const seg of segments(chars, marks)) {
      if (!seg.marks.length) { box.appendChild(document.createTextNode(seg.text)); continue; }
      const shadow = seg.marks.every((m) => m.shadow);
      const mark = el("mark", {
        class: "hl action-" + strongest(seg.marks) + (shadow ? " shadow" : ""),
        "data-findings": seg.marks.map((m) => m.n).join(" "),
        title: seg.marks.map((m) => "#" + m.n + " " + m.category + " · " + m.method).join("\n"),
      }, seg.text);
      mark.appendChild(el("sup", { text: seg.marks.map((m) => m.n).join(",") }));
      box.appendChild(mark);
    }
    return box;
  }
  function findingItem(f) {
    const item = el("li", { class: "finding action-" + f.action + (f.shadow ? " shadow" : ""), "data-n": f.n });
    item.appendChild(el("span", { class: "n", text: "#" + f.n }));
    item.appendChild(el("span", { class: "badge action-" + f.action, text: t("action." + f.action) }));
    const quote = el("span", { class: "quote" }, el("q", { class: "finding-text", text: f.text }), " → ", el("b", { text: f.matched }));
    item.appendChild(quote);
    const dl = el("dl", { class: "facts" });
    const fact = (key, value, cls) => { dl.appendChild(el("dt", { text: t(key) })); dl.appendChild(el("dd", { class: cls, text: value })); };
    fact("category", f.category, "category");
    fact("rule", f.rule_id, "rule");
    fact("pack", f.pack, "pack");
    fact("method", named("m.", f.method), "method");
    fact("article", f.article, "article");
    fact("message", f.message, "message");
    if (f.span) fact("sk.span", "[" + f.span[0] + ", " + f.span[1] + ")", "span");
    item.appendChild(dl);
    item.addEventListener("mouseenter", () => toggleLinked(f.n, true));
    item.addEventListener("mouseleave", () => toggleLinked(f.n, false));
    return item;
  }
  function toggleLinked(n, on) {
    for (const node of document.querySelectorAll("mark.hl")) {
      if (node.dataset.findings.split(" ").includes(String(n))) node.classList.toggle("linked", on);
    }
  }
  function renderResult(data) {
    const result = clear($("result"));
    const v = data.verdict;
    // numbered in reading order: field by field, then by position (image findings, without a span, last)
    const order = (f) => [TEXT_FIELDS.includes(f.field) ? TEXT_FIELDS.indexOf(f.field) : TEXT_FIELDS.length, f.span ? f.span[0] : 0];
    const byPlace = (a, b) => { const x = order(a), y = order(b); return x[0] - y[0] || x[1] - y[1]; };
    const all = [];
    [...v.findings].sort(byPlace).forEach((f) => all.push({ ...f, shadow: false, n: all.length + 1 }));
    [...v.shadow_findings].sort(byPlace).forEach((f) => all.push({ ...f, shadow: true, n: all.length + 1 }));

    const head = el("div", { class: "verdict" },
      el("span", { class: "decision decision-" + v.decision, id: "decision", text: t("decision") + "：" + t("decision." + v.decision) + " (" + v.decision + ")" }));
    const meta = el("dl", { class: "facts meta" });
    const fact = (key, value, id) => { meta.appendChild(el("dt", { text: t(key) })); meta.appendChild(el("dd", { id, text: value })); };
    if (v.ip_region) fact("ip_region", v.ip_region.label + " (" + v.ip_region.scope + ", " + (v.ip_region.source || "-") + ")", "ip-label");
    if (v.labels && v.labels.length) fact("labels", v.labels.join("、"), "labels");
    fact("revision", v.rules_revision);
    fact("decision_id", v.decision_id);
    head.appendChild(meta);
    result.appendChild(head);

    const enforced = all.filter((f) => !f.shadow);
    const shadow = all.filter((f) => f.shadow);
    const values = data.request.fields;
    for (const name of TEXT_FIELDS) {
      const value = values[name];
      if (!value) continue;
      const mine = enforced.filter((f) => f.field === name && f.span);
      const card = el("article", { class: "field-card", id: "field-" + name });
      card.appendChild(el("h3", { text: t("f." + name) + " (" + name + ")" }));
      const body = el("div", { class: "field-body" });
      body.appendChild(highlightedText(value, mine));
      const list = el("ol", { class: "findings" });
      mine.forEach((f) => list.appendChild(findingItem(f)));
      if (!mine.length) list.appendChild(el("li", { class: "muted", text: t("no.findings") }));
      body.appendChild(list);
      card.appendChild(body);
      if (data.views[name]) card.appendChild(explainView(value, data.views[name], mine));
      result.appendChild(card);
    }
    const imageFindings = enforced.filter((f) => !f.span);
    if (imageFindings.length) {
      const card = el("article", { class: "field-card" }, el("h3", { text: t("image.findings") }));
      const list = el("ol", { class: "findings" });
      imageFindings.forEach((f) => list.appendChild(findingItem(f)));
      card.appendChild(list);
      result.appendChild(card);
    }
    const shadowBox = el("article", { class: "field-card shadow-box", id: "shadow" }, el("h3", { text: t("shadow") }));
    if (!shadow.length) shadowBox.appendChild(el("p", { class: "muted", text: t("no.findings") }));
    for (const name of [...TEXT_FIELDS, null]) {
      const mine = shadow.filter((f) => (name ? f.field === name && f.span : !f.span));
      if (!mine.length) continue;
      if (name) {
        shadowBox.appendChild(el("h4", { text: t("f." + name) }));
        shadowBox.appendChild(highlightedText(values[name] || "", mine));
      }
      const list = el("ol", { class: "findings" });
      mine.forEach((f) => list.appendChild(findingItem(f)));
      shadowBox.appendChild(list);
    }
    result.appendChild(shadowBox);
  }
  function explainView(value, views, findings) {
    const details = el("details", { class: "explain", open: findings.length ? "" : null });
    details.appendChild(el("summary", { text: t("explain") + " — " + t("view.skeleton") + "：" + views.skeleton.text }));
    details.appendChild(el("p", { class: "hint", text: t("explain.hint") }));
    const hit = (span) => findings.filter((f) => span[0] < f.span[1] && f.span[0] < span[1]);
    const table = el("table", { class: "skeleton" });
    table.appendChild(el("thead", {}, el("tr", {}, ...["sk.i", "sk.char", "sk.from", "sk.span", "sk.folds", "sk.gap", "findings"].map((k) => el("th", { text: t(k) })))));
    const tbody = el("tbody");
    for (const row of views.skeleton.map) {
      const hits = hit(row.span);
      tbody.appendChild(el("tr", { class: hits.length ? "hit action-" + strongest(hits) : null },
        el("td", { text: row.i }), el("td", { class: "char", text: row.char }), el("td", { class: "char", text: row.from }),
        el("td", { text: "[" + row.span[0] + ", " + row.span[1] + ")" }),
        el("td", { text: row.folds.map((f) => named("m.", f)).join("、") }),
        el("td", { text: row.gap_before ? t("yes") : "" }),
        el("td", { text: hits.map((f) => "#" + f.n).join(" ") })));
    }
    table.appendChild(tbody);
    details.appendChild(table);
    const chars = Array.from(value);
    const syllables = views.pinyin.text ? views.pinyin.text.split(" ") : [];
    const pinyin = el("p", { class: "pinyin" }, el("b", { text: t("view.pinyin") + "：" }));
    syllables.forEach((syl, i) => {
      const span = views.pinyin.spans[i] || [0, 0];
      const hits = hit(span);
      pinyin.appendChild(el("span", {
        class: "syllable" + (hits.length ? " hit action-" + strongest(hits) : ""),
        title: chars.slice(span[0], span[1]).join("") + " [" + span[0] + ", " + span[1] + ")",
        text: syl,
      }));
      pinyin.appendChild(document.createTextNode(" "));
    });
    details.appendChild(pinyin);
    details.appendChild(el("p", { class: "contact" }, el("b", { text: t("view.contact") + "：" }), el("code", { text: views.contact.text })));
    return details;
  }

  // ---- packs ----
  async function loadPacks() {
    const res = await api("api/packs");
    if (!res.ok) { showNotice(errorText(res)); return; }
    showNotice("");
    lastPacks = res.body;
    renderPacks(lastPacks);
  }
  const shortTime = (iso) => (iso ? new Date(iso).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB") : "—");
  function renderPacks(data) {
    const summary = clear($("packs-summary"));
    const fact = (key, value, id) => { summary.appendChild(el("dt", { text: t(key) })); summary.appendChild(el("dd", { id, text: value })); };
    fact("p.active", data.active ? data.active.revision : "—", "active-revision");
    fact("p.activated", shortTime(data.activated_at), "activated-at");
    fact("p.attempt", shortTime(data.last_attempt));
    fact("p.reloads", data.reloads.ok + " / " + data.reloads.failed);
    fact("p.poll", data.reload.poll_s + " " + t("seconds") + (data.reload.watch ? "" : " (" + t("p.watch") + ": " + t("no") + ")"));
    $("revision").textContent = data.active ? t("revision") + " " + data.active.revision : "";

    const refused = clear($("refused"));
    if (data.last_error && data.last_error.length) {
      const box = el("div", { class: "refused", id: "refused-build" });
      box.appendChild(el("h3", { text: t("p.refused") }));
      box.appendChild(el("p", { class: "muted", text: t("p.refused.at") + "：" + shortTime(data.last_attempt) }));
      const table = el("table", { class: "errors" });
      table.appendChild(el("thead", {}, el("tr", {}, ...["p.file", "rule", "field", "message"].map((k) => el("th", { text: t(k) })))));
      const tbody = el("tbody");
      for (const issue of data.last_error) {
        tbody.appendChild(el("tr", { class: "located-error" },
          el("td", { class: "file", text: issue.file }), el("td", { text: issue.rule || "" }),
          el("td", { text: issue.field || "" }), el("td", { class: "message", text: issue.message })));
      }
      table.appendChild(tbody);
      box.appendChild(table);
      refused.appendChild(box);
    }

    const body = clear($("packs-body"));
    const detail = clear($("pack-detail"));
    if (!data.active) { body.appendChild(el("tr", {}, el("td", { colspan: 7, text: t("p.none") }))); return; }
    for (const pack of data.active.packs) {
      const ex = pack.examples;
      const passed = ex.items.filter((i) => i.ok).length;
      let exText = passed + " / " + ex.items.length;
      if (ex.state !== "checked") exText = t(ex.state === "changed" ? "p.changed" : "p.unreadable");
      const link = el("button", { type: "button", class: "link", text: pack.name });
      link.addEventListener("click", () => { openPack = openPack === pack.name ? null : pack.name; renderPacks(lastPacks); });
      body.appendChild(el("tr", { class: "pack-row" + (openPack === pack.name ? " open" : ""), "data-pack": pack.name },
        el("td", {}, link), el("td", { text: pack.version }), el("td", { text: pack.file }),
        el("td", { class: "digest", title: pack.digest, text: pack.digest.slice(0, 19) + "…" }),
        el("td", { class: "num", text: pack.rules }), el("td", { class: "num", text: pack.terms.toLocaleString() }),
        el("td", { class: ex.state !== "checked" ? "warn" : passed === ex.items.length ? "ok" : "bad", text: exText })));
      if (openPack === pack.name) detail.appendChild(packDetail(pack));
    }
  }
  function packDetail(pack) {
    const box = el("div", { class: "pack-detail" }, el("h3", { text: t("p.detail") + pack.name + " " + pack.version }));
    const rules = el("table", { class: "rules" });
    rules.appendChild(el("thead", {}, el("tr", {}, ...["rule", "p.rule.kind", "category", "p.rule.action", "p.rule.mode", "article"].map((k) => el("th", { text: t(k) })))));
    const rb = el("tbody");
    for (const r of pack.rule_list) {
      rb.appendChild(el("tr", { class: r.mode === "shadow" ? "shadow" : null }, el("td", { text: r.id }), el("td", { text: r.kind }),
        el("td", { text: r.category }), el("td", { text: t("action." + r.action) }), el("td", { text: r.mode }), el("td", { text: r.article })));
    }
    rules.appendChild(rb);
    box.appendChild(rules);
    const exs = el("table", { class: "examples" });
    exs.appendChild(el("thead", {}, el("tr", {}, ...["", "f.nickname", "p.expect", "p.got", "p.note"].map((k) => el("th", { text: k ? t(k) : "" })))));
    const eb = el("tbody");
    for (const ex of pack.examples.items) {
      const fields = Object.entries(ex.fields).map(([k, v]) => (k === "nickname" ? v : k + ": " + v)).join(" · ");
      const got = ex.decision + (ex.found.length ? " — " + ex.found.map((f) => f.category + ":" + f.text).join(", ") : "");
      eb.appendChild(el("tr", { class: ex.ok ? "ok" : "bad" }, el("td", { text: ex.ok ? "✓" : "✗" }), el("td", { text: fields }),
        el("td", { text: Array.isArray(ex.expect) ? ex.expect.join(", ") : ex.expect }), el("td", { text: ex.problem || got }),
        el("td", { text: ex.note })));
    }
    exs.appendChild(eb);
    box.appendChild(exs);
    return box;
  }
  async function reloadNow() {
    const out = $("reload-result");
    if (!token()) { out.textContent = t("reload.needs"); return; }
    const res = await api("../admin/reload", { method: "POST" });
    if (res.status === 200 || res.status === 422) {
      out.textContent = (res.body.ok ? t("reload.ok") : t("reload.refused")) + " · " + (res.body.revision || "—");
    } else {
      out.textContent = errorText(res);
    }
    loadPacks();
  }

  // ---- activity: /metrics sampled by the page, charts drawn by hand in SVG ----
  function parseMetrics(text) {
    const out = [];
    for (const line of text.split("\n")) {
      if (!line || line.startsWith("#")) continue;
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
      if (!m) continue;
      const labels = {};
      if (m[3]) for (const l of m[3].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2].replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c));
      out.push({ name: m[1], labels, value: Number(m[4]) });
    }
    return out;
  }
  function summarise(series) {
    const s = { at: Date.now(), requests: 0, decisions: {}, categories: {}, pid: null };
    for (const m of series) {
      if (m.name === "acctcheck_requests_total" && !/^\/metrics$|^\/console/.test(m.labels.endpoint || "")) s.requests += m.value;
      else if (m.name === "acctcheck_decisions_total") s.decisions[m.labels.decision] = (s.decisions[m.labels.decision] || 0) + m.value;
      else if (m.name === "acctcheck_findings_total" && m.labels.mode !== "shadow") s.categories[m.labels.category] = (s.categories[m.labels.category] || 0) + m.value;
      else if (m.name === "acctcheck_process_info") s.pid = m.labels.pid;
    }
    return s;
  }
  async function sampleMetrics() {
    try {
      const response = await fetch("../metrics");
      if (!response.ok) { $("activity-status").textContent = t("error") + " " + response.status + " /metrics"; return; }
      samples.push(summarise(parseMetrics(await response.text())));
      while (samples.length && samples[0].at < Date.now() - HISTORY_MS) samples.shift();
      drawActivity();
    } catch (e) {
      $("activity-status").textContent = t("error") + " /metrics: " + e;
    }
  }
  const delta = (now, before) => (now >= before ? now - before : now); // a counter that went down restarted
  function drawActivity() {
    const status = $("activity-status");
    status.dataset.samples = samples.length;
    if (samples.length < 2) { status.textContent = t("a.waiting"); drawRate([]); drawBars($("decision-chart"), [], {}); drawBars($("category-chart"), [], {}); return; }
    const first = samples[0];
    const last = samples[samples.length - 1];
    const minutes = ((last.at - first.at) / 60000).toFixed(1);
    status.textContent = t("a.samples") + " " + samples.length + " · " + t("a.window") + " " + minutes + " min · " + t("a.pid") + " " + (last.pid || "?");
    const points = [];
    for (let i = 1; i < samples.length; i++) {
      const dt = (samples[i].at - samples[i - 1].at) / 1000;
      if (dt > 0) points.push({ at: samples[i].at, y: delta(samples[i].requests, samples[i - 1].requests) / dt });
    }
    drawRate(points);
    const decisions = {};
    for (const key of ["pass", "review", "reject"]) decisions[key] = delta(last.decisions[key] || 0, first.decisions[key] || 0);
    drawBars($("decision-chart"), Object.entries(decisions).map(([k, v]) => [t("decision." + k) + " " + k, v, "bar-" + k]), {});
    const cats = new Set([...Object.keys(last.categories), ...Object.keys(first.categories)]);
    const rows = [...cats].map((c) => [c, delta(last.categories[c] || 0, first.categories[c] || 0), "bar-category"]).sort((a, b) => b[1] - a[1]);
    drawBars($("category-chart"), rows, {});
  }
  function drawRate(points) {
    const chart = clear($("rate-chart"));
    const W = 600, H = 180, L = 48, B = 22, T = 8;
    const maxY = Math.max(1, ...points.map((p) => p.y));
    const now = Date.now();
    // the x axis spans what this page has seen, from one minute up to the 15 kept
    const span = Math.min(HISTORY_MS, Math.max(60000, samples.length ? now - samples[0].at : 0));
    const x = (at) => L + (W - L - 8) * (1 - (now - at) / span);
    const y = (v) => H - B - (H - B - T) * (v / maxY);
    chart.appendChild(svg("line", { x1: L, y1: H - B, x2: W - 8, y2: H - B, class: "axis" }));
    chart.appendChild(svg("line", { x1: L, y1: T, x2: L, y2: H - B, class: "axis" }));
    for (const frac of [0, 0.5, 1]) {
      chart.appendChild(svg("text", { x: L - 6, y: y(maxY * frac) + 4, class: "tick end", text: (maxY * frac).toFixed(maxY < 10 ? 1 : 0) }));
    }
    for (const frac of [1, 0.5, 0]) {
      const ago = span * frac / 60000;
      chart.appendChild(svg("text", { x: x(now - span * frac), y: H - 6, class: "tick middle", text: frac ? "-" + (ago < 2 ? ago.toFixed(1) : Math.round(ago)) + " min" : "0" }));
    }
    if (points.length) {
      chart.appendChild(svg("polyline", { class: "rate", points: points.map((p) => x(p.at).toFixed(1) + "," + y(p.y).toFixed(1)).join(" ") }));
      const lastPoint = points[points.length - 1];
      chart.appendChild(svg("circle", { cx: x(lastPoint.at), cy: y(lastPoint.y), r: 3, class: "rate-dot" }));
      chart.appendChild(svg("text", { x: W - 10, y: T + 12, class: "tick end strong", text: lastPoint.y.toFixed(2) + " /s" }));
    }
  }
  function drawBars(chart, rows) {
    clear(chart);
    const W = 600, rowH = 24, L = 200;
    chart.setAttribute("viewBox", "0 0 " + W + " " + Math.max(1, rows.length) * rowH);
    if (!rows.length) { chart.appendChild(svg("text", { x: 8, y: 16, class: "tick", text: t("a.none") })); return; }
    const max = Math.max(1, ...rows.map((r) => r[1]));
    rows.forEach(([label, value, cls], i) => {
      const top = i * rowH;
      chart.appendChild(svg("text", { x: L - 8, y: top + 16, class: "tick end", text: label }));
      chart.appendChild(svg("rect", { x: L, y: top + 4, width: Math.max(1, (W - L - 60) * (value / max)), height: rowH - 8, class: cls }));
      chart.appendChild(svg("text", { x: L + (W - L - 60) * (value / max) + 6, y: top + 16, class: "tick", text: value }));
    });
  }

  // ---- start ----
  function start() {
    const saved = sessionStorage.getItem("acctcheck.console.token");
    if (saved) $("token").value = saved;
    $("token").addEventListener("change", () => sessionStorage.setItem("acctcheck.console.token", token()));
    $("token-form").addEventListener("submit", (event) => { event.preventDefault(); sessionStorage.setItem("acctcheck.console.token", token()); });
    $("lang").addEventListener("click", () => {
      lang = lang === "zh" ? "en" : "zh";
      localStorage.setItem("acctcheck.console.lang", lang);
      applyLanguage();
    });
    for (const button of document.querySelectorAll(".tab-button")) {
      button.addEventListener("click", () => {
        const q = readFragment().q;
        writeFragment(button.dataset.tab, q);
        showTab(button.dataset.tab);
      });
    }
    $("form").addEventListener("submit", (event) => { event.preventDefault(); runCheck(); });
    $("share").addEventListener("click", async () => {
      writeFragment("playground", encodeState(formState()));
      const box = $("share-url");
      box.value = location.href;
      box.hidden = false;
      box.select();
      try { await navigator.clipboard.writeText(location.href); $("share").textContent = t("share.copied"); } catch (e) { /* the URL stays shown */ }
      setTimeout(() => { $("share").textContent = t("share"); }, 1500);
    });
    $("reload").addEventListener("click", reloadNow);
    window.addEventListener("hashchange", () => {
      const frag = readFragment();
      showTab(frag.tab);
      const state = frag.q ? decodeState(frag.q) : null;
      if (state && JSON.stringify(state) !== JSON.stringify(formState())) { fillForm(state); runCheck(); }
    });
    applyLanguage();
    const frag = readFragment();
    showTab(frag.tab);
    const state = frag.q ? decodeState(frag.q) : null;
    if (state) { fillForm(state); if (state.nickname) runCheck(); }
    sampleMetrics();
    setInterval(sampleMetrics, METRICS_EVERY_MS);
  }
  start();
})();
