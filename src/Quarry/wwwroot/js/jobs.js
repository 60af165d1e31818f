// Jobs page: submit jobs and watch them move through submitted → in progress → complete.
(() => {
  const form = document.getElementById("submit");
  const type = document.getElementById("type");
  const rows = document.getElementById("jobs");
  const status = document.getElementById("status-filter");
  const result = document.getElementById("submit-result");
  const error = document.getElementById("error");
  const counts = document.getElementById("counts");
  const statuses = ["submitted", "in progress", "complete", "failed", "cancelled"];

  function took(job) {
    if (!job.startedAt) return "";
    const end = job.finishedAt ? new Date(job.finishedAt) : new Date();
    const ms = end - new Date(job.startedAt);
    return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
  }

  function cell(text, className) {
    const td = document.createElement("td");
    td.textContent = text ?? "";
    if (className) td.className = className;
    return td;
  }

  // A cell that shows the start of a long value; hovering shows all of it.
  function clipped(text, className) {
    const td = cell(text, className + " clip");
    td.title = text ?? "";
    return td;
  }

  async function refreshCounts() {
    try {
      const response = await fetch("/jobs/counts");
      if (!response.ok) return;
      const body = await response.json();
      counts.textContent = statuses.map(s => `${(body[s] ?? 0).toLocaleString("en")} ${s}`).join(" · ");
    } catch {
      // The table's refresh reports an unreachable server.
    }
  }

  // One refresh at a time: the next poll is scheduled only once the previous one has finished, a refresh asked for
  // meanwhile (a new filter, a submission) runs right after it, and nothing is polled while the page is hidden.
  const pollInterval = 1000;
  let running = null;
  let again = false;
  let timer = null;

  function refresh() {
    if (running) {
      again = true;
      return running;
    }
    clearTimeout(timer);
    timer = null;
    running = (async () => {
      try {
        await Promise.all([refreshCounts(), refreshJobs()]);
      } finally {
        running = null;
      }
      if (again) {
        again = false;
        await refresh();
      } else if (!document.hidden) {
        timer = setTimeout(refresh, pollInterval);
      }
    })();
    return running;
  }

  document.addEventListener("visibilitychange", () => {
    if (document.hidden) {
      clearTimeout(timer);
      timer = null;
    } else if (!running && timer === null) {
      refresh();
    }
  });

  async function refreshJobs() {
    const q = status.value ? `&status=${encodeURIComponent(status.value)}` : "";
    try {
      const response = await fetch(`/jobs?limit=25${q}`);
      if (!response.ok) { error.textContent = await quarry.problem(response); return; }
      error.textContent = "";
      const body = await response.json();
      rows.replaceChildren(...body.jobs.map(job => {
        const tr = document.createElement("tr");
        tr.dataset.id = job.id;
        const outcome = job.error ?? (job.result === undefined ? "" : JSON.stringify(job.result));
        tr.append(cell(job.id.slice(0, 8)), cell(job.type), cell(job.status, "status " + job.status.replace(" ", "-")),
          clipped(job.worker, "worker"), cell(job.attempts), cell(took(job)), clipped(outcome, job.error ? "outcome error" : "outcome"));
        const actions = document.createElement("td");
        if (job.status === "submitted") {
          const cancel = document.createElement("button");
          cancel.type = "button";
          cancel.className = "link";
          cancel.textContent = "cancel";
          cancel.addEventListener("click", async () => {
            const r = await fetch(`/jobs/${job.id}/cancel`, { method: "POST" });
            if (!r.ok) error.textContent = await quarry.problem(r);
            refresh();
          });
          actions.appendChild(cancel);
        }
        tr.appendChild(actions);
        return tr;
      }));
    } catch {
      error.textContent = "Server unreachable.";
    }
  }

  type.addEventListener("change", () => {
    const isRange = type.value === "range";
    document.getElementById("range-fields").hidden = !isRange;
    document.getElementById("payload-field").hidden = isRange;
  });

  form.addEventListener("submit", async event => {
    event.preventDefault();
    result.textContent = "";
    let body;
    if (type.value === "range") {
      body = { start: Number(document.getElementById("start").value), end: Number(document.getElementById("end").value) };
    } else {
      let payload;
      try { payload = JSON.parse(document.getElementById("payload").value || "{}"); }
      catch { result.textContent = "The payload is not valid JSON."; return; }
      body = { type: type.value, payload };
    }
    const count = Math.min(100, Math.max(1, Number(document.getElementById("count").value) || 1));
    const ids = [];
    for (let i = 0; i < count; i++) {
      const response = await fetch("/jobs", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      if (!response.ok) { result.textContent = await quarry.problem(response); return; }
      ids.push((await response.json()).id);
    }
    result.textContent = count === 1 ? `Submitted ${ids[0]}` : `Submitted ${count} jobs`;
    refresh();
  });

  status.addEventListener("change", refresh);
  fetch("/jobs/types").then(r => r.json()).then(body => {
    type.replaceChildren(...body.types.map(t => { const o = document.createElement("option"); o.textContent = t; return o; }));
    type.value = "range";
  }).catch(() => {});
  refresh();
})();
