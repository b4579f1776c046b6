"""A layout check run in the page: what a person would see as broken, found by measuring the DOM.

- the page scrolls sideways (the document is wider than the window);
- a short word (letters and digits) is broken over several lines (a label squeezed to one letter per line, "Own|er");
- a text field, list or button is squeezed narrower than a few characters, or than its own label;
  a text area fills less than 60 % of the box it is in.

Words longer than LONG_WORD characters (links, hostile text from networks) may wrap anywhere by design.
"""

from __future__ import annotations

from typing import Any

LONG_WORD = 30
MIN_CONTROL_PX = 40
LABEL_CAP_PX = 160

_CHECK = """
([longWord, minControl, labelCap]) => {
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth + 1) {
    problems.push(`the page scrolls sideways: ${doc.scrollWidth} px wide in a ${doc.clientWidth} px window`);
  }
  const visible = (el) => {
    const style = getComputedStyle(el);
    const clipped = style.clipPath !== "none" || (style.clip && style.clip !== "auto");  // .sr-only
    return !clipped && style.visibility !== "hidden" && style.display !== "none" && el.getClientRects().length > 0;
  };
  const where = (el) => {
    const id = el.id ? "#" + el.id : "";
    const names = typeof el.className === "string" ? el.className.trim() : "";
    const cls = names ? "." + names.split(/\\s+/).join(".") : "";
    return el.tagName.toLowerCase() + id + cls;
  };
  // Words broken over lines: each word's boxes must share one line.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  const seen = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || !visible(parent) || ["SCRIPT", "STYLE", "OPTION", "TEXTAREA"].includes(parent.tagName)) continue;
    // A word: letters and digits, and the marks that give no place to break (don't, name.surname).
    for (const match of node.data.matchAll(/[\\p{L}\\p{N}][\\p{L}\\p{M}\\p{N}'’.@_]*/gu)) {
      const word = match[0];
      if (word.length < 2 || word.length > longWord) continue;
      range.setStart(node, match.index);
      range.setEnd(node, match.index + word.length);
      // Lines cut off by the parent (line-clamp, overflow: hidden) are not seen, so not counted.
      const box = parent.getBoundingClientRect();
      const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0 && r.top < box.bottom - 1)
        .map((r) => Math.round(r.top)));
      if (tops.size > 1) {
        const key = where(parent) + word;
        if (!seen.has(key)) {
          seen.add(key);
          problems.push(`"${word}" is broken over ${tops.size} lines in ${where(parent)} ` +
                        `(${Math.round(parent.getBoundingClientRect().width)} px wide)`);
        }
      }
    }
  }
  // Controls squeezed to a sliver.
  const controls = document.querySelectorAll(
    "textarea, select, button, input:not([type=hidden]):not([type=checkbox]):not([type=radio])");
  for (const el of controls) {
    if (!visible(el)) continue;
    const width = el.getBoundingClientRect().width;
    if (width < minControl) problems.push(`${where(el)} is ${Math.round(width)} px wide`);
    // Text is written in a box that fills most of its form, not in a strip beside something else.
    const holder = el.parentElement;
    if (el.tagName === "TEXTAREA" && holder && width < 0.6 * holder.clientWidth) {
      problems.push(`${where(el)} is ${Math.round(width)} px wide in a ${holder.clientWidth} px ${where(holder)}`);
    }
    // A field narrower than its own label (up to labelCap px) is squeezed beside it, not under it.
    for (const label of el.labels || []) {
      // A label for screen readers only (.sr-only: a clipped 1 px box) takes no room on screen.
      const box = label.getBoundingClientRect();
      if (box.width <= 1 || box.height <= 1) continue;
      let text = 0;
      const texts = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
      for (let t = texts.nextNode(); t; t = texts.nextNode()) {
        if (el.contains(t)) continue;
        range.selectNodeContents(t);
        for (const r of range.getClientRects()) text += r.width;
      }
      if (width + 1 < Math.min(text, labelCap)) {
        problems.push(`${where(el)} is ${Math.round(width)} px wide, narrower than its label ` +
                      `"${label.textContent.trim().slice(0, 40)}"`);
      }
    }
  }
  return problems;
}
"""


def layout_problems(page: Any) -> list[str]:
    """Everything on the page as it is now that looks broken; an empty list when the layout holds."""
    return list(page.evaluate(_CHECK, [LONG_WORD, MIN_CONTROL_PX, LABEL_CAP_PX]))
