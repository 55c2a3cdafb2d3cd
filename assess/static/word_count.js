// A written answer's live word count against the item's range ("120 words (aim for 150–200)").
// The page works without it: the hint above the box already states the range.
(function () {
  "use strict";

  // Counted as the server counts (items/types/written.py: whitespace-separated words).
  function countWords(text) {
    var words = text.trim().split(/\s+/);
    return words[0] === "" ? 0 : words.length;
  }

  function aim(min, max) {
    if (min && max) {
      return "aim for " + min + "\u2013" + max;
    }
    return min ? "aim for at least " + min : "aim for at most " + max;
  }

  function bind(status) {
    var box = document.getElementById(status.getAttribute("data-count-for"));
    if (!box || box.hasAttribute("data-word-count")) {
      return;
    }
    box.setAttribute("data-word-count", "");
    var min = parseInt(box.getAttribute("data-min-words") || "0", 10);
    var max = parseInt(box.getAttribute("data-max-words") || "0", 10);
    var timer = null;

    function show() {
      var n = countWords(box.value);
      status.textContent = n + (n === 1 ? " word" : " words") + " (" + aim(min, max) + ")";
      status.classList.toggle("outside-range", n > 0 && ((min && n < min) || (max && n > max)));
    }

    // A polite live region read on every keystroke would talk over the typing: update after a pause.
    box.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(show, 400);
    });
    show();
    status.hidden = false;
  }

  document.querySelectorAll("[data-count-for]").forEach(bind);
})();
