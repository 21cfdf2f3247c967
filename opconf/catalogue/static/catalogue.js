// opconf catalogue: tabs, search, keyboard navigation, deep links (#template/<key>) and the
// selected object's details, drawn from the JSON the page embeds. Text only ever reaches the
// page through textContent (never innerHTML), so a name like <script> shows as text.
"use strict";
(function () {
  const KINDS = { template: "Opportunity template", group: "Coverage group", product: "Product" };
  const details = document.getElementById("details");
  const search = document.getElementById("search");
  const onlyPending = document.getElementById("only-pending"); // with --plan only
  const onlyWaived = document.getElementById("only-waived"); // with waived findings only
  const tabs = Array.from(document.querySelectorAll("[role=tab]"));
  let data = null; // parsed on first use: the first paint does not wait for it
  let current = tabs.length ? tabs[0].dataset.tab : "template";

  function store() {
    if (data === null) {
      data = JSON.parse(document.getElementById("catalogue-data").textContent);
    }
    return data;
  }

  // h("div", {class: "x"}, "text", child, ...): an element; strings become text nodes.
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value !== null && value !== undefined && value !== false) el.setAttribute(name, value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  function shown(value) {
    if (value === null || value === undefined) return "(none)";
    if (value === true) return "yes";
    if (value === false) return "no";
    return String(value);
  }

  function changed(value, was, field, format) {
    const fmt = format || shown;
    if (!was || !(field in was)) return fmt(value);
    return h("span", { class: "changed" }, h("del", {}, fmt(was[field])), " → ",
      h("ins", {}, fmt(value)));
  }

  function link(tab, key) {
    const target = store().details[tab][key];
    if (!target) return h("span", { class: "missing", title: "not in this catalogue" }, key);
    return h("a", { href: "#" + tab + "/" + key }, target.name);
  }

  // A reference code with its name from opconf.refs.yaml, when the snapshot has one.
  function named(table, code) {
    const name = store().labels[table][code];
    if (!name) return h("code", {}, code);
    return h("span", { class: "named" }, name, " ", h("code", { class: "code" }, code));
  }

  // "owner", "role: CODE" or "user: LOGIN", with the role's or the user's name.
  function who(assignee) {
    const m = /^(role|user): (.*)$/.exec(assignee || "");
    if (!m) return shown(assignee);
    const name = store().labels[m[1] === "role" ? "roles" : "users"][m[2]];
    return h("span", { title: assignee }, m[1] === "role" ? "role: " + (name || m[2]) : name || m[2]);
  }

  function badge(text, cls) {
    return h("span", { class: "badge " + (cls || text) }, text);
  }

  function marks(item) {
    const out = [];
    if (item.mark) out.push(badge(item.mark));
    if (item.wasKey) out.push(badge("renamed from " + item.wasKey, "renamed"));
    if (item.moved) out.push(badge("moved " + item.moved[0] + " → " + item.moved[1], "moved"));
    if (item.impact) out.push(badge(item.impact + " open", "impact"));
    return out;
  }

  function fact(label, value, wide) {
    return h("div", { class: wide ? "fact wide" : "fact" }, h("dt", {}, label), h("dd", {}, value));
  }

  function header(tab, d) {
    const plan = d.plan || {};
    const notes = [];
    if (plan.oldKey) notes.push(badge("renamed from " + plan.oldKey, "renamed"));
    else if (plan.mark) notes.push(badge(plan.mark));
    if (plan.destructive) notes.push(badge("destructive"));
    if (plan.impact) notes.push(badge(plan.impact + " open opportunities", "impact"));
    if (d.active === false) notes.push(badge("inactive"));
    if (d.waived) notes.push(badge("waived"));
    const was = plan.was || {};
    return h("header", { class: "d-head" },
      h("div", { class: "kicker" }, KINDS[tab]),
      h("h2", {}, changed(d.name, was, "name"), " ", notes),
      h("div", { class: "sub" }, h("code", {}, d.key),
        h("a", { class: "permalink", href: "#" + tab + "/" + d.key, title: "deep link to this object" },
          "#" + tab + "/" + d.key),
        d.source ? h("span", { class: "source" }, d.source) : null),
      d.description || "description" in was
        ? h("p", { class: "desc" }, changed(d.description, was, "description")) : null,
      d.waived ? waivers(d.waived) : null);
  }

  // The findings opconf.yaml waives for this object: each rule, where, and why it is waived.
  function waivers(list) {
    return h("section", { class: "waivers", "aria-label": "Waived findings" },
      h("h3", {}, list.length === 1 ? "1 waived finding" : list.length + " waived findings"),
      h("ul", {}, list.map((w) => h("li", { class: "waiver" },
        h("code", {}, w.code), " ", w.message, w.path ? h("span", { class: "muted" }, " (" + w.path + ")") : null,
        h("span", { class: "reason" }, " — waived: " + w.reason)))));
  }

  function step(s) {
    const meta = [h("span", { class: "who" }, changed(s.assignee, s.was, "assignee", who))];
    if (s.dueDays !== undefined || (s.was && "dueDays" in s.was)) {
      meta.push(h("span", { class: "due" }, changed(s.dueDays, s.was, "dueDays",
        (v) => v === null || v === undefined ? "no due date" : v + (v === 1 ? " day" : " days"))));
    }
    if (s.required || (s.was && "required" in s.was)) {
      meta.push(h("span", { class: "req" }, changed(!!s.required, s.was, "required",
        (v) => v ? "required" : "optional")));
    }
    return h("li", { class: "step " + (s.mark || "") },
      h("div", { class: "step-name" }, changed(s.name, s.was, "name")),
      h("div", { class: "step-meta" },
        h("span", { class: "type type-" + s.type }, changed(s.type, s.was, "type")), meta),
      marks(s).length ? h("div", { class: "marks" }, marks(s)) : null);
  }

  function stage(s, position) {
    const bar = h("span", {});
    bar.style.width = Math.max(0, Math.min(100, s.probability)) + "%";
    return h("li", { class: "stage outcome-" + s.outcome + " " + (s.mark || ""), "data-key": s.key },
      h("div", { class: "stage-head" },
        h("span", { class: "pos" }, position === null ? "×" : String(position)),
        h("span", { class: "stage-name" }, changed(s.name, s.was, "name")),
        s.outcome !== "open" || (s.was && "outcome" in s.was)
          ? h("span", { class: "outcome" }, changed(s.outcome, s.was, "outcome")) : null),
      h("code", { class: "stage-key" }, s.key),
      h("div", { class: "prob" }, h("div", { class: "bar" }, bar),
        h("span", { class: "pct" }, changed(s.probability, s.was, "probability", (v) => v + "%"))),
      marks(s).length ? h("div", { class: "marks" }, marks(s)) : null,
      s.guidance || (s.was && "guidance" in s.was)
        ? h("p", { class: "guidance" }, changed(s.guidance, s.was, "guidance")) : null,
      s.steps.length
        ? h("ol", { class: "steps" }, s.steps.map(step))
        : h("p", { class: "no-steps" }, "No steps"));
  }

  function chips(tab, items) {
    if (!items.length) return h("span", { class: "muted" }, "none");
    return h("ul", { class: "chips" }, items.map((it) =>
      h("li", { class: it.mark || "" }, link(tab, it.key), marks(it))));
  }

  function template(d) {
    const was = (d.plan || {}).was || {};
    const live = (items) => items.filter((it) => it.mark !== "removed");
    const steps = live(d.stages).reduce((n, s) => n + live(s.steps).length, 0);
    const stages = live(d.stages).length;
    let position = 0;
    return [header("template", d),
      h("dl", { class: "facts" },
        fact("Category", changed(d.category, was, "category")),
        fact("Client type", changed(d.entityType, was, "entityType")),
        fact("Active", changed(d.active, was, "active")),
        fact("Default coverage group", "defaultCoverageGroup" in was
          ? changed(d.group, was, "defaultCoverageGroup")
          : d.group ? link("group", d.group) : h("span", { class: "muted" }, "none")),
        fact("Products", chips("product", d.products || []), true)),
      h("h3", {}, "Pipeline ", h("span", { class: "muted" },
        stages + (stages === 1 ? " stage · " : " stages · ") +
        steps + (steps === 1 ? " step" : " steps"))),
      h("ol", { class: "pipeline", "aria-label": "Stages in order" }, d.stages.map((st) => stage(st, st.mark === "removed" ? null : ++position)))];
  }

  function group(d) {
    const was = (d.plan || {}).was || {};
    const rows = (d.members || []).map((m) => h("tr", { class: m.mark || "" },
      h("td", {}, named("users", m.user)),
      h("td", {}, changed(m.role, m.was, "role", (r) => named("roles", r)), " ", marks(m))));
    return [header("group", d),
      h("dl", { class: "facts" },
        fact("Visibility", changed(d.visibility, was, "visibility")),
        fact("Default group of", chips("template", (d.templates || []).map((k) => ({ key: k }))), true)),
      h("h3", {}, "Members ", h("span", { class: "muted" },
        String((d.members || []).filter((m) => m.mark !== "removed").length))),
      rows.length
        ? h("table", { class: "members" }, h("thead", {}, h("tr", {}, h("th", {}, "User"),
          h("th", {}, "Coverage role"))), h("tbody", {}, rows))
        : h("p", { class: "muted" }, "No members")];
  }

  function product(d) {
    const was = (d.plan || {}).was || {};
    return [header("product", d),
      h("dl", { class: "facts" },
        fact("Type", changed(d.type, was, "type", (t) => named("productTypes", t))),
        fact("List price", changed(d.listPrice, was, "listPrice")),
        fact("Code", changed(d.code, was, "code")),
        fact("Unit of measure", changed(d.unitOfMeasure, was, "unitOfMeasure")),
        fact("Active", changed(d.active, was, "active")),
        fact("Sold by", chips("template", (d.templates || []).map((k) => ({ key: k }))), true))];
  }

  const DRAW = { template, group, product };

  function items(tab) {
    return Array.from(document.querySelectorAll("#list-" + tab + " a.item"));
  }

  function selectTab(tab, focus) {
    current = tab;
    for (const t of tabs) {
      const on = t.dataset.tab === tab;
      t.setAttribute("aria-selected", on ? "true" : "false");
      t.tabIndex = on ? 0 : -1;
      document.getElementById("list-" + t.dataset.tab).hidden = !on;
      if (on && focus) t.focus();
    }
    filter();
  }

  // Per tab: [li, lowercased text, shown] for every entry, built on the first search.
  const indexes = {};

  function index(tab) {
    if (!indexes[tab]) {
      indexes[tab] = items(tab).map((a) =>
        [a.parentElement, a.textContent.toLowerCase(), true, /\bmark-/.test(a.className),
          a.classList.contains("waived")]);
    }
    return indexes[tab];
  }

  function filter() {
    const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const pendingOnly = onlyPending !== null && onlyPending.checked;
    const waivedOnly = onlyWaived !== null && onlyWaived.checked;
    const narrowed = words.length > 0 || pendingOnly || waivedOnly;
    const entries = narrowed || indexes[current] ? index(current) : [];
    let visible = narrowed ? 0 : items(current).length;
    for (const entry of entries) {
      const hit = words.every((w) => entry[1].includes(w)) && (entry[3] || !pendingOnly) &&
        (entry[4] || !waivedOnly);
      if (hit !== entry[2]) {
        entry[0].hidden = !hit; // touch only what changes: a 5,000-entry list stays fast
        entry[2] = hit;
      }
      if (hit && narrowed) visible += 1;
    }
    const empty = document.querySelector("#list-" + current + " .empty");
    empty.hidden = visible > 0;
    empty.textContent = items(current).length ? "No match." : "None configured.";
  }

  function show(anchor) {
    const aliases = store().aliases;
    if (aliases[anchor]) anchor = aliases[anchor];
    const slash = anchor.indexOf("/");
    const tab = anchor.slice(0, slash);
    const key = anchor.slice(slash + 1);
    if (!(tab in DRAW)) return false;
    if (tab !== current) selectTab(tab, false);
    for (const a of document.querySelectorAll("a.item[aria-current]")) a.removeAttribute("aria-current");
    const d = store().details[tab][key];
    const item = document.querySelector("#list-" + tab + ' a.item[href="#' + CSS.escape(anchor) + '"]');
    if (item) {
      item.setAttribute("aria-current", "true");
      item.scrollIntoView({ block: "nearest" });
    }
    details.replaceChildren(...(d ? DRAW[tab](d) : [h("p", { class: "placeholder" },
      "No " + KINDS[tab].toLowerCase() + " with key “" + key + "” in this catalogue.")]));
    details.scrollTop = 0;
    const row = details.querySelector(".pipeline");
    if (row) {
      const fade = () => row.classList.toggle("more",
        row.scrollLeft + row.clientWidth < row.scrollWidth - 4);
      row.addEventListener("scroll", fade, { passive: true });
      fade();
    }
    return true;
  }

  function route() {
    let anchor = location.hash.slice(1);
    try {
      anchor = decodeURIComponent(anchor);
    } catch (e) {
      // a malformed %-escape: look it up as typed
    }
    if (anchor && show(anchor)) return;
    // With a plan, open on the first pending change; else on the first entry.
    const marked = onlyPending ? document.querySelector(".list a.item[class*='mark-']") : null;
    const first = marked || items(current)[0];
    if (first) show(first.getAttribute("href").slice(1));
  }

  function step_(list, from, by) {
    const visible = list.filter((a) => !a.parentElement.hidden);
    if (!visible.length) return null;
    const at = visible.indexOf(from);
    if (by === "first") return visible[0];
    if (by === "last") return visible[visible.length - 1];
    return visible[Math.max(0, Math.min(visible.length - 1, at + by))];
  }

  document.querySelector(".sidebar").addEventListener("keydown", (e) => {
    const a = e.target.closest("a.item");
    if (!a) return;
    const by = { ArrowDown: 1, ArrowUp: -1, Home: "first", End: "last", PageDown: 10, PageUp: -10 }[e.key];
    if (by === undefined) return;
    e.preventDefault();
    const next = step_(items(current), a, by);
    if (next) {
      next.focus();
      history.replaceState(null, "", next.getAttribute("href"));
      show(next.getAttribute("href").slice(1));
    }
  });

  for (const t of tabs) {
    t.addEventListener("click", () => selectTab(t.dataset.tab, true));
    t.addEventListener("keydown", (e) => {
      const i = tabs.indexOf(t);
      const by = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
      if (by) {
        e.preventDefault();
        selectTab(tabs[(i + by + tabs.length) % tabs.length].dataset.tab, true);
      } else if (e.key === "ArrowDown") {
        e.preventDefault();
        const first = step_(items(current), null, "first");
        if (first) first.focus();
      }
    });
  }

  search.addEventListener("input", filter);
  if (onlyPending) onlyPending.addEventListener("change", filter);
  if (onlyWaived) onlyWaived.addEventListener("change", filter);
  search.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      search.value = "";
      filter();
    } else if (e.key === "ArrowDown" || e.key === "Enter") {
      e.preventDefault();
      const first = step_(items(current), null, "first");
      if (first) {
        first.focus();
        if (e.key === "Enter") first.click();
      }
    }
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "/" && document.activeElement !== search && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      search.focus();
      search.select();
    }
  });
  window.addEventListener("hashchange", route);
  // Draw the details once the lists have painted.
  requestAnimationFrame(() => setTimeout(route, 0));
})();
