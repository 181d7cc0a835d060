// The Operator console and handheld page: new Alerts arrive over SSE as rendered cards.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const list = document.querySelector("[data-live-stream]");
  if (!list) return;
  const source = new EventSource(list.dataset.liveStream);
  source.addEventListener("alert", (event) => {
    const holder = document.createElement("template");
    holder.innerHTML = event.data.trim();
    const card = holder.content.firstElementChild;
    if (!card || document.getElementById(card.id)) return;
    list.prepend(card);
    if (window.htmx) window.htmx.process(card);
    const empty = document.querySelector("[data-empty]");
    if (empty) empty.remove();
    card.classList.add("new");
  });
  source.addEventListener("state", (event) => {
    const state = document.querySelector("[data-state]");
    if (state) state.textContent = event.data;
  });
});
