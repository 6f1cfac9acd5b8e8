// SSMSI import status page: while the import runs, the page is fetched again every POLL_MS
// and its progress copied in place, instead of the whole-page refresh the page does without
// JavaScript. Once the import is done the page redirects to the diagnostic, which shows the
// result: the browser then goes there itself (the fetch must not consume that message).
const POLL_MS = 1000;
const section = document.getElementById("import-job");

async function poll() {
  try {
    const answer = await fetch(location.href, { redirect: "manual" });
    if (answer.type === "opaqueredirect") {
      location.reload();
      return;
    }
    if (answer.ok) {
      const page = new DOMParser().parseFromString(await answer.text(), "text/html");
      const fresh = page.getElementById("import-job");
      if (fresh?.dataset.status === "running") {
        // In place: the status line stays the same live region, read out as it changes.
        const progress = fresh.querySelector("progress");
        section.querySelector("progress").value = progress.value;
        section.querySelector("progress").textContent = progress.textContent;
        document.getElementById("import-lines").textContent =
          fresh.querySelector("#import-lines").textContent;
      } else if (fresh) {
        section.innerHTML = fresh.innerHTML;  // the error, announced by its own role
        section.dataset.status = fresh.dataset.status;
      }
    }
  } catch {
    // offline for a moment: the next poll tries again
  }
  if (section.dataset.status === "running") setTimeout(poll, POLL_MS);
}

setTimeout(poll, POLL_MS);
