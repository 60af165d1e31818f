// Movies page: browse and search the catalog, like movies, see recommendations with their reasons.
(() => {
  const $ = id => document.getElementById(id);
  const user = $("user");
  const search = $("search");
  const genre = $("genre");
  const catalog = $("catalog");
  const likesList = $("likes");
  const recs = $("recommendations");
  const error = $("error");
  let page = 1;
  let liked = new Set();
  let searchTimer;
  const catalogRequests = quarry.latestOnly();
  const likesRequests = quarry.latestOnly();
  const recommendRequests = quarry.latestOnly();

  user.value = localStorage.getItem("quarry-user") || "guest-" + Math.random().toString(36).slice(2, 8);
  localStorage.setItem("quarry-user", user.value);

  function label(movie) {
    return movie.title + (movie.year ? ` (${movie.year})` : "");
  }

  function likeButton(movie) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "like";
    const isLiked = liked.has(movie.id);
    button.textContent = isLiked ? "♥" : "♡";
    button.title = isLiked ? "Unlike" : "Like";
    button.setAttribute("aria-label", (isLiked ? "Unlike " : "Like ") + label(movie));
    button.addEventListener("click", () => toggle(movie));
    return button;
  }

  function row(movie, extra) {
    const li = document.createElement("li");
    li.dataset.id = movie.id;
    const text = document.createElement("span");
    text.className = "title";
    text.textContent = label(movie);
    li.append(likeButton(movie), text);
    if (movie.genres && movie.genres.length) {
      const g = document.createElement("span");
      g.className = "muted small";
      g.textContent = " · " + movie.genres.join(", ");
      li.appendChild(g);
    }
    if (extra) li.appendChild(extra);
    return li;
  }

  async function toggle(movie) {
    const method = liked.has(movie.id) ? "DELETE" : "PUT";
    const response = await fetch(`/api/movies/users/${encodeURIComponent(user.value)}/likes/${movie.id}`, { method });
    if (!response.ok) { error.textContent = await quarry.problem(response); return; }
    await refreshLikes();
    await loadCatalog();
  }

  async function loadCatalog() {
    const q = new URLSearchParams({ page, pageSize: 15 });
    if (search.value.trim()) q.set("search", search.value.trim());
    if (genre.value) q.set("genre", genre.value);
    const answer = await catalogRequests.fetch(`/api/movies?${q}`);
    if (!answer) return; // a newer search or page is under way
    const { response, body } = answer;
    if (!response.ok) { error.textContent = body; return; }
    catalog.replaceChildren(...body.movies.map(m => row(m)));
    if (body.movies.length === 0) catalog.innerHTML = '<li class="muted">No movie matches.</li>';
    const pages = Math.max(1, Math.ceil(body.total / body.pageSize));
    $("pageinfo").textContent = `page ${body.page} of ${pages} · ${body.total.toLocaleString()} movies`;
    $("prev").disabled = body.page <= 1;
    $("next").disabled = body.page >= pages;
  }

  async function refreshLikes() {
    error.textContent = "";
    const answer = await likesRequests.fetch(`/api/movies/users/${encodeURIComponent(user.value)}/likes`);
    if (!answer) return; // the user or the likes changed again since
    const { response, body: movies } = answer;
    if (!response.ok) { error.textContent = movies; return; }
    liked = new Set(movies.map(m => m.id));
    likesList.replaceChildren(...movies.map(m => row(m)));
    if (movies.length === 0) likesList.innerHTML = '<li class="muted empty">Like a movie to start.</li>';
    await recommend();
  }

  async function recommend() {
    const answer = await recommendRequests.fetch(`/api/movies/users/${encodeURIComponent(user.value)}/recommendations?limit=10`);
    if (!answer) return; // the likes changed again since
    const { response, body } = answer;
    if (!response.ok) {
      error.textContent = body;
      if (response.status === 503) setTimeout(recommend, 3000);
      return;
    }
    $("source").textContent = body.source === "model" ? "for your taste" : "most popular";
    $("model").textContent = `Model v${body.version} from ${body.modelDate} UTC`;
    recs.replaceChildren(...body.movies.map(r => {
      const because = document.createElement("div");
      because.className = "because muted small";
      because.textContent = r.because.length ? "because you liked " + r.because.map(b => b.title).join(", ") : "";
      return row(r.movie, because);
    }));
  }

  search.addEventListener("input", () => { clearTimeout(searchTimer); searchTimer = setTimeout(() => { page = 1; loadCatalog(); }, 150); });
  genre.addEventListener("change", () => { page = 1; loadCatalog(); });
  $("prev").addEventListener("click", () => { page = Math.max(1, page - 1); loadCatalog(); });
  $("next").addEventListener("click", () => { page += 1; loadCatalog(); });
  user.addEventListener("change", () => { localStorage.setItem("quarry-user", user.value); refreshLikes().then(loadCatalog); });
  fetch("/api/movies/genres").then(r => r.ok ? r.json() : []).then(genres => {
    for (const g of genres) { const o = document.createElement("option"); o.textContent = g; genre.appendChild(o); }
  });
  refreshLikes().then(loadCatalog);
})();
