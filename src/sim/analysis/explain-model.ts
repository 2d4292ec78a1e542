import { flowSteps } from '../model/flow-steps.ts';
import type { ModelSpec } from '../model/spec.ts';
import { distributionMoments } from './moments.ts';
import { departureScv, kingmanWait, mmcWait } from './queueing.ts';

/** A resource as the queueing formulas see it. */
export interface ExplainedResource {
  name: string;
  /** Units at the start (`currentCap`) and at most (`maxCap`). */
  capacity: number;
  maxCapacity: number;
  /** Offered arrivals per time unit: every flow step that takes it (Jackson: the sum of the flows' rates). */
  arrivalRate: number;
  /** Mean and squared coefficient of variation of the service, mixed over the steps that take it. */
  serviceMean: number;
  serviceScv: number;
  /** Squared coefficient of variation of the gaps between arrivals (Whitt's linking equation past a first step). */
  arrivalScv: number;
  /** ρ = λ·E[S]/c; ≥ 1 is UNSTABLE: the queue grows without bound. */
  utilization: number;
  stable: boolean;
  /** Mean wait in queue as M/M/c (Erlang C) and as G/G/c (Kingman, Allen–Cunneen); Infinity when unstable. */
  waitErlangC: number;
  waitKingman: number;
  /** Mean queue length by Little's law from the Kingman wait. */
  queueLength: number;
  /** Entities served per time unit: the offered rate, or c/E[S] when that is less. */
  throughput: number;
  /** The fewest units for ρ < 1, and for ρ ≤ 0.85. */
  unitsForStable: number;
  unitsFor85: number;
  /** The tasks (service names) of the steps that take it. */
  tasks: string[];
  /** ρ and the Kingman wait for each number of units from 1 to `maxCapacity` (at most 50). */
  byUnits: { units: number; utilization: number; waitKingman: number }[];
}

/** One step of a flow. */
export interface ExplainedStep {
  task: string;
  resource: string | null;
  serviceMean: number;
  /** Mean wait in the resource's queue (Kingman), 0 for a step without a resource. */
  wait: number;
  /** Entities through this step per time unit (Jackson: the flow's rate, cut by any saturated resource so far). */
  throughput: number;
}

/** A flow: its arrivals and steps. */
export interface ExplainedFlow {
  name: string;
  arrival: string;
  arrivalRate: number;
  arrivalScv: number;
  /** Entities completing the flow per time unit. */
  throughput: number;
  steps: ExplainedStep[];
}

/** What `explainModel` works out without simulating. */
export interface Explanation {
  simId: string;
  flows: ExplainedFlow[];
  resources: ExplainedResource[];
  /** The resource with the highest utilisation, or null without resources. */
  bottleneck: string | null;
  /** Sizing advice, one line each. */
  hints: string[];
  /** Where the formulas do not hold. */
  notes: string[];
}

interface Load {
  rate: number;
  work: number; // Σ λ·E[S]
  second: number; // Σ λ·E[S²]
  scvRate: number; // Σ λ·ca²
  tasks: string[];
}

/**
 * Analyses a validated model with queueing formulas instead of simulating it: each resource's offered load and
 * utilisation (Jackson: flows add their rates at every resource they visit), the mean wait in its queue by
 * Erlang C (M/M/c) and by Kingman's G/G/c approximation (Allen–Cunneen, arrival variability carried from step to
 * step by Whitt's linking equation), throughput per flow, the bottleneck, sizing hints, and UNSTABLE where ρ ≥ 1.
 *
 * @example
 * const e = explainModel(await loadModel('examples/models/line-a.yaml'));
 * e.resources[0].utilization; // 1: two arrivals a second, 2 s of service, 4 units
 */
