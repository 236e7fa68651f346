/* Dose calculator of the clinical protocols site (format §3.2, §7). No dependencies, no build step.
 *
 * computeDose(spec, weight, unit) follows generator/dosing.py evaluate_spec digit for digit: every
 * number is an exact rational of BigInts built from decimal strings; binary floating point never
 * touches a dose. It returns {error} for a refused weight and for one the rounding step leaves
 * without a dose (§3.2). From Node: require("dosecalc.js").computeDose. In the page it is
 * window.ProtocolsDosecalc, which the "Dose for this patient" panel (dose-panel.js) words and shows;
 * it writes nothing to the page itself.
 */
(function () {
  "use strict";

  var WEIGHT_TEXT = /^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/;
  var MAX_WEIGHT_CHARACTERS = 20;

  // ---- exact rationals: {n: BigInt, d: BigInt}, d > 0 -------------------------------------------

  function rational(text) {
    var s = String(text);
    var negative = s.charAt(0) === "-";
    if (negative) s = s.slice(1);
    var dot = s.indexOf(".");
    var whole = dot < 0 ? s : s.slice(0, dot);
    var fraction = dot < 0 ? "" : s.slice(dot + 1);
    var n = BigInt((whole || "0") + fraction);
    return { n: negative ? -n : n, d: 10n ** BigInt(fraction.length) };
  }

  function mul(a, b) { return { n: a.n * b.n, d: a.d * b.d }; }

  function div(a, b) {
    var n = a.n * b.d, d = a.d * b.n;
    return d < 0n ? { n: -n, d: -d } : { n: n, d: d };
  }

  function cmp(a, b) {
    var left = a.n * b.d, right = b.n * a.d;
    return left < right ? -1 : left > right ? 1 : 0;
  }

  function floorDiv(n, d) {  // floor(n / d) for d > 0; BigInt division truncates toward zero
    var q = n / d;
    return (n % d !== 0n && n < 0n) ? q - 1n : q;
  }

  function roundHalfUp(x, step) {  // floor(x / step + 1/2) * step
    var q = div(x, step);
    return mul({ n: floorDiv(2n * q.n + q.d, 2n * q.d), d: 1n }, step);
  }

  function roundDown(x, step) {  // floor(x / step) * step
    var q = div(x, step);
    return mul({ n: floorDiv(q.n, q.d), d: 1n }, step);
  }

  function roundUp(x, step) {  // ceil(x / step) * step
    var q = div(x, step);
    return mul({ n: -floorDiv(-q.n, q.d), d: 1n }, step);
  }

  function gcd(a, b) {
    if (a < 0n) a = -a;
    while (b) { var t = a % b; a = b; b = t; }
    return a;
  }

  // A terminating rational as a plain decimal: no trailing zeros, no exponent, no grouping.
  function decimalText(x) {
    var g = gcd(x.n, x.d) || 1n;
    var n = x.n / g, d = x.d / g;
    var twos = 0, fives = 0, rest = d;
    while (rest % 2n === 0n) { rest /= 2n; twos++; }
    while (rest % 5n === 0n) { rest /= 5n; fives++; }
    if (rest !== 1n) throw new Error("not a terminating decimal: " + n + "/" + d);
    var digits = Math.max(twos, fives);
    var scaled = n * (10n ** BigInt(digits) / d);
    if (scaled === 0n) return "0";
    var negative = scaled < 0n;
    var text = (negative ? -scaled : scaled).toString();
    if (digits > 0) {
      text = text.padStart(digits + 1, "0");
      text = text.slice(0, text.length - digits) + "." + text.slice(text.length - digits);
      text = text.replace(/0+$/, "").replace(/\.$/, "");
    }
    return (negative ? "-" : "") + text;
  }

  // ---- evaluate_spec ------------------------------------------------------------------------------

  function refused(message) { return { error: message }; }

  // The weight in kg rounded half up to 0.1 kg, or {error} exactly as dosing.parse_weight words it.
  // `limits`: the spec's "weight" block (step, lb_in_kg, max_kg), written once in dosing.py.
  function parseWeight(weight, unit, limits) {
    if (unit !== "kg" && unit !== "lb") return refused('weight unit "' + unit + '" is not kg or lb');
    var text = typeof weight === "string" ? weight.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "") : String(weight);
    if (text.length > MAX_WEIGHT_CHARACTERS) {
      return refused("weight has more than " + MAX_WEIGHT_CHARACTERS + " characters: type it in kg or lb, e.g. 70.3");
    }
    if (!WEIGHT_TEXT.test(text)) {
      return refused('weight "' + text + '" is not a number: use digits and a decimal point, e.g. 70.3');
    }
    var value = rational(text.charAt(text.length - 1) === "." ? text.slice(0, -1) : text);
    if (unit === "lb") value = mul(value, rational(limits.lb_in_kg));
    var kg = roundHalfUp(value, rational(limits.step));
    if (kg.n <= 0n) return refused("weight must be more than 0 kg");
    var shown = decimalText(kg);
    if (cmp(kg, rational(limits.max_kg)) > 0) {
      var typed = unit === "lb" ? " (" + text + " lb)" : "";
      return refused("weight " + shown + " kg" + typed + " is more than " + limits.max_kg +
                     " kg; check the weight and its unit");
    }
    return { kg: kg, text: shown };
  }

  function amount(value, unit) { return { value: decimalText(value), unit: unit }; }

  function applyCap(exact, cap) { return cap !== null && cmp(exact, cap) > 0 ? cap : exact; }

  function rounded(base, cap, step) {  // half up; down instead when half up would pass the cap
    var value = roundHalfUp(base, step);
    return cap !== null && cmp(value, cap) > 0 ? roundDown(base, step) : value;
  }

  // dosing._weight_based: the amount, whether it was capped and the range ends rounded inward, or {error}
  // where the rounding step leaves no dose (§3.2).
  function weightBased(spec, kg, weightText) {
    var cap = spec.cap !== undefined ? rational(spec.cap) : null;
    var step = rational(spec.step);
    var tooCoarse = "; the step is too coarse for this regimen";
    var exact = mul(kg, rational(spec.per_kg));
    var isCapped = cap !== null && cmp(exact, cap) > 0;
    var base = isCapped ? cap : exact;
    var value = rounded(base, cap, step), ends = null;
    if (spec.range) {
      var low = applyCap(mul(kg, rational(spec.range.min)), cap);
      var high = applyCap(mul(kg, rational(spec.range.max)), cap);
      ends = [roundUp(low, step), roundDown(high, step)];
      if (cmp(ends[0], ends[1]) > 0) {
        return refused("no dose for " + weightText + " kg: no multiple of the rounding step of " + spec.step + " " +
                       spec.unit + " lies in the range " + decimalText(low) + " to " + decimalText(high) + " " +
                       spec.unit + tooCoarse);
      }
      if (cmp(value, ends[0]) < 0) value = ends[0];
      if (cmp(value, ends[1]) > 0) value = ends[1];
    }
    if (value.n === 0n) {
      return refused("no dose for " + weightText + " kg: " + decimalText(base) + " " + spec.unit + " rounds to 0 " +
                     spec.unit + " at the rounding step of " + spec.step + " " + spec.unit + tooCoarse);
    }
    return { value: value, capped: isCapped, ends: ends };
  }

  function computeDose(spec, weight, unit) {
    var weighed = parseWeight(weight, unit === undefined ? "kg" : unit, spec.weight);
    if (weighed.error !== undefined) return weighed;
    var kg = weighed.kg;
    var result = { protocol: spec.protocol, version: spec.version, regimen: spec.regimen, weight_kg: weighed.text };
    var value, isCapped = false, ends = null;
    if (spec.kind === "fixed") {
      value = rational(spec.fixed);
      if (spec.range) ends = [rational(spec.range.min), rational(spec.range.max)];
    } else {
      var dose = weightBased(spec, kg, weighed.text);
      if (dose.error !== undefined) return dose;
      value = dose.value;
      isCapped = dose.capped;
      ends = dose.ends;
    }
    result[spec.amount_key] = amount(value, spec.unit);
    result.capped = isCapped;
    if (ends !== null) result.range = { min: amount(ends[0], spec.unit), max: amount(ends[1], spec.unit) };
    (spec.derived || []).forEach(function (figure) {
      var exact = div(mul(value, rational(figure.multiply)), rational(figure.divide));
      result[figure.key] = amount(roundHalfUp(exact, rational(figure.step)), figure.unit);
    });
    var warnings = [];
    var table = spec.table;
    if (table && (cmp(kg, rational(table.from)) < 0 || cmp(kg, rational(table.to)) > 0)) {
      warnings.push("weight " + result.weight_kg + " kg is outside the dose table (" + table.from + " to " +
                    table.to + " kg); check the dose");
    }
    result.warnings = warnings;
    return result;
  }

  var api = { computeDose: computeDose, formatGrouped: formatGrouped };

  // "3000" -> "3,000" as quantity.format_number(group=True) shows it (dose-panel.js words the result).
  function formatGrouped(text) {
    var negative = text.charAt(0) === "-";
    var body = negative ? text.slice(1) : text;
    var dot = body.indexOf(".");
    var whole = dot < 0 ? body : body.slice(0, dot);
    var grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (negative ? "-" : "") + grouped + (dot < 0 ? "" : body.slice(dot));
  }

  if (typeof module !== "undefined" && module.exports) module.exports = api;
  if (typeof window !== "undefined") window.ProtocolsDosecalc = api;  // for dose-panel.js
})();
