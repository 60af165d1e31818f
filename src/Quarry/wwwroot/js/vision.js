// Classification page: start training jobs, watch their progress and loss curves, list pods, draw a digit.
(() => {
  const $ = id => document.getElementById(id);
  const error = $("error");
  let chosen = null;
  let busy = false;

  async function problem(response) {
    try { return (await response.json()).detail || response.statusText; } catch { return response.statusText; }
  }

  function cell(content, className) {
    const td = document.createElement("td");
    if (content instanceof Node) td.append(content); else td.textContent = content ?? "";
    if (className) td.className = className;
    return td;
  }

  function bar(fraction) {
    const outer = document.createElement("span");
    outer.className = "progress";
    outer.setAttribute("role", "progressbar");
    outer.setAttribute("aria-valuenow", Math.round(fraction * 100));
    const inner = document.createElement("span");
    inner.style.width = `${Math.round(fraction * 100)}%`;
    outer.append(inner);
    return outer;
  }

  $("submit").addEventListener("submit", async e => {
    e.preventDefault();
    const tier = $("tier").value;
    try {
      const response = await fetch(`/img-classification/${tier}`, {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ dataset: $("dataset").value }),
      });
      if (!response.ok) { $("submit-result").textContent = await problem(response); return; }
      const job = await response.json();
      chosen = job.id;
      $("submit-result").textContent = `Started ${job.name} in ${job.namespace}: ${job.status}.`;
      refresh();
    } catch {
      $("submit-result").textContent = "The server cannot be reached.";
    }
  });

  function drawChart(job) {
    const svg = $("chart");
    const points = job?.progress?.lossCurve ?? [];
    $("chart-title").textContent = job ? `Loss curve: ${job.name} (${job.status})` : "Loss curve: choose a job";
    const ns = "http://www.w3.org/2000/svg";
    svg.replaceChildren();
    if (points.length < 1) return;
    const steps = (job.progress.steps || 1) * (job.progress.epochs || 1);
    const maxLoss = Math.max(...points.map(p => p[1]), 0.1);
    const x = s => 40 + (s / steps) * 550;
    const y = l => 185 - (l / maxLoss) * 170;
    for (const v of [0, maxLoss / 2, maxLoss]) {
      const line = document.createElementNS(ns, "line");
      line.setAttribute("x1", 40); line.setAttribute("x2", 590); line.setAttribute("y1", y(v)); line.setAttribute("y2", y(v));
      const label = document.createElementNS(ns, "text");
      label.setAttribute("x", 2); label.setAttribute("y", y(v) + 4); label.textContent = v.toFixed(2);
      svg.append(line, label);
    }
    const polyline = document.createElementNS(ns, "polyline");
    polyline.setAttribute("points", points.map(p => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(" "));
    svg.append(polyline);
  }

  async function refresh() {
    if (busy || document.hidden) return;
    busy = true;
    try {
      const [jobsResponse, podsResponse] = await Promise.all([fetch("/api/vision/jobs?limit=20"), fetch("/config")]);
      if (!jobsResponse.ok) { error.textContent = await problem(jobsResponse); return; }
      error.textContent = "";
      const jobs = (await jobsResponse.json()).jobs;
      if (!chosen && jobs.length) chosen = jobs[0].id;
      $("jobs").replaceChildren(...jobs.map(job => {
        const tr = document.createElement("tr");
        tr.dataset.id = job.id;
        if (job.id === chosen) tr.className = "chosen";
        const p = job.progress;
        const fraction = job.status === "Succeeded" ? 1 : (p?.fraction ?? 0);
        const detail = p && p.steps ? ` epoch ${p.epoch}/${p.epochs}, step ${p.step}/${p.steps}` : "";
        const progress = document.createElement("span");
        progress.append(bar(fraction), document.createTextNode(detail));
        tr.append(cell(job.name), cell(job.tier), cell(job.status, `status ${job.status}`), cell(progress),
          cell(p?.loss != null ? p.loss.toFixed(4) : ""), cell(job.accuracy != null ? `${(job.accuracy * 100).toFixed(2)} %` : (job.error ?? "")));
        tr.addEventListener("click", () => { chosen = job.id; refresh(); });
        return tr;
      }));
      if (chosen) {
        const one = await fetch(`/api/vision/jobs/${chosen}`);
        if (one.ok) drawChart(await one.json());
      }
      if (podsResponse.ok) {
        const pods = (await podsResponse.json()).pods;
        $("pods").replaceChildren(...pods.map(pod => {
          const tr = document.createElement("tr");
          tr.append(cell(pod.namespace), cell(pod.name), cell(pod.status, `status ${pod.status}`), cell(pod.node), cell(pod.ip));
          return tr;
        }));
      }
    } catch {
      error.textContent = "The server cannot be reached.";
    } finally {
      busy = false;
    }
  }

  // Drawing pad: 280×280 white strokes on black, scaled down to 28×28 for the model.
  const pad = $("pad");
  const ink = pad.getContext("2d");
  let drawing = false;
  let last = null;
  let pending = null;
  function clear() {
    ink.fillStyle = "#000"; ink.fillRect(0, 0, pad.width, pad.height);
    $("prediction").textContent = "–"; $("bars").replaceChildren(); $("model").textContent = "";
  }
  function point(e) {
    const r = pad.getBoundingClientRect();
    return [(e.clientX - r.left) * pad.width / r.width, (e.clientY - r.top) * pad.height / r.height];
  }
  pad.addEventListener("pointerdown", e => { drawing = true; last = point(e); pad.setPointerCapture(e.pointerId); stroke(e); });
  pad.addEventListener("pointermove", e => { if (drawing) stroke(e); });
  pad.addEventListener("pointerup", () => { drawing = false; predict(); });
  function stroke(e) {
    const p = point(e);
    ink.strokeStyle = "#fff"; ink.lineWidth = 20; ink.lineCap = "round";
    ink.beginPath(); ink.moveTo(...last); ink.lineTo(...p); ink.stroke();
    last = p;
    clearTimeout(pending);
    pending = setTimeout(predict, 120);
  }
  function pixels() {
    const small = document.createElement("canvas");
    small.width = 28; small.height = 28;
    const g = small.getContext("2d");
    g.drawImage(pad, 0, 0, 28, 28);
    const data = g.getImageData(0, 0, 28, 28).data;
    return Array.from({ length: 784 }, (_, i) => data[i * 4]);
  }
  async function predict() {
    try {
      const response = await fetch("/api/vision/predict", {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ pixels: pixels() }),
      });
      if (!response.ok) { $("prediction").textContent = "–"; $("model").textContent = await problem(response); return; }
      const body = await response.json();
      $("prediction").textContent = body.digit;
      $("bars").replaceChildren(...body.probabilities.map((p, d) => {
        const row = document.createElement("div");
        row.className = "bar";
        const label = document.createElement("span"); label.textContent = d;
        const fill = document.createElement("span"); fill.className = "fill"; fill.style.width = `${Math.max(1, p * 200)}px`;
        const value = document.createElement("span"); value.textContent = `${(p * 100).toFixed(1)} %`;
        row.append(label, fill, value);
        return row;
      }));
      $("model").textContent = `${body.model.model} model trained on ${body.model.dataset}, ${(body.model.accuracy * 100).toFixed(2)} % on its test set, published ${body.model.modelDate}`;
    } catch {
      $("model").textContent = "The server cannot be reached.";
    }
  }
  $("clear").addEventListener("click", clear);
  clear();
  refresh();
  setInterval(refresh, 1000);
  document.addEventListener("visibilitychange", refresh);
})();
