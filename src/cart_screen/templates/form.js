// cart-screen's pages work without script; this adds what a keyboard user expects of a form.
// Served from the package (the Content Security Policy allows script from this server only).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // A page that says what went wrong puts the focus there (autofocus does so without script).
  const problem = document.getElementById("error-summary") || document.getElementById("upload-error");
  if (problem && document.activeElement !== problem) {
    problem.focus();
  }
  // Each link of the error summary focuses its field, not only scrolls to it.
  for (const link of document.querySelectorAll("#error-summary a[href^='#']")) {
    link.addEventListener("click", (event) => {
      const field = document.getElementById(link.getAttribute("href").slice(1));
      if (field) {
        event.preventDefault();
        field.focus();
        field.scrollIntoView({ block: "center" });
      }
    });
  }
  // Enter in a field moves to the next one; only the button at the end screens the form.
  const form = document.getElementById("referral");
  if (!form) {
    return;
  }
  form.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.key !== "Enter" || event.isComposing || !(target instanceof HTMLInputElement)) {
      return; // an input method's Enter chooses the characters typed
    }
    event.preventDefault();
    const fields = Array.from(
      form.querySelectorAll("input:not([type=hidden]), select, button[type=submit]"),
    ).filter((field) => !field.disabled);
    const next = fields[fields.indexOf(target) + 1];
    if (next) {
      next.focus();
    }
  });
});
