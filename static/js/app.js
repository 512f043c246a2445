// DealerLMS's own script (htmx aside). Pages carry no inline JavaScript (the Content-Security-
// Policy allows none): each behaviour below is asked for with a data attribute.
//   <html class="js">            scripts run: CSS may fold what needs a script to unfold
//   data-menu-toggle             on a button with aria-controls: opens and shuts that element
//   data-autosubmit              on a select: choosing an option sends its form
//   data-confirm="question"      on a form: asks before sending it
//   data-print                   on a button: prints the page
//   data-seen / data-newest      the inbox polls with the newest lead it has shown
//   data-template-choices        the automation rule form offers only the templates that fit
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  document.addEventListener("click", function (event) {
    const toggle = event.target.closest("[data-menu-toggle]");
    if (toggle) {
      const target = document.getElementById(toggle.getAttribute("aria-controls"));
      if (target) {
        const open = target.classList.toggle("open");
        toggle.setAttribute("aria-expanded", open);
      }
      return;
    }
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });

  document.addEventListener("change", function (event) {
    const field = event.target;
    if (field.matches("select[data-autosubmit]") && field.form) {
      field.form.submit();
    }
  });

  // Capturing, so that the question comes before anything else acts on the submit (htmx too).
  document.addEventListener(
    "submit",
    function (event) {
      const question = event.target.dataset && event.target.dataset.confirm;
      if (question && !window.confirm(question)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true,
  );

  // The inbox: each poll says which lead was the newest shown (the server then flags newer ones),
  // and the rows it gets back say which is the newest now.
  document.addEventListener("htmx:configRequest", function (event) {
    const source = event.detail.elt;
    if (source.dataset && source.dataset.seen !== undefined) {
      event.detail.parameters.seen = source.dataset.seen;
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    const target = event.detail.target;
    const newest = target.querySelector("[data-newest]");
    if (newest && target.dataset.seen !== undefined) {
      target.dataset.seen = newest.dataset.newest;
    }
  });

  // The automation rule form: staff-only templates only when no customer receives the message,
  // and only the chosen dealership's templates (the server checks both again).
  function templateChoices(form) {
    const select = form.querySelector("select[name=template]");
    if (!select) return;
    const customer = form.querySelector("input[name=to_customer]");
    const dealership = form.querySelector("select[name=dealership]");
    function update() {
      for (const option of select.options) {
        if (!option.value) continue;
        const hide =
          (customer && customer.checked && option.dataset.staffOnly === "1") ||
          (dealership && dealership.value && option.dataset.dealership !== dealership.value);
        option.hidden = hide;
        option.disabled = hide;
        if (hide && option.selected) select.value = "";
      }
    }
    form.addEventListener("change", update);
    update();
  }
  document.querySelectorAll("form[data-template-choices]").forEach(templateChoices);
})();
