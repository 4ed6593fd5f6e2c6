// Behaviour every page shares, without inline scripts (the Content-Security-Policy allows
// scripts from our static files only).
//  - <form data-confirm="Question?">: asks before submitting.
//  - <form data-no-submit>: never submitted (a preview of a questionnaire).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  if (form.hasAttribute("data-no-submit")) {
    event.preventDefault();
    return;
  }
  if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
