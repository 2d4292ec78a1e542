// The dashboard page: plots fed by binary columnar frames over a WebSocket, the pipeline graph with its metrics,
// and sliders for live parameters. Plain script, no build step: served as it is by the package.

(() => {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  const state = { frames: 0, points: 3600, series: [], plots: [], controls: new Map(), metrics: null, last: null };
  window.twinstreamDashboard = state;
  const $ = (id) => document.getElementById(id);
  const status = (text) => {
    $('status').textContent = text;
  };

  function makePlot(name, index) {
    const box = document.createElement('div');
    box.className = 'plot';
    box.dataset.series = name;
    const h = document.createElement('h3');
    const title = document.createElement('span');
    title.textContent = name;
    const last = document.createElement('span');
    last.className = 'last';
    last.textContent = '–';
    h.append(title, last);
    box.append(h);
    $('plots').append(box);
    const opts = {
      width: Math.max(300, box.clientWidth - 12),
      height: 180,
      legend: { show: false },
      scales: { x: { time: true } },
      series: [
        {},
        { label: name, stroke: ['#1f6fb2', '#c0392b', '#27ae60', '#8e44ad', '#d35400'][index % 5], width: 1.5 },
      ],
    };
    const times = [];
    const values = [];
    const plot = new uPlot(opts, [times, values], box);
    return { name, box, last, plot, times, values, dirty: false, count: 0 };
  }

  function makeControl(c) {
    const row = document.createElement('div');
    row.className = 'control';
    const label = document.createElement('label');
    label.textContent = c.label ?? c.path;
    const input = document.createElement('input');
    Object.assign(input, { type: 'range', min: c.min, max: c.max, step: c.step });
    input.dataset.path = c.path;
    label.htmlFor = input.id = `control-${state.controls.size}`;
    const out = document.createElement('output');
    const error = document.createElement('div');
    error.className = 'error';
    input.addEventListener('input', () => {
      out.textContent = input.value;
    });
    input.addEventListener('change', () => setParameter(c.path, Number(input.value), error));
    row.append(label, input, out, error);
    $('controls').append(row);
    state.controls.set(c.path, { input, out, error, applied: null });
  }

  async function setParameter(path, value, error) {
    error.textContent = '';
    const headers = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch('api/parameters', { method: 'POST', headers, body: JSON.stringify({ path, value }) });
    const text = await res.text();
    if (!res.ok) {
      error.textContent = res.headers.get('content-type')?.startsWith('application/json')
        ? JSON.parse(text).error
        : text;
      return;
    }
    state.controls.get(path).applied = JSON.parse(text).value;
  }

  // u32 type (1) | u32 count, then per series u32 index | u32 n | f64 times[n] | f64 values[n], little-endian.
  function onFrame(buffer) {
    const words = new DataView(buffer);
    if (buffer.byteLength < 8 || words.getUint32(0, true) !== 1) return;
    const count = words.getUint32(4, true);
    let offset = 8;
    for (let k = 0; k < count; k++) {
      const index = words.getUint32(offset, true);
      const n = words.getUint32(offset + 4, true);
      const t = new Float64Array(buffer, offset + 8, n);
      const v = new Float64Array(buffer, offset + 8 + 8 * n, n);
      offset += 8 + 16 * n;
      const p = state.plots[index];
      if (p === undefined) continue;
      for (let i = 0; i < n; i++) {
        p.times.push(t[i] / 1000);
        p.values.push(v[i]);
      }
      // Old points leave the page as they left the server's ring.
      const extra = p.times.length - state.points;
      if (extra > 0) {
        p.times.splice(0, extra);
        p.values.splice(0, extra);
      }
      p.count += n;
      p.dirty = true;
    }
    state.frames++;
  }

  function redraw() {
    for (const p of state.plots) {
      if (!p.dirty) continue;
      p.dirty = false;
      p.plot.setData([p.times, p.values]);
      const v = p.values[p.values.length - 1];
      p.last.textContent = Number.isInteger(v) ? String(v) : v.toFixed(3);
    }
    requestAnimationFrame(redraw);
  }

  function onState(msg) {
    for (const [path, value] of Object.entries(msg.parameters ?? {})) {
      const c = state.controls.get(path);
      if (c === undefined || value === null) continue;
      c.out.textContent = String(value);
      if (document.activeElement !== c.input) c.input.value = String(value);
    }
    if (msg.metrics) drawGraph(msg.metrics);
    state.last = msg;
  }

  const fmtTime = (s) => (s === 0 ? '–' : s < 1e-3 ? `${(s * 1e6).toFixed(1)} µs` : `${(s * 1e3).toFixed(2)} ms`);
  const fmtRate = (r) => (r >= 1e4 ? `${(r / 1e3).toFixed(0)}k/s` : `${r.toFixed(r < 10 ? 1 : 0)}/s`);

  function drawGraph(snapshot) {
    const prev = state.metrics;
    state.metrics = snapshot;
    const nodes = snapshot.nodes.slice(0, 200);
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const depth = new Map();
    const depthOf = (n, seen = new Set()) => {
      if (depth.has(n.id)) return depth.get(n.id);
      if (seen.has(n.id)) return 0;
      seen.add(n.id);
      let d = 0;
      for (const m of nodes) if (m.downstreams.includes(n.id)) d = Math.max(d, depthOf(m, seen) + 1);
      depth.set(n.id, d);
      return d;
    };
    const rows = [];
    for (const n of nodes) (rows[depthOf(n)] ??= []).push(n);
    const W = 170;
    const H = 46;
    const pos = new Map();
    for (const [y, row] of rows.entries()) {
      for (const [x, n] of row.entries()) pos.set(n.id, { x: 10 + x * (W + 12), y: 10 + y * (H + 24) });
    }
    const width = Math.max(...rows.map((r) => r.length)) * (W + 12) + 10;
    const height = rows.length * (H + 24) + 10;
    const dt = prev ? (snapshot.at - prev.at) / 1000 : 0;
    const before = new Map((prev?.nodes ?? []).map((n) => [n.id, n]));
    const svg = $('graph-svg');
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    const parts = [
      '<title>the pipeline, with its throughput, latency, backlog, late and error counts per node</title>',
      '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0L10,5L0,10z" fill="#9ab"/></marker></defs>',
    ];
    const esc = (s) => String(s).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
    for (const n of nodes) {
      const a = pos.get(n.id);
      for (const d of n.downstreams) {
        const b = pos.get(d);
        if (b && byId.has(d)) parts.push(`<line x1="${a.x + W / 2}" y1="${a.y + H}" x2="${b.x + W / 2}" y2="${b.y}"/>`);
      }
    }
    for (const n of nodes) {
      const a = pos.get(n.id);
      const old = before.get(n.id);
      const flow = n.in > 0 || n.kind === 'sink' ? n.in : n.out;
      const oldFlow = old ? (n.in > 0 || n.kind === 'sink' ? old.in : old.out) : flow;
      const rate = dt > 0 ? (flow - oldFlow) / dt : 0;
      const figures = `${fmtRate(rate)} · ${fmtTime(n.processingSeconds)} · q ${n.queueDepth}`;
      const bad = n.errors > 0 || n.late > 0;
      parts.push(
        `<g data-node="${n.id}"><title>${esc(n.label)}: in ${n.in}, out ${n.out}, errors ${n.errors}, late ${n.late}</title>`,
        `<rect x="${a.x}" y="${a.y}" width="${W}" height="${H}" rx="5"/>`,
        `<text x="${a.x + 6}" y="${a.y + 14}">${esc(n.label.slice(0, 28))}</text>`,
        `<text class="figures" x="${a.x + 6}" y="${a.y + 28}">${esc(figures)}</text>`,
        `<text class="figures${bad ? ' bad' : ''}" x="${a.x + 6}" y="${a.y + 40}">late ${n.late} · errors ${n.errors}</text></g>`,
      );
    }
    svg.innerHTML = parts.join('');
  }

  function connect() {
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => status('live');
    ws.onclose = (e) => {
      status(`disconnected${e.reason ? `: ${e.reason}` : ''}; retrying…`);
      setTimeout(connect, 2000);
    };
    ws.onmessage = (e) => {
      if (typeof e.data !== 'string') return onFrame(e.data);
      const msg = JSON.parse(e.data);
      if (msg.type === 'hello' && state.plots.length > 0) {
        // Connected again: the server sends its whole ring anew.
        for (const p of state.plots) p.times.length = p.values.length = 0;
        for (const name of msg.series.slice(state.plots.length)) state.plots.push(makePlot(name, state.plots.length));
        state.series = msg.series;
      } else if (msg.type === 'hello') {
        document.title = $('title').textContent = msg.title;
        state.points = msg.points;
        state.series = msg.series;
        state.plots = msg.series.map(makePlot);
        for (const c of msg.controls) makeControl(c);
        if (msg.controls.length === 0) $('controls').hidden = true;
      } else if (msg.type === 'series') {
        // Series named by the data since the page loaded (one per sensor): a plot each, in the server's order.
        for (const name of msg.series.slice(state.plots.length)) state.plots.push(makePlot(name, state.plots.length));
        state.series = msg.series;
      } else if (msg.type === 'state') onState(msg);
    };
  }

  window.addEventListener('resize', () => {
    for (const p of state.plots) p.plot.setSize({ width: Math.max(300, p.box.clientWidth - 12), height: 180 });
  });
  connect();
  requestAnimationFrame(redraw);
})();
