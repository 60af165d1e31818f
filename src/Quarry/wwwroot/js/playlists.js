// Playlists page: search the songs the model knows, build a playlist, see recommendations update.
(() => {
  const search = document.getElementById("search");
  const results = document.getElementById("results");
  const playlist = document.getElementById("playlist");
  const recommendations = document.getElementById("recommendations");
  const source = document.getElementById("source");
  const model = document.getElementById("model");
  const error = document.getElementById("error");
  const chosen = [];
  let searchTimer;
  const songRequests = quarry.latestOnly();
  const recommendRequests = quarry.latestOnly();

  function item(text, title, onClick) {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "link";
    button.textContent = text;
    if (title) button.title = title;
    button.addEventListener("click", onClick);
    li.appendChild(button);
    return li;
  }

  async function loadSongs() {
    const q = encodeURIComponent(search.value.trim());
    const answer = await songRequests.fetch(`/api/playlists/songs?limit=30&search=${q}`);
    if (!answer) return; // a newer search is under way
    const { response, body } = answer;
    if (!response.ok) {
      model.textContent = body;
      results.replaceChildren();
      if (response.status === 503) setTimeout(loadSongs, 3000);
      return;
    }
    model.textContent = `Model v${body.version} from ${body.model_date} UTC · ${body.total.toLocaleString()} songs`;
    results.replaceChildren(...body.songs.map(s =>
      item(s.song, `in ${s.playlists} playlists`, () => add(s.song))));
    if (body.songs.length === 0) results.innerHTML = '<li class="muted">No song matches.</li>';
  }

  function add(song) {
    if (!chosen.includes(song)) chosen.push(song);
    render();
  }

  function remove(song) {
    chosen.splice(chosen.indexOf(song), 1);
    render();
  }

  function render() {
    playlist.replaceChildren(...chosen.map(s => item(s, "Remove from the playlist", () => remove(s))));
    if (chosen.length === 0) playlist.innerHTML = '<li class="muted empty">Click songs to add them.</li>';
    recommend();
  }

  async function recommend() {
    const answer = await recommendRequests.fetch("/api/recommend", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ songs: chosen, limit: 10 }),
    });
    if (!answer) return; // the playlist changed again since
    const { response, body } = answer;
    error.textContent = "";
    if (!response.ok) {
      error.textContent = body;
      return;
    }
    source.textContent = body.source === "rules" ? "from rules" : "most popular";
    recommendations.replaceChildren(...body.songs.map(s => item(s, "Add to the playlist", () => add(s))));
  }

  search.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(loadSongs, 150);
  });
  loadSongs().then(recommend);
})();
