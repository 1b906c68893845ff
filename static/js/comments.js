// Opens reply forms inline under the comment being answered. Without JavaScript the
// "Reply" link leads to a page with the same form.
(function () {
  "use strict";
  const template = document.getElementById("reply-form-template");
  if (!template) return;

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
