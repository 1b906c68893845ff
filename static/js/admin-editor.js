// The admin's editing aids. Markdown fields marked with data-markdown-preview show, under
// the field, what readers will see, as the editor types: the server renders the text
// exactly as the site does (and says what the site will drop). A key finding or question
// added with "Add another" gets the next number. Without JavaScript the form works the same,
// without the preview; rows left at 0 are numbered when saved.
(function () {
  "use strict";

  const WAIT_MS = 400;
  const previews = new WeakMap();
  const timers = new WeakMap();
  const MARKDOWN_FIELD = "textarea[data-markdown-preview]";

  function previewOf(field) {
    let preview = previews.get(field);
    if (!preview) {
      preview = document.createElement("div");
      preview.className = "markdown-preview";
      preview.setAttribute("aria-live", "polite");
      preview.hidden = true;
      field.insertAdjacentElement("afterend", preview);
      previews.set(field, preview);
    }
    return preview;
  }

  async function showPreview(field) {
    const preview = previewOf(field);
    if (!field.value.trim()) {
      preview.hidden = true;
      return;
    }
    const token = field.form.querySelector("input[name=csrfmiddlewaretoken]");
    const body = new FormData();
    body.append("csrfmiddlewaretoken", token ? token.value : "");
    body.append("text", field.value);
    body.append("subject", field.dataset.markdownSubject || "");
    try {
      const response = await fetch(field.dataset.markdownPreview, {
        method: "POST",
        body: body,
        credentials: "same-origin",
      });
      if (!response.ok) throw new Error(response.statusText);
      // The server's answer: a template, with the text cleaned by the site's sanitizer.
      preview.innerHTML = await response.text();
    } catch (error) {
      preview.textContent = "The preview is not available right now; saving still works.";
    }
    preview.hidden = false;
  }

  function schedule(field) {
    clearTimeout(timers.get(field));
    timers.set(field, setTimeout(function () { showPreview(field); }, WAIT_MS));
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches(MARKDOWN_FIELD)) schedule(event.target);
  });

  document.addEventListener("focusin", function (event) {
    const field = event.target;
    if (field.matches(MARKDOWN_FIELD) && !previews.has(field)) showPreview(field);
  });

  document.addEventListener("formset:added", function (event) {
    const name = event.detail && event.detail.formsetName;
    const position = event.target.querySelector("input[name$='-position']");
    if (!name || !position || position.value !== "0") return;
    let highest = 0;
    for (const other of document.querySelectorAll(`input[name^='${name}-'][name$='-position']`)) {
      if (other !== position && !other.name.includes("__prefix__")) {
        highest = Math.max(highest, parseInt(other.value, 10) || 0);
      }
    }
    position.value = String(highest + 1);
  });
})();
