// Small progressive enhancements; every page works without JavaScript.
"use strict";
document.addEventListener("keydown", (event) => {
  const box = document.getElementById("q");
  if (!box || event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  const tag = (document.activeElement && document.activeElement.tagName) || "";
  if (tag === "INPUT" || tag === "TEXTAREA") return;
  event.preventDefault();
  box.focus();
  box.select();
});
