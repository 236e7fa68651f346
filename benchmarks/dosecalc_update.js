// Times the work of one calculator input update in Node: computeDose and the figures' text, for
// weights typed one character at a time. Usage: node dosecalc_update.js SPECS.json [UPDATES]
// Prints {"updates": N, "mean_us": ..., "p50_us": ..., "p99_us": ..., "max_us": ...}.
"use strict";
const fs = require("fs");
const path = require("path");
const calc = require(path.join(__dirname, "..", "site_templates", "assets", "dosecalc.js"));

const specs = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const updates = Number(process.argv[3] || 20000);
const typed = [];
for (const weight of ["70.3", "45", "120", "81.25", "199", "3.5", "abc", "500.05"]) {
  for (let end = 1; end <= weight.length; end++) typed.push(weight.slice(0, end));
}

function update(index) {
  const spec = specs[index % specs.length];
  const unit = index % 5 === 0 ? "lb" : "kg";
  const result = calc.computeDose(spec, typed[index % typed.length], unit);
  if (result.error !== undefined) return 0;
  // The text the dose panel (dose-panel.js) shows: the amount, the range ends and each derived figure.
  const figures = [result[spec.amount_key], ...(result.range ? [result.range.min, result.range.max] : []),
                   ...(spec.derived || []).map((figure) => result[figure.key])];
  return figures.map((figure) => calc.formatGrouped(figure.value) + " " + figure.unit).length;
}

for (let i = 0; i < 2000; i++) update(i);  // warm-up: let the JIT settle
const times = new Float64Array(updates);
let sink = 0;
for (let i = 0; i < updates; i++) {
  const start = process.hrtime.bigint();
  sink += update(i);
  times[i] = Number(process.hrtime.bigint() - start) / 1000;
}
const sorted = Array.from(times).sort((a, b) => a - b);
const mean = sorted.reduce((a, b) => a + b, 0) / updates;
const at = (q) => sorted[Math.min(updates - 1, Math.floor(q * updates))];
process.stdout.write(JSON.stringify({ updates, mean_us: mean, p50_us: at(0.5), p99_us: at(0.99),
                                      max_us: sorted[updates - 1], lines: sink }) + "\n");
