// The cookie banner: send the choice without leaving the page (the form works without JS).
(function () {
  "use strict";
  var form = document.querySelector("[data-cookie-form]");
  if (!form || !window.fetch) return;
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button) return;
    event.preventDefault();
    var data = new FormData(form);
    data.set("choice", button.value);
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      var banner = document.querySelector("[data-cookie-banner]");
      if (banner) banner.remove();
    }).catch(function () {
      form.submit();
    });
  });
})();
