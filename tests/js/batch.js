// Runs many computeDose calls in one Node process for tests/render/test_dose_calculator_node.py.
// Usage: node batch.js BATCH.json  where BATCH.json is
//   {"specs": [spec, ...], "cases": [{"spec": index, "weight": w, "unit": "kg"|"lb" (optional)}, ...]}
// Prints one JSON.stringify(result) line per case, in order; a thrown exception prints {"exception": message}.
"use strict";
const fs = require("fs");
const path = require("path");
const { computeDose } = require(path.join(__dirname, "..", "..", "site_templates", "assets", "dosecalc.js"));

const batch = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const lines = batch.cases.map((c) => {
  try {
    const result = "unit" in c ? computeDose(batch.specs[c.spec], c.weight, c.unit)
                               : computeDose(batch.specs[c.spec], c.weight);
    return JSON.stringify(result);
  } catch (error) {
    return JSON.stringify({ exception: String(error && error.message) });
  }
});
process.stdout.write(lines.join("\n") + "\n");
