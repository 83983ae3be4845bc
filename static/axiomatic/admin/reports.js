// The Statements page: "Copy link" copies the share link just created. The clipboard API where the
// page may use it; otherwise the link is selected (and copied with execCommand where that still
// works), so Ctrl+C copies it. A status line says which happened (aria-live, for screen readers).
(function () {
  "use strict";

  function say(button, text) {
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (status) {
      status.textContent = text;
    }
  }

  function selectAndCopy(button, input) {
    input.focus();
    input.select();
    input.setSelectionRange(0, input.value.length);
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    say(button, copied ? "Link copied." : "The link is selected: press Ctrl+C (or Cmd+C) to copy it.");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) {
      return;
    }
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    if (!input) {
      return;
    }
    input.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(
        function () {
          say(button, "Link copied.");
        },
        function () {
          selectAndCopy(button, input);
        }
      );
    } else {
      selectAndCopy(button, input);
    }
  });
})();