export function explainModel(spec: ModelSpec<number>): Explanation {
  const notes: string[] = [];
  const loads = new Map<string, Load>();
  const load = (r: string) => {
    let l = loads.get(r);
    if (l === undefined) loads.set(r, (l = { rate: 0, work: 0, second: 0, scvRate: 0, tasks: [] }));
    return l;
  };
  for (const r of Object.keys(spec.resources ?? {})) load(r);
  const clipped = new Set<string>();
  const moments = (kind: 'arrival' | 'service', name: string) => {
    const c = spec[kind][name]!;
    if (c.min !== undefined || c.max !== undefined) clipped.add(`${kind}.${name}`);
    return distributionMoments(c);
  };
  // Offered loads first: utilisations decide how variability passes from one step to the next.
  for (const f of spec.flows) {
    const rate = 1 / moments('arrival', f.arrival).mean;
    for (const s of flowSteps(spec, f)) {
      if (s.resource === undefined) continue;
      const m = moments('service', s.service);
      const l = load(s.resource);
      l.rate += rate;
      l.work += rate * m.mean;
      l.second += rate * (m.variance + m.mean * m.mean);
      if (!l.tasks.includes(s.service)) l.tasks.push(s.service);
    }
  }
  const capacityOf = (r: string) => spec.resources?.[r]?.currentCap ?? 0;
  const rhoOf = (r: string) => {
    const l = loads.get(r)!;
    const c = capacityOf(r);
    return l.rate === 0 ? 0 : c > 0 ? l.work / c : Number.POSITIVE_INFINITY;
  };
  const stepScv: number[][] = [];
  for (const f of spec.flows) {
    const a = moments('arrival', f.arrival);
    let ca2 = a.scv;
    const rate = 1 / a.mean;
    const scvs: number[] = [];
    for (const s of flowSteps(spec, f)) {
      scvs.push(ca2);
      if (s.resource === undefined) continue;
      loads.get(s.resource)!.scvRate += rate * ca2;
      ca2 = departureScv(
        rhoOf(s.resource),
        Math.max(1, capacityOf(s.resource)),
        ca2,
        moments('service', s.service).scv,
      );
    }
    stepScv.push(scvs);
  }

  const resources: ExplainedResource[] = [];
  for (const [name, l] of loads) {
    const c = capacityOf(name);
    const mean = l.rate > 0 ? l.work / l.rate : 0;
    const variance = l.rate > 0 ? l.second / l.rate - mean * mean : 0;
    const rho = rhoOf(name);
    const ca2 = l.rate > 0 ? l.scvRate / l.rate : 1;
    const cs2 = mean > 0 ? Math.max(0, variance) / (mean * mean) : 0;
    const stable = rho < 1;
    const mu = mean > 0 ? 1 / mean : Number.POSITIVE_INFINITY;
    const wErlang = l.rate === 0 ? 0 : stable ? mmcWait(l.rate, mu, c) : Number.POSITIVE_INFINITY;
    const wKingman = l.rate === 0 ? 0 : stable ? kingmanWait(l.rate, mu, c, ca2, cs2) : Number.POSITIVE_INFINITY;
    const offered = l.work; // Erlangs: λ·E[S]
    resources.push({
      name,
      capacity: c,
      maxCapacity: spec.resources?.[name]?.maxCap ?? c,
      arrivalRate: l.rate,
      serviceMean: mean,
      serviceScv: cs2,
      arrivalScv: ca2,
      utilization: rho,
      stable,
      waitErlangC: wErlang,
      waitKingman: wKingman,
      queueLength: l.rate * wKingman,
      throughput: stable ? l.rate : c * mu,
      unitsForStable: Math.floor(offered) + 1,
      unitsFor85: Math.max(1, Math.ceil(offered / 0.85 - 1e-9)),
      tasks: l.tasks,
      byUnits: Array.from({ length: Math.min(50, Math.floor(spec.resources?.[name]?.maxCap ?? c)) }, (_, i) => {
        const units = i + 1;
        const rho = offered / units;
        const w = l.rate === 0 ? 0 : rho < 1 ? kingmanWait(l.rate, mu, units, ca2, cs2) : Number.POSITIVE_INFINITY;
        return { units, utilization: rho, waitKingman: w };
      }),
    });
  }
  const byName = new Map(resources.map((r) => [r.name, r]));

  const flows: ExplainedFlow[] = spec.flows.map((f, i) => {
    const a = moments('arrival', f.arrival);
    const rate = 1 / a.mean;
    let through = rate;
    const steps = flowSteps(spec, f).map((s, j): ExplainedStep => {
      const r = s.resource === undefined ? undefined : byName.get(s.resource)!;
      if (r !== undefined && r.utilization > 1) through = Math.min(through, rate / r.utilization);
      const m = moments('service', s.service);
      let wait = 0;
      if (r !== undefined && r.arrivalRate > 0) {
        // This step's own arrival variability, at the resource's load.
        const mu = 1 / r.serviceMean;
        wait = r.stable ? kingmanWait(r.arrivalRate, mu, r.capacity, stepScv[i]![j]!, r.serviceScv) : Infinity;
      }
      return { task: s.service, resource: s.resource ?? null, serviceMean: m.mean, wait, throughput: through };
    });
    return { name: f.name, arrival: f.arrival, arrivalRate: rate, arrivalScv: a.scv, throughput: through, steps };
  });

  let bottleneck: ExplainedResource | null = null;
  for (const r of resources) if (bottleneck === null || r.utilization > bottleneck.utilization) bottleneck = r;
  const hints = resources.flatMap((r) => sizingHints(r));
  if (clipped.size > 0) {
    notes.push(
      `min/max clipping is ignored by the formulas (${[...clipped].join(', ')}): moments of the unclipped family`,
    );
  }
  if (Object.keys(spec.containers ?? {}).length + Object.keys(spec.stores ?? {}).length > 0) {
    notes.push('waits for container levels and store space are not in the formulas');
  }
  if ((spec.schedule ?? []).length > 0) notes.push('the formulas use the parameters at time 0, before the schedule');
  return { simId: spec.simId, flows, resources, bottleneck: bottleneck?.name ?? null, hints, notes };
}

