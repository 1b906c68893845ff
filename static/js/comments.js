// Comment forms. A form sent once waits for its answer: its button is disabled until then,
// so a double click posts once (the server also knows a form sent twice by its one-time
// key). Reply forms open inline under the comment being answered; without JavaScript the
// "Reply" link leads to a page with the same form.
(function () {
  "use strict";

  function buttonsOf(form) {
    return form.querySelectorAll("button[type=submit], button:not([type])");
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!form.matches(".comment-form")) return;
    if (form.dataset.sending) {
      event.preventDefault();
      return;
    }
    form.dataset.sending = "true";
    for (const button of buttonsOf(form)) {
      button.disabled = true;
      button.dataset.label = button.textContent;
      button.textContent = "Posting…";
    }
  });

  // Back to this page from the history (the back/forward cache): its forms can be sent again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    for (const form of document.querySelectorAll(".comment-form[data-sending]")) {
      delete form.dataset.sending;
      for (const button of buttonsOf(form)) {
        button.disabled = false;
        if (button.dataset.label) button.textContent = button.dataset.label;
      }
    }
  });

  const template = document.getElementById("reply-form-template");
  if (!template) return;

  // Each form opened gets its own key: the same reply sent twice posts once.
  function oneTimeKey() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  }

  function closeForm(form) {
    const link = form.previousElementSibling?.querySelector("a.comment__reply");
    form.remove();
    if (link) link.focus();
  }

  document.addEventListener("click", function (event) {
    const link = event.target.closest("a.comment__reply");
    if (link) {
      event.preventDefault();
      const comment = link.closest(".comment");
      const open = comment.querySelector(".comment-form--reply");
      if (open) {
        open.querySelector("textarea").focus();
        return;
      }
      const form = template.content.firstElementChild.cloneNode(true);
      form.action = template.dataset.postUrl;
      form.elements.question.value = link.dataset.question;
      form.elements.parent.value = link.dataset.comment;
      form.elements.submission_key.value = oneTimeKey();
      link.parentElement.after(form);
      form.querySelector("textarea").focus();
      return;
    }
    const cancel = event.target.closest("[data-cancel-reply]");
    if (cancel) closeForm(cancel.closest("form"));
  });

  document.addEventListener("keydown", function (event) {
    const form = event.target.closest && event.target.closest(".comment-form--reply");
    if (event.key === "Escape" && form) closeForm(form);
  });
})();
