/* Answering a questionnaire: a question with a condition ("show B only if A = yes") is shown
   only while its controlling question is shown and answered with that value. Hidden questions
   are disabled, so their inputs are not sent; the server checks the conditions again. */
(function () {
  "use strict";
  function valueOf(form, code) {
    var inputs = form.querySelectorAll('[name="' + CSS.escape(code) + '"]');
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.disabled) { continue; }
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) { return input.value; }
      } else if (input.value !== "") {
        return input.value;
      }
    }
    return null;
  }
  function update(form) {
    var shown = {};
    form.querySelectorAll(".survey-question").forEach(function (box) {
      var source = box.dataset.conditionQuestion;
      var visible = true;
      if (source) {
        visible = shown[source] === true && valueOf(form, source) === box.dataset.conditionValue;
      }
      box.hidden = !visible;
      box.disabled = !visible || form.dataset.readonly === "true";
      shown[box.dataset.code] = visible;
    });
  }
  function start() {
    var form = document.getElementById("survey-form");
    if (!form) { return; }
    update(form);
    form.addEventListener("change", function () { update(form); });
    form.addEventListener("input", function () { update(form); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
