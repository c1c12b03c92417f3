// The live weighted-length counter of a post's text: X counts each link as 23 and emoji,
// CJK and a few symbols as 2. The server checks again with bot/weighted_length.py; this is
// only a guide while typing, so it turns red past the limit.
"use strict";
(function () {
  var URL = /(?:https?:\/\/)?(?:[a-z0-9-]+\.)+[a-z]{2,}(?:\/[^\s]*)?/gi;
  function weight(ch) {
    var code = ch.codePointAt(0);
    if (code <= 0x10ff || (code >= 0x2000 && code <= 0x200d) ||
        (code >= 0x2010 && code <= 0x201f) || (code >= 0x2032 && code <= 0x2037)) {
      return 1;
    }
    return 2;
  }
  function weighted(text, extraLink) {
    var links = 0;
    var rest = text.normalize("NFC").replace(/\r\n?/g, "\n").replace(URL, function () {
      links += 1;
      return "";
    });
    var total = links * 23;
    for (var ch of rest) { total += weight(ch); }
    if (extraLink && text.indexOf(extraLink) === -1) { total += 24; }
    return total;
  }
  document.querySelectorAll("textarea[data-limit]").forEach(function (area) {
    var counter = document.getElementById(area.getAttribute("aria-describedby"));
    var limit = parseInt(area.dataset.limit, 10);
    var linkField = area.dataset.linkField ? document.getElementById(area.dataset.linkField) : null;
    function update() {
      var n = weighted(area.value, linkField ? linkField.value.trim() : "");
      counter.textContent = n + " / " + limit;
      counter.classList.toggle("over", n > limit);
    }
    area.addEventListener("input", update);
    if (linkField) { linkField.addEventListener("input", update); }
    update();
  });
})();
