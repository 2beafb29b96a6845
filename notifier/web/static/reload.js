// Long work (an import, a print run): a page that shows its progress carries
// <div hidden data-reload-after="2"> while the work runs, and reloads itself after that many
// seconds; each such page also has a link that stops the reloading (WCAG 2.2.1).
const marker = document.querySelector("[data-reload-after]");
if (marker) {
  setTimeout(() => window.location.reload(), Number(marker.dataset.reloadAfter) * 1000);
}