function sizingHints(r: ExplainedResource): string[] {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const rhoAt = (c: number) => (r.arrivalRate * r.serviceMean) / c;
  const out: string[] = [];
  // The arrival rate at which the current units reach 85 %: how much demand the resource can take.
  const at85 = r.capacity > 0 && r.serviceMean > 0 ? (0.85 * r.capacity) / r.serviceMean : 0;
  const beyond = (c: number) => (c > r.maxCapacity ? ` (more than its maxCap ${r.maxCapacity})` : '');
  if (!r.stable) {
    out.push(
      `${r.name} is UNSTABLE (ρ = ${pct(r.utilization)}): it needs at least ${r.unitsForStable} units to keep up${beyond(r.unitsForStable)}, ${r.unitsFor85} for ρ ≤ 85% (ρ = ${pct(rhoAt(r.unitsFor85))})${beyond(r.unitsFor85)}`,
    );
  } else if (r.utilization > 0.85) {
    out.push(
      `${r.name} runs at ρ = ${pct(r.utilization)}: waits grow steeply past 85%; ${r.unitsFor85} units give ρ = ${pct(rhoAt(r.unitsFor85))}${beyond(r.unitsFor85)}`,
    );
  } else if (r.capacity > 1 && r.arrivalRate > 0 && rhoAt(r.capacity - 1) <= 0.5) {
    out.push(
      `${r.name} is lightly used (ρ = ${pct(r.utilization)}): ${r.capacity - 1} units would give ρ = ${pct(rhoAt(r.capacity - 1))}`,
    );
  }
  if (r.arrivalRate > 0 && at85 > 0 && r.utilization > 0.85) {
    out.push(
      `${r.name} with ${r.capacity} units reaches ρ = 85% at ${Number(at85.toPrecision(4))} arrivals per time unit (now ${Number(r.arrivalRate.toPrecision(4))})`,
    );
  }
  return out;
}
