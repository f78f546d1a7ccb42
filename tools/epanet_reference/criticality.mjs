// Pipe criticality with EPANET 2.2 itself (epanet-js): for each pipe, closed from the start (initial
// status), a full extended-period run under pressure-driven analysis; the demand deficit (EN_DEMANDDEFICIT)
// of every junction times the step that follows is summed.
//   node criticality.mjs NET.inp PMIN PREQ [PEXP] > NET.criticality.csv   (pressures in the file's units)
// Output: pipe,unmet (file flow units x seconds), in EPANET's link order, then the baseline as "-".
import { readFileSync } from "node:fs";
import { Workspace } from "epanet-js/slim";
import { Project, NodeProperty, LinkProperty, LinkType, NodeType, CountType, InitHydOption, DemandModel } from "epanet-js";

const [input, pmin, preq, pexp = "0.5"] = process.argv.slice(2);
if (!input || pmin === undefined || preq === undefined) {
  console.error("usage: node criticality.mjs NET.inp PMIN PREQ [PEXP]");
  process.exit(2);
}
const engine = "v2.2";
const { EpanetEngine } = await import(`epanet-js/engines/${engine}`);
const wasmBinary = readFileSync(new URL("EpanetEngine.wasm", import.meta.resolve(`epanet-js/engines/${engine}`)));
const ws = new Workspace();
await ws.loadModuleVersion(() => EpanetEngine({ wasmBinary }));
ws.writeFile("net.inp", readFileSync(input, "utf8"));
const model = new Project(ws);
model.open("net.inp", "report.rpt", "out.bin");
model.setDemandModel(DemandModel.PDA, Number(pmin), Number(preq), Number(pexp));
const nodes = model.getCount(CountType.NodeCount);
const links = model.getCount(CountType.LinkCount);

function unmet() {
  model.openH();
  model.initH(InitHydOption.NoSave);
  let total = 0, tstep = 0;
  do {
    model.runH();
    let deficit = 0;
    for (let i = 1; i <= nodes; ++i)
      if (model.getNodeType(i) === NodeType.Junction) deficit += model.getNodeValue(i, NodeProperty.DemandDeficit);
    tstep = model.nextH();
    total += deficit * tstep;
  } while (tstep > 0);
  model.closeH();
  return total;
}

const lines = ["pipe,unmet_flow_s"];
for (let k = 1; k <= links; ++k) {
  const type = model.getLinkType(k);
  if (type !== LinkType.Pipe && type !== LinkType.CVPipe) continue;
  const status = model.getLinkValue(k, LinkProperty.InitStatus);
  model.setLinkValue(k, LinkProperty.InitStatus, 0);
  lines.push(`${model.getLinkId(k)},${Number(unmet().toPrecision(10))}`);
  model.setLinkValue(k, LinkProperty.InitStatus, status);
}
lines.push(`-,${Number(unmet().toPrecision(10))}`);
process.stdout.write(lines.join("\n") + "\n");
