// Regenerates an EPANET reference CSV with the npm package epanet-js (OWA-EPANET compiled to WebAssembly).
//   node make_reference.mjs NET.inp [ENGINE] > NET.reference.csv      ENGINE: v2.2 (default), v2.3.5, ...
// Calls only toolkit functions: open, openH, initH(0), then runH/nextH until the step is 0; at every time
// t >= REPORT START with (t - REPORT START) % REPORT STEP == 0 it prints each node's pressure and head and
// each link's flow, in the file's units, with 10 significant digits (time_s,kind,id,property,value).
// With --time it prints instead the median wall time of complete hydraulic runs (for tools/bench.d/water).
import { readFileSync } from "node:fs";
import { Workspace } from "epanet-js/slim";
import { Project, NodeProperty, LinkProperty, CountType, InitHydOption, TimeParameter } from "epanet-js";

const args = process.argv.slice(2);
const timing = args.includes("--time");
const positional = args.filter((a) => !a.startsWith("--"));
const [input, engine = "v2.2"] = positional;
if (!input) {
  console.error("usage: node make_reference.mjs NET.inp [ENGINE] [--time] [--runs N]");
  process.exit(2);
}
const runsArg = args.indexOf("--runs");
const runs = runsArg >= 0 ? Number(args[runsArg + 1]) : 11;

const { EpanetEngine } = await import(`epanet-js/engines/${engine}`);
// Node's fetch cannot read file:// URLs: hand the engine its WebAssembly binary directly.
const wasmUrl = new URL("EpanetEngine.wasm", import.meta.resolve(`epanet-js/engines/${engine}`));
const wasmBinary = readFileSync(wasmUrl);
const ws = new Workspace();
await ws.loadModuleVersion(() => EpanetEngine({ wasmBinary }));
ws.writeFile("net.inp", readFileSync(input, "utf8"));
const model = new Project(ws);
model.open("net.inp", "report.rpt", "out.bin");

if (timing) {
  // One complete extended-period hydraulic run per repetition, no result extraction.
  const times = [];
  let steps = 0;
  // Two uncounted warm-up runs (WebAssembly compilation tiers), then `runs` timed ones.
  for (let r = -2; r < runs; ++r) {
    const t0 = process.hrtime.bigint();
    model.openH();
    model.initH(InitHydOption.NoSave);
    let tstep = 0;
    steps = 0;
    do {
      model.runH();
      ++steps;
      tstep = model.nextH();
    } while (tstep > 0);
    model.closeH();
    if (r >= 0) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ engine, version: ws.version, runs, steps, median_ms: times[Math.floor(times.length / 2)], min_ms: times[0] }));
  process.exit(0);
}

const nodes = model.getCount(CountType.NodeCount);
const links = model.getCount(CountType.LinkCount);
const rstart = model.getTimeParameter(TimeParameter.ReportStart);
const rstep = model.getTimeParameter(TimeParameter.ReportStep);
const fmt = (v) => Number(v.toPrecision(10)).toString();
const lines = ["time_s,kind,id,property,value"];
model.openH();
model.initH(InitHydOption.NoSave);
let tstep = 0;
do {
  const t = model.runH();
  if (t >= rstart && (t - rstart) % rstep === 0) {
    for (let i = 1; i <= nodes; ++i) {
      const id = model.getNodeId(i);
      lines.push(`${t},node,${id},pressure,${fmt(model.getNodeValue(i, NodeProperty.Pressure))}`);
      lines.push(`${t},node,${id},head,${fmt(model.getNodeValue(i, NodeProperty.Head))}`);
    }
    for (let i = 1; i <= links; ++i) {
      lines.push(`${t},link,${model.getLinkId(i)},flow,${fmt(model.getLinkValue(i, LinkProperty.Flow))}`);
    }
  }
  tstep = model.nextH();
} while (tstep > 0);
model.closeH();
model.close();
process.stdout.write(lines.join("\n") + "\n");
