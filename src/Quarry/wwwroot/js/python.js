// Python page: runs code in the server's sandbox, shows its output, and keeps a history of runs in this browser.
(() => {
  const form = document.getElementById("run-form");
  const code = document.getElementById("code");
  const run = document.getElementById("run");
  const error = document.getElementById("error");
  const output = document.getElementById("output");
  const stdout = document.getElementById("stdout");
  const stderr = document.getElementById("stderr");
  const historySection = document.getElementById("history-section");
  const historyList = document.getElementById("history");
  const historyEmpty = document.getElementById("history-empty");
  const clearHistory = document.getElementById("clear-history");
  const storageKey = "quarry.python.history";
  const historyLimit = 50;

  const status = document.getElementById("status");

  async function problem(response) {
    let text;
    try {
      const body = await response.json();
      text = [body.title, body.detail].filter(Boolean).join(": ");
    } catch {
      // Not a problem document; fall back to the status line.
    }
    text ||= `${response.status} ${response.statusText}`.trim();
    const retry = Number(response.headers.get("Retry-After"));
    return retry > 0 ? `${text} (try again in ${retry} s)` : text;
  }

  function duration(ms) {
    return ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(1)} s`;
  }

  function outcome(result) {
    if (result.timedOut) return `timed out after ${duration(result.durationMs)}`;
    const exit = typeof result.exitCode === "number" ? `exit ${result.exitCode}` : "no exit code";
    return `${exit} · ${duration(result.durationMs)}`;
  }

  function show(result) {
    output.hidden = false;
    stdout.textContent = result.stdout;
    stdout.hidden = result.stdout === "" && result.stderr !== "";
    stderr.textContent = result.stderr;
    stderr.hidden = result.stderr === "";
    status.textContent = outcome(result) + (result.truncated ? " · output truncated" : "");
    status.className = result.exitCode === 0 && !result.timedOut ? "ok" : "bad";
  }

  function fail(message) {
    output.hidden = true;
    status.textContent = "";
    status.className = "";
    error.textContent = message;
  }

  function isEntry(e) {
    return e !== null && typeof e === "object" && typeof e.code === "string" && typeof e.stdout === "string" &&
      typeof e.stderr === "string" && typeof e.durationMs === "number" && typeof e.timedOut === "boolean";
  }

  function load() {
    try {
      const stored = JSON.parse(localStorage.getItem(storageKey) ?? "[]");
      return Array.isArray(stored) ? stored.filter(isEntry).slice(0, historyLimit) : [];
    } catch {
      return [];
    }
  }

  const history = load();

  function save() {
    try {
      if (history.length === 0) { localStorage.removeItem(storageKey); return; }
    } catch {
      return;
    }
    // Over the quota, keep the newest runs that fit.
    for (let n = history.length; n > 0; n = Math.floor(n / 2)) {
      try { localStorage.setItem(storageKey, JSON.stringify(history.slice(0, n))); return; } catch { /* keep fewer */ }
    }
  }

  function firstLine(text) {
    const line = text.split("\n").map(l => l.trim()).find(l => l !== "") ?? "";
    return line.length > 60 ? line.slice(0, 59) + "…" : line;
  }

  function renderHistory() {
    historyList.replaceChildren(...history.map(entry => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link";
      button.textContent = firstLine(entry.code) || "(empty)";
      button.title = "Show this run again";
      button.addEventListener("click", () => {
        code.value = entry.code;
        error.textContent = "";
        show(entry);
      });
      const meta = document.createElement("span");
      meta.className = "muted small";
      meta.textContent = " · " + outcome(entry);
      li.append(button, meta);
      return li;
    }));
    historyEmpty.hidden = history.length > 0;
    clearHistory.disabled = history.length === 0;
  }

  function remember(source, result) {
    history.unshift({
      code: source, stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode,
      timedOut: result.timedOut, truncated: result.truncated, durationMs: result.durationMs,
    });
    history.length = Math.min(history.length, historyLimit);
    save();
    renderHistory();
  }

  async function execute(source) {
    let response;
    try {
      response = await fetch("/python", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify({ code: source }),
      });
    } catch {
      fail("Server unreachable.");
      return;
    }
    if (!response.ok) { fail(await problem(response)); return; }
    let result;
    try { result = await response.json(); } catch { fail("The server's answer could not be read."); return; }
    show(result);
    remember(source, result);
  }

  form.addEventListener("submit", async event => {
    event.preventDefault();
    if (run.disabled) return;
    run.disabled = true;
    error.textContent = "";
    status.className = "muted";
    status.textContent = "Running…";
    try {
      await execute(code.value);
    } finally {
      run.disabled = false;
    }
  });

  code.addEventListener("keydown", event => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  clearHistory.addEventListener("click", () => {
    history.length = 0;
    save();
    renderHistory();
  });

  historySection.hidden = false;
  renderHistory();
})();
