// Small progressive enhancements; every page works without JavaScript.
"use strict";

const PHONE = "(max-width: 48rem)";
const TYPING_PAUSE_MS = 250;

// "/" focuses the search box, as on most search sites.
document.addEventListener("keydown", (event) => {
  const box = document.getElementById("q");
  if (!box || event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  const tag = (document.activeElement && document.activeElement.tagName) || "";
  if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
  event.preventDefault();
  box.focus();
  box.select();
});

// On a phone the facets sit above the results: fold them so the results show first.
function foldFacets() {
  if (!window.matchMedia(PHONE).matches) return;
  for (const facet of document.querySelectorAll(".facets details.facet")) {
    if (!facet.querySelector("a.on")) facet.open = false;
  }
}

// Instant results: when typing pauses, fetch the results page of the box's query (the same
// URL the form would submit) and show its main part; Enter still submits the form.
function instantResults() {
  const box = document.getElementById("q");
  const form = box && box.form;
  if (!form || !window.fetch || !window.DOMParser) return;
  let timer = 0;
  let latest = 0;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      if (!box.value.trim()) return;
      const url = form.action + "?" + new URLSearchParams(new FormData(form)).toString();
      const ticket = ++latest;
      try {
        const response = await fetch(url, { headers: { Accept: "text/html" } });
        // A 400 (too long) keeps what is shown; Enter shows the message.
        if (!response.ok || ticket !== latest) return;
        const page = new DOMParser().parseFromString(await response.text(), "text/html");
        const fresh = page.getElementById("main");
        if (!fresh || ticket !== latest) return;
        document.getElementById("main").replaceChildren(...fresh.childNodes);
        document.title = page.title;
        history.replaceState(null, "", url);
        foldFacets();
      } catch (error) {
        // Offline or interrupted: the form still works.
      }
    }, TYPING_PAUSE_MS);
  };
  // While an input method composes (pinyin letters before the characters), wait for it.
  box.addEventListener("input", (event) => event.isComposing || schedule());
  box.addEventListener("compositionend", schedule);
}

document.addEventListener("DOMContentLoaded", () => {
  foldFacets();
  instantResults();
});
