/* Authoring pages, progressive enhancement only: the pages work fully without it.
   YAML text areas say which line the cursor is on, and a problem's "(line N)" link in the
   error summary puts the cursor on that line of its text area. */
(function () {
  "use strict";

  function lineOf(area) {
    return area.value.slice(0, area.selectionStart).split("\n").length;
  }

  function selectLine(area, line) {
    var lines = area.value.split("\n");
    var start = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i += 1) {
      start += lines[i].length + 1;
    }
    var end = start + (lines[line - 1] || "").length;
    area.focus();
    area.setSelectionRange(start, end);
  }

  document.querySelectorAll("textarea.yaml").forEach(function (area) {
    var position = document.createElement("p");
    position.className = "hint";
    position.id = area.id + "-position";
    area.insertAdjacentElement("afterend", position);
    function update() {
      position.textContent = "Cursor on line " + lineOf(area) + ".";
    }
    ["keyup", "click", "input", "focus"].forEach(function (name) {
      area.addEventListener(name, update);
    });
    update();
  });

  document.querySelectorAll(".error-summary a[href^='#']").forEach(function (link) {
    var found = /\(line (\d+)\)/.exec(link.textContent);
    var area = document.getElementById(link.getAttribute("href").slice(1));
    if (!found || !area || area.tagName !== "TEXTAREA") {
      return;
    }
    link.addEventListener("click", function (event) {
      event.preventDefault();
      selectLine(area, parseInt(found[1], 10));
    });
  });
})();
