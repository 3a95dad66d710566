// Small progressive enhancements; every page works without JavaScript.
"use strict";

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
document.addEventListener("DOMContentLoaded", () => {
  if (!window.matchMedia("(max-width: 48rem)").matches) return;
  for (const facet of document.querySelectorAll(".facets details.facet")) {
    if (!facet.querySelector("a.on")) facet.open = false;
  }
});
