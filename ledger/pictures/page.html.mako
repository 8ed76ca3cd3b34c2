## The HTML page around a picture: the SVG inline, a panel a click on a mark fills, nothing fetched.
## Every ${} is HTML-escaped (webpage.py sets default_filters); `n` marks the two values already safe.
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="ledger ${command}">
<title>${title}</title>
<style>
  body { margin: 16px; font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #1a1a1a; background: #fff; }
  figure { margin: 0; }
  figure svg { max-width: 100%; height: auto; }
  .mark { cursor: pointer; }
  .mark:focus { outline: none; }
  .mark.selected { filter: drop-shadow(0 0 1.5px #000) drop-shadow(0 0 1.5px #000); }
  .mark:focus-visible { filter: drop-shadow(0 0 2px #0072B2); }
  #detail { margin-top: 8px; padding: 10px 14px; border: 1px solid #d0d0d0; border-radius: 6px; max-width: 60em; background: #fafafa; font-size: 14px; }
  #detail h2 { font-size: 15px; margin: 0 0 6px; }
  #detail dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
  #detail dt { color: #555; }
  #detail dd { margin: 0; overflow-wrap: anywhere; }
  .hint { color: #666; font-size: 13px; }
</style>
</head>
<body>
<figure>
${svg | n}
</figure>
% if details:
<section id="detail" aria-live="polite"><p class="hint">Click a mark (or focus it and press Enter) to read its sources and quote here; hovering shows them too.</p></section>
<script type="application/json" id="mark-details">${details_json | n}</script>
<script>
(function () {
  "use strict";
  var details = JSON.parse(document.getElementById("mark-details").textContent);
  var panel = document.getElementById("detail");
  function show(element) {
    var mark = details[element.getAttribute("data-mark")];
    if (!mark) { return; }
    document.querySelectorAll(".mark.selected").forEach(function (m) { m.classList.remove("selected"); });
    element.classList.add("selected");
    var heading = document.createElement("h2");
    heading.textContent = mark.title;
    var list = document.createElement("dl");
    mark.details.forEach(function (pair) {
      var term = document.createElement("dt");
      term.textContent = pair[0];
      var text = document.createElement("dd");
      text.textContent = pair[1];
      list.append(term, text);
    });
    panel.replaceChildren(heading, list);
  }
  document.querySelectorAll("[data-mark]").forEach(function (element) {
    element.addEventListener("click", function () { show(element); });
    element.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); show(element); }
    });
  });
})();
</script>
% endif
</body>
</html>
