// DOM and storage helpers shared by the contestant page and the jury page.

// el('tr', {class, onclick, …}, child, …): an element with attributes
// (null/false skipped, on* as listeners) and text or node children.
export function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of kids.flat(Infinity)) if (c != null) e.append(c instanceof Node ? c : String(c));
  return e;
}

// localStorage as JSON; a full or disabled storage is ignored.
export const store = {
  get(k, d) { try { const v = localStorage.getItem(k); return v == null ? d : JSON.parse(v); } catch { return d; } },
  set(k, v) { try { localStorage.setItem(k, JSON.stringify(v)); } catch { /* full or disabled */ } },
};

export const $ = (id) => document.getElementById(id);

export function debounce(fn, ms) {
  let t = null;
  return () => { clearTimeout(t); t = setTimeout(fn, ms); };
}
