/* The "Dose for this patient" panel of a protocol page (generator/render/dose_panel.py).
 *
 * One weight field for every weight-based regimen of the page. Every figure comes from dosecalc.js's
 * computeDose (window.ProtocolsDosecalc), digit for digit as `protocols dose` prints it; this file only
 * words and shows the result: the cap in the same line as the dose, the total with its time frame
 * (labels from the page), warnings in the warning style, refusals as errors. It highlights the
 * weight's row in the regimen's dose table. Without JavaScript the panel says to read the table.
 */
(function () {
  "use strict";

  var EDGE_SPACE = /^[ \t\r\n]+|[ \t\r\n]+$/g;

  // `content`: a text, or a list of texts and nodes (the figures, kept on one line).
  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (typeof content === "string") node.textContent = content;
    else if (content) content.forEach(function (part) {
      node.appendChild(typeof part === "string" ? document.createTextNode(part) : part);
    });
    return node;
  }

  // A number and its unit never break across lines ("25 mg/h", "70 kg"), as generator/render/nowrap.py keeps
  // them on the page: the same units, longest first.
  var UNIT_WORDS = ["mcg/kg/min", "units/kg/h", "mcg/kg/h", "units/kg", "units/mL", "mcg/min", "mg/kg/h",
                    "minutes", "units/h", "mcg/kg", "mcg/mL", "minute", "months", "hours", "mg/kg", "mg/mL",
                    "month", "units", "weeks", "days", "hour", "mL/h", "mg/h", "mins", "week", "day", "mcg",
                    "min", "kg", "lb", "mL", "mg", "L", "g", "h"];
  var QUANTITY = new RegExp("(?<![\\w.,])[0-9][0-9,]*(?:\\.[0-9]+)?[ \\u00a0](?:" +
                            UNIT_WORDS.map(function (u) { return u.replace(/\//g, "\\/"); }).join("|") +
                            ")(?![\\w/])", "g");

  function nowrap(text) { return element("span", "pc-nowrap", text); }

  // A text as parts for `element`: each quantity in it a nowrap span.
  function keptTogether(text) {
    var parts = [], last = 0;
    text.replace(QUANTITY, function (match, offset) {
      if (offset > last) parts.push(text.slice(last, offset));
      parts.push(nowrap(match));
      last = offset + match.length;
      return match;
    });
    if (last < text.length) parts.push(text.slice(last));
    return parts;
  }

  function parsed(node, name) {
    try { return JSON.parse(node.getAttribute(name)); } catch (e) { return null; }
  }

  // The dose table container of a regimen: the element after its heading #dose-table-<regimen>.
  function tableOf(anchor) {
    var heading = anchor ? document.getElementById(anchor) : null;
    var next = heading ? heading.nextElementSibling : null;
    return next && next.classList.contains("pc-dose-table") ? next : null;
  }

  function rowWeight(row) {
    var header = row.querySelector("th");
    return header ? header.textContent.replace(/[\s,]/g, "").replace(/kg$/, "") : "";
  }

  function amountText(calc, figure) { return calc.formatGrouped(figure.value) + " " + figure.unit; }

  // "Rate: 24.5 mg/h (maximum 25 mg/h)", "Rate: 25 mg/h (capped at the maximum of 25 mg/h)".
  function amountLine(calc, spec, labels, result) {
    var text = labels[spec.amount_key] + ": " + amountText(calc, result[spec.amount_key]);
    if (spec.cap !== undefined) {
      var cap = calc.formatGrouped(spec.cap) + " " + spec.unit;
      text += result.capped ? " (capped at the maximum of " + cap + ")" : " (maximum " + cap + ")";
    }
    return text;
  }

  function figureLines(calc, spec, labels, result) {
    var lines = [];
    if (result.range) {
      lines.push(labels.range + ": " + amountText(calc, result.range.min) + " to " + amountText(calc, result.range.max));
    }
    (spec.derived || []).forEach(function (figure) {
      lines.push((labels[figure.key] || figure.key) + ": " + amountText(calc, result[figure.key]));
    });
    return lines;
  }

  function highlight(table, weightKg) {
    if (!table) return false;
    var found = false;
    Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (row) {
      var match = weightKg !== null && rowWeight(row) === weightKg;
      row.classList.toggle("pc-dosecalc-match", match);
      if (match) { row.setAttribute("aria-current", "true"); found = true; } else { row.removeAttribute("aria-current"); }
    });
    return found;
  }

  function showOne(calc, regimen, typed, unit, caution) {
    var output = regimen.output;
    output.textContent = "";
    if (typed.replace(EDGE_SPACE, "") === "") {
      highlight(regimen.table, null);
      output.appendChild(element("p", "pc-dose-panel__prompt", "Type the weight to see the dose."));
      return;
    }
    var result = calc.computeDose(regimen.spec, typed, unit);
    if (result.error !== undefined) {
      highlight(regimen.table, null);
      output.appendChild(element("p", "pc-dose-panel__error", keptTogether("No dose: " + result.error + ".")));
      return;
    }
    var weight = "For " + calc.formatGrouped(result.weight_kg) + " kg";
    if (unit === "lb") weight += " (" + typed.replace(EDGE_SPACE, "") + " lb)";
    output.appendChild(element("p", "pc-dose-panel__for", keptTogether(weight + ":")));
    var list = element("ul", "pc-dose-panel__figures");
    list.appendChild(element("li", "pc-dose-panel__amount",
                             keptTogether(amountLine(calc, regimen.spec, regimen.labels, result))));
    figureLines(calc, regimen.spec, regimen.labels, result).forEach(function (line) {
      list.appendChild(element("li", "pc-dose-panel__figure", keptTogether(line)));
    });
    output.appendChild(list);
    if (caution) output.appendChild(element("p", "pc-dose-panel__warning", keptTogether(caution)));
    result.warnings.forEach(function (text) {
      output.appendChild(element("p", "pc-dose-panel__warning", keptTogether("Check: " + text + ".")));
    });
    if (highlight(regimen.table, result.weight_kg)) {
      output.appendChild(element("p", "pc-dose-panel__row", "The dose table below highlights this weight."));
    }
  }

  function setUp(panel) {
    var calc = window.ProtocolsDosecalc;
    var box = panel.querySelector(".pc-dose-panel__weight");
    if (!calc || !box || panel.hasAttribute("data-dose-panel-ready")) return;
    var input = box.querySelector("input");
    var select = box.querySelector("select");
    var regimens = [];
    Array.prototype.forEach.call(panel.querySelectorAll(".pc-dose-panel__regimen[data-dose-panel-spec]"),
      function (node) {
        var spec = parsed(node, "data-dose-panel-spec");
        var labels = parsed(node, "data-dose-panel-labels");
        var output = node.querySelector(".pc-dose-panel__result");
        if (!spec || !labels || !output) return;
        regimens.push({ spec: spec, labels: labels, output: output,
                        table: tableOf(node.getAttribute("data-dose-panel-table")) });
      });
    if (!input || !select || regimens.length === 0) return;
    panel.setAttribute("data-dose-panel-ready", "");
    box.hidden = false;
    var fallback = panel.querySelector(".pc-dose-panel__noscript");
    if (fallback) fallback.hidden = true;
    var caution = panel.getAttribute("data-dose-panel-caution") || "";
    function show() {
      regimens.forEach(function (regimen) { showOne(calc, regimen, input.value, select.value, caution); });
    }
    input.addEventListener("input", show);
    select.addEventListener("change", show);
    show();
  }

  function setUpAll() {
    if (!window.ProtocolsDosecalc) {  // dosecalc.js not run yet: try again once everything has loaded
      window.addEventListener("load", function () {
        Array.prototype.forEach.call(document.querySelectorAll(".pc-dose-panel"), setUp);
      });
      return;
    }
    Array.prototype.forEach.call(document.querySelectorAll(".pc-dose-panel"), setUp);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUpAll);
  else setUpAll();
})();
