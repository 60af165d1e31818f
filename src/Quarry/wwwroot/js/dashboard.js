// Operations dashboard: scrapes this server's /metrics every few seconds and draws rates, latencies and gauges as small SVG
// line charts. Latency quantiles come from histogram bucket deltas between two scrapes, as Prometheus' histogram_quantile does.
(() => {
  const PERIOD_MS = 2000;
  const POINTS = 90; // three minutes of history
  const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563", "#65a30d", "#ea580c"];
  const status = document.getElementById("dash-status");
  const series = {}; // chart id -> Map(series name -> array of values or null)
  let previous = null;

  // Prometheus text format: `name{label="value",...} number`, comments skipped.
  function parse(text) {
    const samples = [];
    for (const line of text.split("\n")) {
      if (!line || line[0] === "#") continue;
      const match = /^([a-zA-Z_:][\w:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
      if (!match) continue;
      const labels = {};
      const body = match[3] || "";
      const pair = /([\w]+)="((?:[^"\\]|\\.)*)"/g;
      let p;
      while ((p = pair.exec(body))) labels[p[1]] = p[2].replace(/\\"/g, '"').replace(/\\\\/g, "\\").replace(/\\n/g, "\n");
      samples.push({ name: match[1], labels, value: Number(match[4]) });
    }
    return samples;
  }

  function sumBy(samples, name, key) {
    const out = new Map();
    for (const s of samples) {
      if (s.name !== name) continue;
      const k = key(s.labels);
      if (k === null) continue;
      out.set(k, (out.get(k) || 0) + s.value);
    }
    return out;
  }

  function rates(now, before, name, key, dt) {
    const out = new Map();
    if (!before) return out;
    const was = sumBy(before, name, key);
    for (const [k, v] of sumBy(now, name, key)) out.set(k, Math.max(0, v - (was.get(k) || 0)) / dt);
    return out;
  }

  // Per key: cumulative bucket counts by upper bound, then the q-quantile of the requests between two scrapes.
  function quantiles(now, before, key, qs) {
    const buckets = s => {
      const out = new Map();
      for (const x of s) {
        if (x.name !== "http_server_request_duration_seconds_bucket") continue;
        const k = key(x.labels);
        if (k === null) continue;
        const le = x.labels.le === "+Inf" ? Infinity : Number(x.labels.le);
        const m = out.get(k) || new Map();
        m.set(le, (m.get(le) || 0) + x.value);
        out.set(k, m);
      }
      return out;
    };
    const out = new Map();
    if (!before) return out;
    const was = buckets(before);
    for (const [k, m] of buckets(now)) {
      const old = was.get(k) || new Map();
      const bounds = [...m.keys()].sort((a, b) => a - b);
      const counts = bounds.map(b => Math.max(0, m.get(b) - (old.get(b) || 0)));
      const total = counts[counts.length - 1];
      if (!total) continue;
      for (const q of qs) {
        const rank = q * total;
        let i = counts.findIndex(c => c >= rank);
        const upper = bounds[i] === Infinity ? bounds[i - 1] : bounds[i];
        const lower = i === 0 ? 0 : bounds[i - 1];
        const below = i === 0 ? 0 : counts[i - 1];
        const inBucket = counts[i] - below;
        const value = bounds[i] === Infinity || inBucket === 0 ? upper : lower + (upper - lower) * (rank - below) / inBucket;
        out.set(`${k} p${Math.round(q * 100)}`, value * 1000);
      }
    }
    return out;
  }

  function push(chart, values) {
    const all = series[chart] || (series[chart] = new Map());
    for (const name of values.keys()) if (!all.has(name)) all.set(name, []);
    for (const [name, points] of all) {
      points.push(values.has(name) ? values.get(name) : null);
      if (points.length > POINTS) points.shift();
    }
    draw(chart);
  }

  function format(v) {
    if (v === 0) return "0";
    if (Math.abs(v) >= 100) return v.toFixed(0);
    if (Math.abs(v) >= 1) return v.toFixed(1);
    return v.toPrecision(2);
  }

  function draw(chart) {
    const box = document.getElementById(chart);
    const all = [...(series[chart] || new Map())].filter(([, p]) => p.some(v => v !== null));
    if (all.length === 0) {
      box.innerHTML = '<div class="empty">No data yet.</div>';
      return;
    }
    const W = 400, H = 140, L = 42, B = 14;
    const max = Math.max(...all.flatMap(([, p]) => p.filter(v => v !== null))) || 1;
    const x = i => L + (W - L) * i / (POINTS - 1);
    const y = v => (H - B) - (H - B - 6) * v / max;
    const unit = box.dataset.unit || "";
    let svg = `<svg viewBox="0 0 ${W} ${H}" preserveAspectRatio="none" role="img" aria-label="${box.parentElement.querySelector("figcaption").textContent}">`;
    for (const f of [0, 0.5, 1]) {
      svg += `<line x1="${L}" x2="${W}" y1="${y(max * f)}" y2="${y(max * f)}"/><text x="0" y="${y(max * f) + 3}">${format(max * f)}${unit}</text>`;
    }
    all.forEach(([name, points], n) => {
      const offset = POINTS - points.length;
      let run = [];
      const flush = () => {
        if (run.length) svg += `<polyline data-series="${name}" stroke="${COLORS[n % COLORS.length]}" points="${run.join(" ")}"/>`;
        run = [];
      };
      points.forEach((v, i) => (v === null ? flush() : run.push(`${x(i + offset).toFixed(1)},${y(v).toFixed(1)}`)));
      flush();
    });
    svg += "</svg>";
    const legend = all.map(([name, points], n) => {
      const last = [...points].reverse().find(v => v !== null);
      return `<span><i style="background:${COLORS[n % COLORS.length]}"></i>${escape(name)} ${format(last)}${unit}</span>`;
    }).join("");
    box.innerHTML = svg + `<div class="legend">${legend}</div>`;
  }

  function escape(text) {
    const d = document.createElement("div");
    d.textContent = text;
    return d.innerHTML;
  }

  function route(l) {
    return l.http_route ? `${l.http_request_method} ${l.http_route}` : null;
  }

  function tables(samples) {
    const rows = new Map();
    for (const s of samples) {
      if (s.name === "quarry_model_published_seconds") rows.set(s.labels.model, { ...(rows.get(s.labels.model) || {}), version: s.labels.version, published: s.value });
      if (s.name === "quarry_model_age_seconds") rows.set(s.labels.model, { ...(rows.get(s.labels.model) || {}), age: s.value });
      if (s.name === "quarry_model_swaps_total") rows.set(s.labels.model, { ...(rows.get(s.labels.model) || {}), swaps: s.value });
    }
    const body = document.querySelector("#models tbody");
    const models = [...rows].filter(([, r]) => r.version).sort(([a], [b]) => a.localeCompare(b));
    body.innerHTML = models.length === 0 ? '<tr><td colspan="5" class="muted">No model loaded yet.</td></tr>' : models.map(([model, r]) =>
      `<tr><td>${escape(model)}</td><td>${escape(r.version)}</td><td>${new Date(r.published * 1000).toISOString().replace("T", " ").slice(0, 19)}</td>` +
      `<td>${age(r.age)}</td><td>${r.swaps ?? ""}</td></tr>`).join("");
  }

  function age(seconds) {
    if (seconds === undefined) return "";
    if (seconds < 120) return `${Math.round(seconds)} s`;
    if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
    if (seconds < 172800) return `${Math.round(seconds / 3600)} h`;
    return `${Math.round(seconds / 86400)} d`;
  }

  async function runs() {
    const body = document.querySelector("#runs tbody");
    try {
      const response = await fetch("/api/vision/jobs?limit=10");
      if (!response.ok) throw new Error(response.statusText);
      const jobs = (await response.json()).jobs;
      body.innerHTML = jobs.length === 0 ? '<tr><td colspan="6" class="muted">No training run yet (start one on the Classification page).</td></tr>' :
        jobs.map(j => `<tr><td>${escape(j.name)}</td><td>${escape(j.tier)}</td><td>${escape(j.dataset)}</td><td class="status ${escape(j.status)}">${escape(j.status)}</td>` +
          `<td>${j.accuracy == null ? "" : (j.accuracy * 100).toFixed(1) + " %"}</td><td>${escape(j.createdAt.replace("T", " ").slice(0, 19))}</td></tr>`).join("");
    } catch (e) {
      body.innerHTML = '<tr><td colspan="6" class="muted">Training runs are not served here.</td></tr>';
    }
  }

  async function tick() {
    let samples;
    try {
      const response = await fetch("/metrics");
      if (response.status === 404) {
        status.textContent = "Metrics are switched off on this server (Quarry__Telemetry__Metrics=false).";
        return;
      }
      samples = parse(await response.text());
    } catch (e) {
      status.textContent = "Server unreachable; retrying.";
      return;
    }
    const now = { at: performance.now(), samples };
    const before = previous && previous.samples;
    const dt = previous ? (now.at - previous.at) / 1000 : 1;
    // The exporter caches a scrape briefly: an unchanged answer would read as a gap, so wait for the next.
    if (!previous || dt >= 0.5) {
      push("chart-rps", rates(samples, before, "http_server_request_duration_seconds_count", route, dt));
      push("chart-latency", quantiles(samples, before, route, [0.5, 0.99]));
      const jobs = new Map();
      for (const kind of ["submitted", "completed", "failed"]) {
        for (const [k, v] of rates(samples, before, `quarry_jobs_${kind}_total`, () => kind, dt)) jobs.set(k, v);
      }
      push("chart-jobs", jobs);
      // Finished states only ever grow; the queue is what waits and what runs (and failures, worth seeing).
      push("chart-queue", sumBy(samples, "quarry_jobs_queue_depth", l => (l.state === "complete" || l.state === "cancelled" ? null : l.state)));
      push("chart-workers", sumBy(samples, "quarry_jobs_workers", () => "workers"));
      push("chart-recs", rates(samples, before, "quarry_recommendations_duration_seconds_count", l => `${l.service} ${l.source}`, dt));
      tables(samples);
      previous = now;
      status.textContent = `Updated ${new Date().toLocaleTimeString()} from /metrics, every ${PERIOD_MS / 1000} s.`;
    }
  }

  tick();
  runs();
  setInterval(tick, PERIOD_MS);
  setInterval(runs, 5 * PERIOD_MS);
})();
