// Shared by every page: draws the top bar, fills the navigation and version from /api/about, and the home page's lists.
window.quarry = {
  // One kind of request where each new request aborts the one before it, so that an answer to an older query that
  // arrives late never overwrites a newer one. fetch() resolves to { response, body } (the JSON, or the problem's
  // detail when not ok), or to null when a newer request superseded it.
  latestOnly() {
    let current = null;
    return {
      async fetch(url, options = {}) {
        if (current) current.abort();
        const request = current = new AbortController();
        try {
          const response = await fetch(url, { ...options, signal: request.signal });
          const body = response.ok ? await response.json() : await quarry.problem(response);
          return current === request ? { response, body } : null;
        } catch (e) {
          if (e.name === "AbortError") return null;
          throw e;
        }
      },
    };
  },

  async problem(response) {
    try { return (await response.json()).detail || response.statusText; } catch { return response.statusText; }
  },
};

(async () => {
  const topbar = document.getElementById("topbar");
  if (topbar) {
    topbar.innerHTML = '<a class="brand" href="/">Quarry</a><nav id="nav" aria-label="Services"></nav><span class="version" id="version"></span>';
  }
  const nav = document.getElementById("nav");
  const version = document.getElementById("version");
  const services = document.getElementById("services");
  const status = document.getElementById("server-status");
  try {
    const about = await (await fetch("/api/about")).json();
    if (version) version.textContent = "v" + about.version;
    for (const page of about.pages) {
      if (nav) {
        const a = document.createElement("a");
        a.href = page.path;
        a.textContent = page.title;
        if (location.pathname === page.path) a.setAttribute("aria-current", "page");
        nav.appendChild(a);
      }
    }
    if (services) {
      services.replaceChildren(...about.pages.map(page => {
        const li = document.createElement("li");
        const a = document.createElement("a");
        a.href = page.path;
        a.textContent = page.title;
        const p = document.createElement("p");
        p.className = "muted";
        p.textContent = page.description;
        li.append(a, p);
        return li;
      }));
    }
  } catch (e) {
    if (services) services.innerHTML = '<li class="error">Could not reach the server.</li>';
  }
  if (status) {
    try {
      const r = await fetch("/readyz");
      const body = await r.json();
      status.className = r.ok ? "ok" : "bad";
      status.textContent = (r.ok ? "Ready. " : "Not ready. ") +
        Object.entries(body.checks).map(([k, v]) => `${k}: ${v.status}`).join(", ");
    } catch (e) {
      status.className = "bad";
      status.textContent = "Server unreachable.";
    }
  }
})();
